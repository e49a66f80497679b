/**
 * Where things are in the text of a JSON definition: a small tolerant JSON parser that records the
 * position of every key and value, for mapping diagnostics to lines and the editor's cursor to a state.
 * Pure and browser-safe: no Node.js modules. Never throws; for invalid JSON (while typing) it keeps what
 * it could parse before the first error.
 * @module
 */

/** 1-based line and column (columns count UTF-16 code units, as editors do). */
export interface TextPos {
  line: number;
  column: number;
}

export interface JsonLocations {
  /**
   * Position of the value (or key) at a location. Accepts JSON pointers ('/States/A/Next') and the AWS
   * diagnostic form with brackets ('/States/C/Choices[0]', '/States/P/Branches[1]/States/X'). An object
   * member whose value is an object or array is given by its key, any other value by the value itself.
   * Falls back to the nearest existing ancestor; undefined only when nothing was parsed.
   */
  at(location: string): TextPos | undefined;
  /** The state name (innermost) whose definition contains this line (and column, if given), if any. */
  stateAt(line: number, column?: number): string | undefined;
  /** Where the first state of this name (in any scope) is declared: its key. */
  stateStart(name: string): TextPos | undefined;
  /** The state name a diagnostic location refers to (innermost '.../States/<name>/...' segment). */
  stateOf(location: string): string | undefined;
}

export interface JsonSyntaxError {
  message: string;
  line: number;
  column: number;
}

interface JNode {
  kind: 'object' | 'array' | 'scalar';
  start: TextPos;
  /** For object members: where the key starts. */
  keyPos?: TextPos;
  /** Where the value ends (after its last character); unset while unterminated. */
  end?: TextPos;
  members?: Map<string, JNode>;
  items?: JNode[];
  /** An object that is a workflow's `States`. */
  statesMap?: boolean;
  /** The value of a state: its name. */
  stateName?: string;
  depth: number;
}

const FAIL = Symbol('fail');
const MAX_DEPTH = 1000;

class Parser {
  i = 0;
  line = 1;
  col = 1;
  error: JsonSyntaxError | undefined;
  root: JNode | undefined;
  readonly states: JNode[] = [];
  readonly all: JNode[] = [];

  constructor(private readonly s: string) {}

  pos(): TextPos {
    return { line: this.line, column: this.col };
  }

  advance(): void {
    if (this.s.charCodeAt(this.i) === 10) {
      this.line++;
      this.col = 1;
    } else this.col++;
    this.i++;
  }

  ws(): void {
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.advance();
      else return;
    }
  }

  fail(message?: string): never {
    if (!this.error) {
      if (this.i >= this.s.length && message === undefined) this.error = { message: 'Unexpected end of input', line: this.line, column: this.col };
      else {
        const msg = message ?? `Unexpected token ${this.tokenText()}`;
        this.error = { message: `${msg} at line ${this.line}, column ${this.col}`, line: this.line, column: this.col };
      }
    }
    throw FAIL;
  }

  /** The offending token as written: a word, or one character. */
  tokenText(): string {
    const m = /[A-Za-z0-9_$.+-]+/y;
    m.lastIndex = this.i;
    const w = m.exec(this.s);
    if (w) return w[0].length > 20 ? w[0].slice(0, 20) + '…' : w[0];
    return this.s[this.i] ?? '';
  }

  expect(ch: string): void {
    if (this.s[this.i] !== ch) this.fail();
    this.advance();
  }

  run(): void {
    try {
      this.ws();
      this.value(undefined, undefined, undefined, 0);
      this.ws();
      if (this.i < this.s.length) this.fail();
    } catch (e) {
      if (e !== FAIL) {
        // A bug or a stack overflow: report where parsing stopped rather than throw.
        if (!this.error) this.error = { message: `Cannot parse at line ${this.line}, column ${this.col}`, line: this.line, column: this.col };
      }
    }
  }

  /** Parses a value; the node is attached to its parent before its content is parsed (partial trees survive). */
  value(parent: JNode | undefined, key: string | undefined, keyPos: TextPos | undefined, depth: number): void {
    if (depth > MAX_DEPTH) this.fail('Too deeply nested');
    const c = this.s[this.i];
    if (c === undefined) this.fail();
    const node: JNode = { kind: c === '{' ? 'object' : c === '[' ? 'array' : 'scalar', start: this.pos(), depth };
    if (keyPos) node.keyPos = keyPos;
    if (parent?.kind === 'object' && key !== undefined) {
      parent.members!.set(key, node);
      if (parent.statesMap) {
        node.stateName = key;
        this.states.push(node);
      }
      if (key === 'States' && !parent.statesMap && c === '{') node.statesMap = true;
    } else if (parent?.kind === 'array') parent.items!.push(node);
    else this.root = node;
    this.all.push(node);

    if (c === '{') {
      node.members = new Map();
      this.advance();
      this.ws();
      if (this.s[this.i] === '}') {
        this.advance();
        node.end = this.pos();
        return;
      }
      for (;;) {
        this.ws();
        if (this.s[this.i] !== '"') this.fail();
        const kp = this.pos();
        const k = this.string();
        this.ws();
        this.expect(':');
        this.ws();
        this.value(node, k, kp, depth + 1);
        this.ws();
        const d = this.s[this.i];
        if (d === ',') {
          this.advance();
          continue;
        }
        if (d === '}') {
          this.advance();
          node.end = this.pos();
          return;
        }
        this.fail();
      }
    }
    if (c === '[') {
      node.items = [];
      this.advance();
      this.ws();
      if (this.s[this.i] === ']') {
        this.advance();
        node.end = this.pos();
        return;
      }
      for (;;) {
        this.ws();
        this.value(node, undefined, undefined, depth + 1);
        this.ws();
        const d = this.s[this.i];
        if (d === ',') {
          this.advance();
          continue;
        }
        if (d === ']') {
          this.advance();
          node.end = this.pos();
          return;
        }
        this.fail();
      }
    }
    if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else if (this.s.startsWith('true', this.i)) this.skip(4);
    else if (this.s.startsWith('false', this.i)) this.skip(5);
    else if (this.s.startsWith('null', this.i)) this.skip(4);
    else this.fail();
    node.end = this.pos();
  }

  skip(n: number): void {
    for (let k = 0; k < n; k++) this.advance();
  }

  number(): void {
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (!m) this.fail();
    this.skip(m[0].length);
    // "01", "1.", "1e": the rest of the number is a syntax error.
    const next = this.s[this.i];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail();
  }

  /** Reads a string token (at its opening quote), returning its value. */
  string(): string {
    this.advance();
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail();
      if (c === '"') {
        this.advance();
        return out;
      }
      if (c === '\\') {
        this.advance();
        const e = this.s[this.i];
        if (e === undefined) this.fail();
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (simple[e] !== undefined) {
          out += simple[e];
          this.advance();
        } else if (e === 'u') {
          const hex = this.s.slice(this.i + 1, this.i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.advance();
            if (this.i + 4 > this.s.length && /^[0-9a-fA-F]*$/.test(hex)) this.fail();
            this.fail('Bad Unicode escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          this.skip(5);
        } else this.fail(`Bad escape \\${e}`);
        continue;
      }
      if (c === '\n' || c === '\r') this.fail('Unterminated string');
      if (c < ' ') this.fail('Bad control character in string');
      out += c;
      this.advance();
    }
  }
}

function parse(text: string): Parser {
  const p = new Parser(typeof text === 'string' ? text : '');
  p.run();
  return p;
}

/** The first syntax error of a JSON text, or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  return parse(text).error;
}

const before = (a: TextPos, b: TextPos) => a.line < b.line || (a.line === b.line && a.column < b.column);

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

interface Step {
  node: JNode;
  /** Index of the first location part consumed by this step. */
  part: number;
}

/** Follows a location as far as the parsed tree goes. */
function walk(root: JNode | undefined, location: string): { steps: Step[]; parts: string[]; end: number } {
  const steps: Step[] = [];
  const trimmed = location.startsWith('/') ? location.slice(1) : location;
  const parts = trimmed === '' ? [] : trimmed.split('/');
  if (!root) return { steps, parts, end: 0 };
  steps.push({ node: root, part: 0 });
  let node = root;
  let i = 0;
  const indexInto = (n: JNode, indices: string): JNode | undefined => {
    let cur: JNode | undefined = n;
    for (const m of indices.matchAll(/\[(\d+)\]/g)) {
      const next: JNode | undefined = cur?.items?.[Number(m[1])];
      if (!next) return undefined;
      cur = next;
      steps.push({ node: cur, part: i });
    }
    return cur;
  };
  outer: while (i < parts.length) {
    if (node.kind === 'object') {
      const members = node.members!;
      // Longest names first would misread 'a/b' when 'a' exists; try the single part first, then joins.
      for (let j = i + 1; j <= parts.length; j++) {
        const raw = parts.slice(i, j).join('/');
        const hit = members.get(raw) ?? members.get(unescapePointer(raw));
        if (hit) {
          steps.push({ node: hit, part: i });
          node = hit;
          i = j;
          continue outer;
        }
      }
      const m = /^(.*?)((?:\[\d+\])+)$/.exec(parts[i]!);
      const hit = m ? members.get(m[1]!) ?? members.get(unescapePointer(m[1]!)) : undefined;
      if (!m || !hit) break;
      steps.push({ node: hit, part: i });
      const last = indexInto(hit, m[2]!);
      if (!last) break;
      node = last;
      i++;
      continue;
    }
    if (node.kind === 'array') {
      const m = /^(?:(\d+)|((?:\[\d+\])+))$/.exec(parts[i]!);
      if (!m) break;
      if (m[1] !== undefined) {
        const next = node.items![Number(m[1])];
        if (!next) break;
        steps.push({ node: next, part: i });
        node = next;
      } else {
        const last = indexInto(node, m[2]!);
        if (!last) break;
        node = last;
      }
      i++;
      continue;
    }
    break;
  }
  return { steps, parts, end: i };
}

/** Positions of the keys and values of a JSON text (tolerant of invalid JSON; never throws). */
export function jsonLocations(text: string): JsonLocations {
  const p = parse(text);
  const eof: TextPos = { line: p.line, column: p.col };
  const endOf = (n: JNode) => n.end ?? eof;
  return {
    at(location: string): TextPos | undefined {
      const { steps } = walk(p.root, typeof location === 'string' ? location : '');
      const last = steps[steps.length - 1];
      if (!last) return undefined;
      const n = last.node;
      return n.keyPos && n.kind !== 'scalar' ? n.keyPos : n.start;
    },
    stateAt(line: number, column?: number): string | undefined {
      let best: JNode | undefined;
      for (const s of p.states) {
        const from = s.keyPos ?? s.start;
        const to = endOf(s);
        const inside =
          column === undefined
            ? line >= from.line && line <= to.line
            : !before({ line, column }, from) && before({ line, column }, { line: to.line, column: to.column + (s.end ? 0 : 1) });
        if (inside && (!best || s.depth > best.depth)) best = s;
      }
      return best?.stateName;
    },
    stateStart(name: string): TextPos | undefined {
      const s = p.states.find((n) => n.stateName === name);
      return s && (s.keyPos ?? s.start);
    },
    stateOf(location: string): string | undefined {
      const { steps, parts, end } = walk(p.root, typeof location === 'string' ? location : '');
      // Where the text ends before the location does, the rest of the location names the state.
      for (let i = parts.length - 1; i >= end; i--) {
        const prevIsStates = i === end ? steps[steps.length - 1]?.node.statesMap === true || (!p.root && parts[i - 1] === 'States') : parts[i - 1] === 'States';
        if (prevIsStates) return unescapePointer(parts[i]!);
      }
      let hit: Step | undefined;
      for (const s of steps) if (s.node.stateName !== undefined) hit = s;
      return hit?.node.stateName;
    },
  };
}
