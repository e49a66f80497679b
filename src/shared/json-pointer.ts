/**
 * JSON Pointers (RFC 6901), as a Distributed Map's `ItemsPointer` uses them: the reference tokens of a
 * pointer, and the value they designate in a document.
 * @module
 */
import { isObject, type Json } from './json.js';

/** RFC 6901 reference tokens of a pointer ('' or undefined: the whole document). */
export function pointerTokens(pointer: string | undefined): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value `pointer` designates in `doc`, or undefined. */
export function valueAtPointer(doc: Json, pointer: string | undefined): Json | undefined {
  let v: Json | undefined = doc;
  for (const key of pointerTokens(pointer)) {
    if (Array.isArray(v)) v = /^(0|[1-9]\d*)$/.test(key) ? v[Number(key)] : undefined;
    else if (isObject(v)) v = Object.hasOwn(v, key) ? v[key] : undefined;
    else return undefined;
  }
  return v;
}
