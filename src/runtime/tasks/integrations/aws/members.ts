/**
 * Member names between Step Functions and an SDK client, by the command's schema: a state gives parameters
 * in PascalCase even where the service's API is camelCase (ECS `TaskDefinition` is the SDK's
 * `taskDefinition`), and the optimized integrations answer in PascalCase, with timestamps as epoch
 * milliseconds. A parameter the command has no member for is refused (the SDK would drop it silently).
 * @module
 */
import type { Json, JsonObject } from '../../../../shared/json.js';

/** The part of @smithy/core/schema's NormalizedSchema read here. */
export interface MemberSchema {
  isTimestampSchema(): boolean;
  isBlobSchema(): boolean;
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  structIterator(): Iterable<[string, MemberSchema]>;
  getValueSchema(): MemberSchema;
}

/** Reads a schema as NormalizedSchema (as the client's own @smithy/core resolves it). */
export type SchemaOf = (schema: unknown) => MemberSchema;

export class UnknownMemberError extends Error {}

const pascal = (n: string): string => n.charAt(0).toUpperCase() + n.slice(1);

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);

/**
 * A state's parameters as the command's input: each member found by its name, the case of its first letter
 * aside; timestamps (ISO-8601 text or epoch seconds) as Dates. `where` names the field in errors.
 */
export function toSdkInput(ns: MemberSchema, v: unknown, where: string): unknown {
  if (v === null || v === undefined) return v;
  if (ns.isTimestampSchema()) {
    if (typeof v !== 'string' && typeof v !== 'number') return v;
    const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
    return Number.isNaN(d.getTime()) ? v : d;
  }
  if (ns.isStructSchema() && isPlain(v)) {
    const members = new Map<string, [string, MemberSchema]>();
    for (const [name, m] of ns.structIterator()) members.set(name, [name, m]);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const m = members.get(k) ?? members.get(k.charAt(0).toLowerCase() + k.slice(1)) ?? members.get(pascal(k));
      if (!m) throw new UnknownMemberError(`The field '${where ? `${where}.` : ''}${k}' is not a parameter of this API (its parameters: ${[...members.values()].map(([n]) => n.charAt(0).toUpperCase() + n.slice(1)).join(', ')}).`);
      out[m[0]] = toSdkInput(m[1], x, where ? `${where}.${k}` : k);
    }
    return out;
  }
  if (ns.isListSchema() && Array.isArray(v)) return v.map((x, i) => toSdkInput(ns.getValueSchema(), x, `${where}[${i}]`));
  if (ns.isMapSchema() && isPlain(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toSdkInput(ns.getValueSchema(), x, `${where}.${k}`);
    return out;
  }
  return v;
}

/** A command's output as the optimized integrations give it: PascalCase members, timestamps in epoch milliseconds, blobs as base64. */
export function toPascalOutput(ns: MemberSchema | undefined, v: unknown): Json | undefined {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map((x) => toPascalOutput(ns?.isListSchema() ? ns.getValueSchema() : undefined, x) ?? null);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: JsonObject = {};
    if (ns?.isMapSchema()) {
      for (const [k, x] of Object.entries(o)) {
        const j = toPascalOutput(ns.getValueSchema(), x);
        if (j !== undefined) out[k] = j;
      }
      return out;
    }
    const members = new Map<string, MemberSchema>();
    if (ns?.isStructSchema()) for (const [name, m] of ns.structIterator()) members.set(name, m);
    for (const [k, x] of Object.entries(o)) {
      if (k === '$metadata') continue;
      const j = toPascalOutput(members.get(k), x);
      if (j !== undefined) out[pascal(k)] = j;
    }
    return out;
  }
  return undefined;
}

/**
 * A JSON answer (as `toJson` gives it: member names as the SDK's) with the member names in PascalCase, as
 * Step Functions gives SDK integrations' results; map keys are left as they are.
 */
export function pascalMembers(ns: MemberSchema | undefined, v: Json): Json {
  if (!ns || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return ns.isListSchema() ? v.map((x) => pascalMembers(ns.getValueSchema(), x)) : v;
  if (ns.isMapSchema()) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = pascalMembers(ns.getValueSchema(), x);
    return out;
  }
  if (!ns.isStructSchema()) return v;
  const members = new Map([...ns.structIterator()]);
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) out[members.has(k) ? pascal(k) : k] = pascalMembers(members.get(k), x);
  return out;
}
