/**
 * Parser for ASL intrinsic function calls (`States.Format('{} {}', $.a, States.UUID())`).
 *
 * The grammar, as AWS accepts it:
 *
 *     call   := 'States.' Name ws* '(' ws* [ arg (ws* ',' ws* arg)* ] ws* ')'
 *     arg    := call | string | number | 'true' | 'false' | 'null' | path
 *     string := "'" ( any char but ' and \  |  '\' one of  ' { } \ )* "'"
 *     number := -?digits(.digits)?([eE][+-]?digits)?
 *     path   := '$' … (a JSONPath: `$.x`, `$$.x` for the context object, `$name.x` for a variable)
 *
 * AWS rejects at definition time (CreateStateMachine: "The value for the field 'x.$' must be a valid
 * JSONPath or a valid intrinsic function call"): an unknown function name, a malformed argument list, an
 * escape other than \' \{ \} \\ in a string literal (`\"` and `\n` are rejected), an invalid path, and more
 * than 10 intrinsic functions in one field. Control characters and unescaped `{` `}` are accepted inside
 * string literals. Arity and argument types are checked at run time (States.Runtime), not here.
 * @module
 */
import { compilePath, type CompiledPath } from './jsonpath.js';

/** The 18 intrinsic functions, with the argument counts AWS accepts. */
export const INTRINSIC_ARITY: Readonly<Record<string, readonly [min: number, max: number]>> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

/** AWS allows at most this many intrinsic function calls in one field ("up to 10 nested intrinsic functions"). */
export const MAX_INTRINSIC_CALLS = 10;

/**
 * The AST of an intrinsic call. Every node keeps `source`, the exact text it was parsed from.
 * - `call`: a function call; `name` is the full name (`States.Format`).
 * - `str`: a string literal; `value` has its escapes resolved, `raw` is the text between the quotes as
 *   written (States.Format reads its template from `raw`, where `\{` is a literal brace).
 * - `num`: a number literal; `float` is true when it was written with a fraction or an exponent
 *   (AWS prints `1.0` in States.Format for the literal `1.0`).
 * - `bool`, `null`: the literals `true`, `false`, `null`.
 * - `path`: a JSONPath argument, compiled (`path.root` is `input`, `context` or `var`).
 */
export type IntrinsicNode =
  | IntrinsicCall
  | { k: 'str'; value: string; raw: string; source: string }
  | { k: 'num'; value: number; float: boolean; source: string }
  | { k: 'bool'; value: boolean; source: string }
  | { k: 'null'; source: string }
  | { k: 'path'; path: CompiledPath; source: string };

export interface IntrinsicCall {
  k: 'call';
  name: string;
  args: IntrinsicNode[];
  source: string;
}

export class IntrinsicSyntaxError extends Error {}

/** Parses an intrinsic call; throws IntrinsicSyntaxError when AWS would reject it at definition time. */
export function parseIntrinsic(text: string): IntrinsicCall {
  const p = new Parser(text);
  p.ws();
  if (!p.text.startsWith('States.', p.i)) p.fail('expected an intrinsic function call (States.Name(...))');
  const call = p.call();
  p.ws();
  if (p.i < text.length) p.fail(`unexpected text after the closing parenthesis: '${text.slice(p.i)}'`);
  if (p.calls > MAX_INTRINSIC_CALLS) {
    throw new IntrinsicSyntaxError(
      `Invalid intrinsic function call '${text}': a field may contain at most ${MAX_INTRINSIC_CALLS} intrinsic functions, found ${p.calls}`,
    );
  }
  return call;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z0-9]+/y;

class Parser {
  i = 0;
  calls = 0;
  constructor(readonly text: string) {}

  fail(msg: string): never {
    throw new IntrinsicSyntaxError(`Invalid intrinsic function call '${this.text}': ${msg} (at position ${this.i})`);
  }

  ws(): void {
    const s = this.text;
    while (this.i < s.length && (s[this.i] === ' ' || s[this.i] === '\t' || s[this.i] === '\n' || s[this.i] === '\r')) this.i++;
  }

  call(): IntrinsicCall {
    const s = this.text;
    const start = this.i;
    this.i += 'States.'.length;
    NAME.lastIndex = this.i;
    const m = NAME.exec(s);
    if (!m) this.fail("expected a function name after 'States.'");
    const name = 'States.' + m[0];
    if (!Object.prototype.hasOwnProperty.call(INTRINSIC_ARITY, name)) {
      this.fail(`unknown intrinsic function '${name}'`);
    }
    this.calls++;
    this.i += m[0].length;
    this.ws();
    if (s[this.i] !== '(') this.fail(`expected '(' after ${name}`);
    this.i++;
    this.ws();
    const args: IntrinsicNode[] = [];
    if (s[this.i] === ')') {
      this.i++;
      return { k: 'call', name, args, source: s.slice(start, this.i) };
    }
    for (;;) {
      this.ws();
      args.push(this.arg());
      this.ws();
      const c = s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ')') {
        this.i++;
        return { k: 'call', name, args, source: s.slice(start, this.i) };
      }
      if (c === undefined) this.fail(`missing ')' to close ${name}(`);
      this.fail(`expected ',' or ')' in the arguments of ${name}, found '${c}'`);
    }
  }

  arg(): IntrinsicNode {
    const s = this.text;
    const c = s[this.i];
    if (c === undefined) this.fail('expected an argument, found the end of the text');
    if (c === "'") return this.str();
    if (c === '$') return this.path();
    if (s.startsWith('States.', this.i)) return this.call();
    const start = this.i;
    for (const [word, node] of [
      ['true', { k: 'bool', value: true, source: 'true' }],
      ['false', { k: 'bool', value: false, source: 'false' }],
      ['null', { k: 'null', source: 'null' }],
    ] as const) {
      if (s.startsWith(word, this.i)) {
        this.i += word.length;
        this.endOfToken(start);
        return node;
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(s);
    if (m) {
      this.i += m[0].length;
      this.endOfToken(start);
      return { k: 'num', value: Number(m[0]), float: /[.eE]/.test(m[0]), source: m[0] };
    }
    if (c === ',' || c === ')') this.fail('missing argument');
    this.fail(`unexpected '${c}' where an argument was expected`);
  }

  /** A literal must be followed by a separator. */
  private endOfToken(start: number): void {
    const c = this.text[this.i];
    if (c !== undefined && c !== ',' && c !== ')' && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      this.i = start;
      this.fail(`invalid argument '${this.text.slice(start).split(/[,)]/)[0]}'`);
    }
  }

  str(): IntrinsicNode {
    const s = this.text;
    const start = this.i;
    this.i++;
    let value = '';
    for (;;) {
      const c = s[this.i];
      if (c === undefined) {
        this.i = start;
        this.fail('unterminated string literal');
      }
      if (c === "'") break;
      if (c === '\\') {
        const n = s[this.i + 1];
        if (n !== "'" && n !== '{' && n !== '}' && n !== '\\') {
          this.fail(`invalid escape sequence '\\${n ?? ''}' in a string literal (only \\', \\{, \\} and \\\\ are allowed)`);
        }
        value += n;
        this.i += 2;
        continue;
      }
      value += c;
      this.i++;
    }
    this.i++;
    return { k: 'str', value, raw: s.slice(start + 1, this.i - 1), source: s.slice(start, this.i) };
  }

  path(): IntrinsicNode {
    const s = this.text;
    const start = this.i;
    let depth = 0;
    let quote = '';
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (quote) {
        if (c === '\\') this.i++;
        else if (c === quote) quote = '';
      } else if (depth > 0) {
        if (c === "'" || c === '"') quote = c;
        else if (c === '[') depth++;
        else if (c === ']') depth--;
      } else if (c === '[') depth++;
      else if (c === '(' && s[this.i + 1] === ')') this.i++; // a function such as length()
      else if (c === ',' || c === ')' || c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
      this.i++;
    }
    const source = s.slice(start, this.i);
    if (depth > 0 || quote) {
      this.i = start;
      this.fail(`unterminated bracket in path '${source}'`);
    }
    try {
      return { k: 'path', path: compilePath(source), source };
    } catch (e) {
      this.i = start;
      this.fail(`invalid path '${source}': ${(e as Error).message}`);
    }
  }
}
