/**
 * What ECS's and Batch's overrides share: fields checked against the service's shape, command lists,
 * `Environment: [{Name, Value}]`.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../../shared/json.js';

/** A message naming the first field not in `allowed`, or undefined. */
export function refuseUnknown(o: JsonObject, allowed: readonly string[], what: string): string | undefined {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) return `The field '${k}' is not supported by ${what} here (supported: ${allowed.join(', ')}).`;
  return undefined;
}

export function stringList(v: Json): string[] | undefined {
  return Array.isArray(v) && v.every((e) => typeof e === 'string') ? (v as string[]) : undefined;
}

/** `[{Name, Value}]` as a map, or a message saying what is wrong. */
export function environmentOverrides(v: Json): Record<string, string> | string {
  if (!Array.isArray(v)) return 'must be an array of {Name, Value}.';
  const out: Record<string, string> = {};
  for (const [i, e] of v.entries()) {
    if (!isObject(e) || typeof e.Name !== 'string' || e.Name === '') return `[${i}] must be {Name, Value} with a non-empty Name.`;
    if (Object.keys(e).some((k) => k !== 'Name' && k !== 'Value')) return `[${i}] has fields other than Name and Value.`;
    out[e.Name] = e.Value === undefined || e.Value === null ? '' : typeof e.Value === 'string' ? e.Value : JSON.stringify(e.Value);
  }
  return out;
}
