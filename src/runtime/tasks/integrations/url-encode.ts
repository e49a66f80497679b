/**
 * The HTTP Task's `URL_ENCODED` request body: a JSON object as `application/x-www-form-urlencoded`, with
 * arrays written as `RequestEncodingOptions.ArrayFormat` says (INDICES by default) and nested objects as
 * `outer[inner]=value`.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../../shared/json.js';

export type ArrayFormat = 'INDICES' | 'REPEAT' | 'COMMAS' | 'BRACKETS';

const enc = (s: string) => encodeURIComponent(s);
const text = (v: Json) => (typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v));

export function urlEncode(body: JsonObject, format: ArrayFormat = 'INDICES'): string {
  const pairs: string[] = [];
  const add = (name: string, v: Json): void => {
    if (Array.isArray(v)) {
      if (format === 'COMMAS' && v.every((e) => !isObject(e) && !Array.isArray(e))) {
        pairs.push(`${name}=${v.map((e) => enc(text(e))).join(',')}`);
        return;
      }
      v.forEach((e, i) => add(format === 'INDICES' || format === 'COMMAS' ? `${name}[${i}]` : format === 'BRACKETS' ? `${name}[]` : name, e));
    } else if (isObject(v)) for (const [k, e] of Object.entries(v)) add(`${name}[${enc(k)}]`, e);
    else pairs.push(`${name}=${enc(text(v))}`);
  };
  for (const [k, v] of Object.entries(body)) add(enc(k), v);
  return pairs.join('&');
}
