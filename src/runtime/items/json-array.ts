/**
 * The items of a JSON file as it streams in: the elements of the top-level array, or of the array an
 * `ItemsPointer` (RFC 6901) names inside an object. The text is scanned for each element's bounds (strings,
 * nesting) and only that element's text is kept until `JSON.parse` reads it; once the array closes, the rest
 * of the file is not read.
 * @module
 */
import type { Json } from '../../shared/json.js';
import { pointerTokens } from '../../shared/json-pointer.js';
import { ItemReaderError } from './request.js';

export { pointerTokens };

export const NOT_ITERABLE = 'Attempting to map over non-iterable node.';


interface Frame {
  array: boolean;
  /** This container is the value at the pointer's first `depth` tokens. */
  onPath: boolean;
  /** Objects: the key of the member being read (or undefined while a key is expected). */
  key: string | undefined;
  expectKey: boolean;
  /** Arrays: the index of the next element. */
  index: number;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const isScalarChar = (c: string): boolean => /[0-9A-Za-z+\-.]/.test(c);

/** Push text, get the items it completed. Not a JSON parser: each item's text goes to JSON.parse. */
export class JsonItemsScanner {
  readonly #tokens: string[];
  readonly #stack: Frame[] = [];
  #rootSeen = false;
  /** The target array is open (its frame is at depth #tokens.length) / was closed. */
  #inTarget = false;
  done = false;
  // Strings: inside one, after a backslash; the text of a key being read (on the path only).
  #inString = false;
  #escape = false;
  #keyParts: string[] | undefined;
  #scalar = false;
  // The item being captured: its text so far, and the depth it started at.
  #capture: string[] | undefined;
  #captureDepth = 0;

  constructor(pointer: string | undefined) {
    this.#tokens = pointerTokens(pointer);
  }

  #fail(msg: string): never {
    throw new ItemReaderError(`The JSON file could not be read: ${msg}`);
  }

  /** Where a value starting now sits: on the path, the target itself, or an element of the target. */
  #valueStarts(): { onPath: boolean; target: boolean; item: boolean } {
    const d = this.#stack.length;
    if (d === 0) {
      if (this.#rootSeen) this.#fail('more than one value at the top level');
      this.#rootSeen = true;
      return { onPath: true, target: this.#tokens.length === 0, item: false };
    }
    const parent = this.#stack[d - 1]!;
    if (this.#inTarget && d === this.#tokens.length + 1) return { onPath: false, target: false, item: true };
    if (!parent.onPath || d > this.#tokens.length) return { onPath: false, target: false, item: false };
    const tok = this.#tokens[d - 1]!;
    const name = parent.array ? String(parent.index) : parent.key;
    const onPath = name === tok;
    return { onPath, target: onPath && d === this.#tokens.length, item: false };
  }

  push(text: string): Json[] {
    const out: Json[] = [];
    let start = 0; // where the captured item's text starts in this chunk
    const finishItem = (endExclusive: number) => {
      const parts = this.#capture!;
      parts.push(text.slice(start, endExclusive));
      this.#capture = undefined;
      const src = parts.join('');
      try {
        out.push(JSON.parse(src) as Json);
      } catch (e) {
        this.#fail(`item ${this.#stack.at(-1)!.index} is not valid JSON (${(e as Error).message})`);
      }
    };
    for (let i = 0; i < text.length && !this.done; i++) {
      const c = text[i]!;
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === '\\') this.#escape = true;
        else if (c === '"') {
          this.#inString = false;
          if (this.#keyParts) {
            const raw = this.#keyParts.join('') + text.slice(start, i + 1);
            this.#keyParts = undefined;
            const top = this.#stack.at(-1)!;
            try {
              top.key = JSON.parse(raw) as string;
            } catch {
              this.#fail('a member name is not a valid string');
            }
          } else if (this.#capture && this.#stack.length === this.#captureDepth) finishItem(i + 1);
        }
        continue;
      }
      if (this.#scalar) {
        if (isScalarChar(c)) continue;
        this.#scalar = false;
        if (this.#capture && this.#stack.length === this.#captureDepth) finishItem(i);
        // the character after the scalar is read below
      }
      if (WS.has(c)) continue;
      const top = this.#stack.at(-1);
      if (c === ',') {
        if (!top) this.#fail("unexpected ','");
        if (top.array) top.index++;
        else {
          top.expectKey = true;
          top.key = undefined;
        }
        continue;
      }
      if (c === ':') {
        if (!top || top.array || top.key === undefined) this.#fail("unexpected ':'");
        top.expectKey = false;
        continue;
      }
      if (c === ']' || c === '}') {
        if (!top || top.array !== (c === ']')) this.#fail(`unexpected '${c}'`);
        this.#stack.pop();
        if (this.#capture && this.#stack.length === this.#captureDepth) finishItem(i + 1);
        if (this.#inTarget && this.#stack.length === this.#tokens.length) {
          this.#inTarget = false;
          this.done = true;
        }
        continue;
      }
      // A member name.
      if (top && !top.array && top.expectKey) {
        if (c !== '"') this.#fail(`expected a member name, found '${c}'`);
        this.#inString = true;
        if (top.onPath && !this.#capture) {
          this.#keyParts = [];
          start = i;
        }
        top.expectKey = false;
        top.key = top.key ?? '';
        continue;
      }
      // A value starts.
      const at = this.#valueStarts();
      if (at.target && c !== '[') throw new ItemReaderError(NOT_ITERABLE);
      if (at.item && !this.#capture) {
        this.#capture = [];
        this.#captureDepth = this.#stack.length;
        start = i;
      }
      if (c === '[' || c === '{') {
        this.#stack.push({ array: c === '[', onPath: at.onPath, key: undefined, expectKey: c === '{', index: 0 });
        if (at.target) this.#inTarget = true;
      } else if (c === '"') {
        this.#inString = true;
      } else if (isScalarChar(c)) {
        this.#scalar = true;
      } else this.#fail(`unexpected '${c}'`);
    }
    if (this.#capture) this.#capture.push(text.slice(start));
    else if (this.#keyParts) this.#keyParts.push(text.slice(start));
    return out;
  }

  /** The end of the file: the target must have been found. */
  end(): Json[] {
    if (this.done) return [];
    if (this.#inString) this.#fail('the file ends inside a string');
    if (!this.#rootSeen) this.#fail('the file is empty');
    if (this.#stack.length > 0) this.#fail('the file ends before its arrays and objects close');
    if (this.#tokens.length === 0) throw new ItemReaderError(NOT_ITERABLE);
    throw new ItemReaderError(`The ItemsPointer '/${this.#tokens.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}' points at nothing in the file.`);
  }
}

/** The items of a JSON file from its text chunks. */
export async function* jsonItems(chunks: AsyncIterable<string>, pointer: string | undefined): AsyncGenerator<Json> {
  const scanner = new JsonItemsScanner(pointer);
  for await (const chunk of chunks) {
    yield* scanner.push(chunk);
    if (scanner.done) return;
  }
  yield* scanner.end();
}
