/**
 * JSON syntax checking with the error messages of Jackson (the Java parser AWS reads definitions with).
 * AWS reports a definition that is not JSON as INVALID_JSON_DESCRIPTION with Jackson's message and
 * location, e.g. `Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token
 * 'null', 'true' or 'false')` at `[Source: (String)"not a definition"; line: 1, column: 4]`.
 *
 * `scanJson` reads the first value only (content after it is ignored, as by Jackson's `readTree`);
 * `scanDocument` also refuses content after that value, as Jackson does with `FAIL_ON_TRAILING_TOKENS`
 * (AWS refuses a definition with trailing content).
 * @module
 */

import { MAX_JSON_DEPTH, nestingDepthMessage } from '../../shared/json.js';

export interface JsonSyntaxError {
  /** Jackson's message including the trailing `\n at [Source: ...]`. */
  message: string;
  /** `[Source: (String)"..."; line: L, column: C]` */
  location: string;
}

/** Index just past the first JSON value of the text (Jackson's `readTree` ignores the rest). */
export type JsonScanResult = { ok: true; end: number } | { ok: false; error: JsonSyntaxError };

const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
const MAX_SNIPPET = 500;

class Fail extends Error {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {
    super(msg);
  }
}

/** Java's Character.isJavaIdentifierPart, approximated for the characters that occur in practice. */
function isIdentPart(c: string): boolean {
  return /[\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Sc}]/u.test(c) || /[\u0000-\u0008\u000e-\u001b\u007f-\u009f]/.test(c);
}

function isIdentStart(c: string): boolean {
  return /[\p{L}\p{Nl}\p{Pc}\p{Sc}]/u.test(c);
}

/** Jackson's `_getCharDesc`. */
function charDesc(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `(CTRL-CHAR, code ${code})`;
  if (code > 255) return `'${c}' (code ${code} / 0x${code.toString(16)})`;
  return `'${c}' (code ${code})`;
}

class Scanner {
  i = 0;
  /** Arrays and objects open around the current position. */
  depth = 0;
  constructor(readonly s: string) {}

  /** Enters an array or object at `this.i`, as deep as Jackson allows (StreamReadConstraints). */
  open(): void {
    if (++this.depth > MAX_JSON_DEPTH) throw new Fail(nestingDepthMessage(), this.i + 1);
  }

  unexpected(pos: number, comment: string): never {
    // Jackson has consumed the offending character when it reports it.
    throw new Fail(`Unexpected character (${charDesc(this.s[pos]!)}): ${comment}`, pos + 1);
  }

  /** Skips Jackson whitespace; returns the next character (not consumed) or undefined at the end. */
  ws(): string | undefined {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.i++;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) {
        throw new Fail(
          `Illegal character (${charDesc(c)}): only regular white space (\\r, \\n, \\t) is allowed between tokens`,
          this.i + 1,
        );
      }
      return c;
    }
    return undefined;
  }

  eofInContainer(kind: 'Object' | 'Array', start: number): never {
    throw new Fail(
      `Unexpected end-of-input: expected close marker for ${kind} (start marker at ${sourceLocation(this.s, start)})`,
      this.s.length,
    );
  }

  value(container?: { kind: 'Object' | 'Array'; start: number }): void {
    const c = this.ws();
    if (c === undefined) {
      if (container) this.eofInContainer(container.kind, container.start);
      throw new Fail('No content to map due to end-of-input', this.s.length);
    }
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        this.i++;
        return this.string('string value');
      case 't':
        return this.literal('true');
      case 'f':
        return this.literal('false');
      case 'n':
        return this.literal('null');
      case '-':
        return this.number();
      default:
        break;
    }
    if (c >= '0' && c <= '9') return this.number();
    if (isIdentStart(c)) this.invalidToken(this.i, this.i + 1);
    this.unexpected(this.i, `expected a valid value ${VALID_VALUES}`);
  }

  /**
   * After the root value: nothing but white space may follow. Jackson reads the next token; a valid one
   * is reported as a trailing token of its type, an invalid one with the usual message.
   */
  trailing(): void {
    const c = this.ws();
    if (c === undefined) return;
    const start = this.i;
    let type: string;
    if (c === '{' || c === '[') {
      this.i++;
      type = c === '{' ? 'START_OBJECT' : 'START_ARRAY';
    } else if (c === '"') {
      this.i++;
      type = 'VALUE_STRING';
    } else if (c === '}' || c === ']') {
      throw new Fail(
        `Unexpected close marker '${c}': expected '${c === '}' ? ']' : '}'}' (for root starting at [Source: ${sourceSnippet(this.s)}; line: 1, column: 0])`,
        start + 1,
      );
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      this.number();
      type = /[.eE]/.test(this.s.slice(start, this.i)) ? 'VALUE_NUMBER_FLOAT' : 'VALUE_NUMBER_INT';
    } else if (c === 't' || c === 'f' || c === 'n') {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      this.literal(word);
      type = `VALUE_${word.toUpperCase()}`;
    } else {
      this.value(); // throws: not the start of a value
      return;
    }
    throw new Fail(
      `Trailing token (of type ${type}) found after value (bound as \`com.fasterxml.jackson.databind.JsonNode\`): not allowed as per \`DeserializationFeature.FAIL_ON_TRAILING_TOKENS\``,
      this.i,
    );
  }

  /** Reports `Unrecognized token '...'`, reading the rest of the token as Jackson does. */
  invalidToken(start: number, from: number): never {
    let j = from;
    while (j < this.s.length && j - start < 256 && isIdentPart(this.s[j]!)) j++;
    throw new Fail(`Unrecognized token '${this.s.slice(start, j)}': was expecting ${VALID_VALUES}`, j);
  }

  literal(word: string): void {
    const start = this.i;
    for (let k = 1; k < word.length; k++) {
      const c = this.s[start + k];
      if (c === undefined) {
        throw new Fail(`Unexpected end-of-input in a value`, this.s.length);
      }
      if (c !== word[k]) this.invalidToken(start, start + k);
    }
    const after = this.s[start + word.length];
    this.i = start + word.length;
    if (after !== undefined && isIdentPart(after)) this.invalidToken(start, this.i);
  }

  number(): void {
    const s = this.s;
    const digits = (): number => {
      const st = this.i;
      while (this.i < s.length && s[this.i]! >= '0' && s[this.i]! <= '9') this.i++;
      return this.i - st;
    };
    if (s[this.i] === '-') {
      this.i++;
      const c = s[this.i];
      if (c === undefined) throw new Fail('Unexpected end-of-input in a Number value', s.length);
      if (c < '0' || c > '9') {
        throw new Fail(
          `Unexpected character (${charDesc(c)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
          this.i + 1,
        );
      }
    }
    if (s[this.i] === '0' && s[this.i + 1] !== undefined && s[this.i + 1]! >= '0' && s[this.i + 1]! <= '9') {
      throw new Fail('Invalid numeric value: Leading zeroes not allowed', this.i + 1);
    }
    digits();
    if (s[this.i] === '.') {
      this.i++;
      if (digits() === 0) {
        const c = s[this.i];
        if (c === undefined) throw new Fail('Unexpected end-of-input in a Number value', s.length);
        throw new Fail(`Unexpected character (${charDesc(c)}) in numeric value: Decimal point not followed by a digit`, this.i + 1);
      }
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (digits() === 0) {
        const c = s[this.i];
        if (c === undefined) throw new Fail('Unexpected end-of-input in a Number value', s.length);
        throw new Fail(`Unexpected character (${charDesc(c)}) in numeric value: Exponent indicator not followed by a digit`, this.i + 1);
      }
    }
  }

  /** Reads a string whose opening quote was consumed. */
  string(what: string): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i++]!;
      if (c === '"') return;
      if (c === '\\') {
        const e = s[this.i++];
        if (e === undefined) break;
        if ('"\\/bfnrt'.includes(e)) continue;
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            const h = s[this.i++];
            if (h === undefined) throw new Fail(`Unexpected end-of-input in character escape sequence`, s.length);
            if (!/[0-9a-fA-F]/.test(h)) {
              throw new Fail(`Unexpected character (${charDesc(h)}): expected a hex-digit for character escape sequence`, this.i);
            }
          }
          continue;
        }
        throw new Fail(`Unrecognized character escape ${charDesc(e)}`, this.i);
      }
      if (c.charCodeAt(0) < 0x20) {
        throw new Fail(
          `Illegal unquoted character (${charDesc(c)}): has to be escaped using backslash to be included in ${what}`,
          this.i,
        );
      }
    }
    throw new Fail(`Unexpected end-of-input: was expecting closing quote for a string value`, s.length);
  }

  object(): void {
    const start = this.i;
    this.open();
    this.i++; // {
    let c = this.ws();
    if (c === undefined) this.eofInContainer('Object', start);
    if (c === '}') {
      this.i++;
      this.depth--;
      return;
    }
    for (;;) {
      if (c !== '"') this.unexpected(this.i, 'was expecting double-quote to start field name');
      this.i++;
      this.string('name');
      c = this.ws();
      if (c === undefined) throw new Fail('Unexpected end-of-input within/between Object entries', this.s.length);
      if (c !== ':') this.unexpected(this.i, 'was expecting a colon to separate field name and value');
      this.i++;
      this.value({ kind: 'Object', start });
      c = this.ws();
      if (c === undefined) this.eofInContainer('Object', start);
      if (c === '}') {
        this.i++;
        this.depth--;
        return;
      }
      if (c !== ',') this.unexpected(this.i, 'was expecting comma to separate Object entries');
      this.i++;
      c = this.ws();
      if (c === undefined) this.eofInContainer('Object', start);
    }
  }

  array(): void {
    const start = this.i;
    this.open();
    this.i++; // [
    let c = this.ws();
    if (c === undefined) this.eofInContainer('Array', start);
    if (c === ']') {
      this.i++;
      this.depth--;
      return;
    }
    for (;;) {
      this.value({ kind: 'Array', start });
      c = this.ws();
      if (c === undefined) this.eofInContainer('Array', start);
      if (c === ']') {
        this.i++;
        this.depth--;
        return;
      }
      if (c !== ',') this.unexpected(this.i, 'was expecting comma to separate Array entries');
      this.i++;
    }
  }
}

/** Jackson's `[Source: (String)"..."; line: L, column: C]` for a character offset (0-based) of the text. */
export function sourceLocation(text: string, offset: number): string {
  let line = 1;
  let rowStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    const c = text[k];
    if (c === '\n') {
      line++;
      rowStart = k + 1;
    } else if (c === '\r') {
      if (text[k + 1] === '\n') k++;
      line++;
      rowStart = k + 1;
    }
  }
  const column = offset - rowStart + 1;
  return `[Source: ${sourceSnippet(text)}; line: ${line}, column: ${column}]`;
}

/** Jackson's description of the source: the text, cut after 500 characters. */
function sourceSnippet(text: string): string {
  let snippet = `(String)"${text.length > MAX_SNIPPET ? text.slice(0, MAX_SNIPPET) : text}"`;
  if (text.length > MAX_SNIPPET) snippet += `[truncated ${text.length - MAX_SNIPPET} chars]`;
  return snippet;
}

/** Checks the syntax of the first JSON value in the text as Jackson would. */
export function scanJson(text: string): JsonScanResult {
  return scan(text, false);
}

/** Checks that the text is exactly one JSON value (white space around it allowed), with Jackson's messages. */
export function scanDocument(text: string): JsonScanResult {
  return scan(text, true);
}

function scan(text: string, whole: boolean): JsonScanResult {
  const sc = new Scanner(text);
  try {
    sc.value();
    const end = sc.i;
    if (whole) sc.trailing();
    return { ok: true, end };
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    const location = sourceLocation(text, e.pos);
    return { ok: false, error: { message: `${e.msg}\n at ${location}`, location } };
  }
}
