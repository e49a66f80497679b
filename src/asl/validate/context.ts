/**
 * Shared types and helpers of the definition validator: diagnostics, the validation context, field
 * type checks and AWS's wording for the generic schema errors.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location?: string;
}

export interface ValidateOptions {
  type?: 'STANDARD' | 'EXPRESS';
}

export type QueryLanguage = 'JSONPath' | 'JSONata';

export const SCHEMA = 'SCHEMA_VALIDATION_FAILED';

/** Where a definition is looked at: errors are collected per validation phase. */
export class Ctx {
  /** Schema errors (field presence, types, values, expressions). */
  readonly schema: Diagnostic[] = [];
  /** Label errors (reported by AWS only when nothing else is wrong). */
  readonly label: Diagnostic[] = [];
  /** Warnings: what AWS accepts but is likely a mistake (never a refusal). */
  readonly warnings: Diagnostic[] = [];
  constructor(
    readonly type: 'STANDARD' | 'EXPRESS',
    public machineLanguage: QueryLanguage = 'JSONPath',
  ) {}

  error(message: string, location: string, code: string = SCHEMA): void {
    this.schema.push({ severity: 'ERROR', code, message, location });
  }

  warn(message: string, location: string, code: string = SCHEMA): void {
    this.warnings.push({ severity: 'WARNING', code, message, location });
  }
}

export const at = (location: string, field: string): string => (location === '/' ? '/' + field : `${location}/${field}`);
export const atIndex = (location: string, i: number): string => `${location}[${i}]`;

/** Iteration order of a Java HashSet<String> (default capacity 16): AWS lists required fields in it. */
export function javaHashSetOrder(items: readonly string[]): string[] {
  const hash = (s: string): number => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
    return h;
  };
  let capacity = 16;
  while (items.length > capacity * 0.75) capacity *= 2;
  const bucket = (s: string): number => {
    const h = hash(s);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items
    .map((s, i) => ({ s, i, b: bucket(s) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((x) => x.s);
}

/** `These fields are required: [A, B]` for the missing ones, at the object. Returns false when some are missing. */
export function requireFields(ctx: Ctx, obj: JsonObject, fields: readonly string[], location: string): boolean {
  const missing = fields.filter((f) => !Object.hasOwn(obj, f));
  if (missing.length === 0) return true;
  ctx.error(`These fields are required: [${javaHashSetOrder(missing).join(', ')}]`, location);
  return false;
}

/** `The field 'X' is required but was missing`, the wording AWS uses inside nested objects. */
export function requireField(ctx: Ctx, obj: JsonObject, field: string, location: string): boolean {
  if (Object.hasOwn(obj, field)) return true;
  ctx.error(`The field '${field}' is required but was missing`, location);
  return false;
}

/** Reports every key of the object that is not allowed, in document order. */
export function rejectUnknownFields(ctx: Ctx, obj: JsonObject, allowed: ReadonlySet<string>, location: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) ctx.error(`Field '${k}' is not supported`, location);
}

export type JsonKind = 'STRING' | 'INTEGER' | 'NUMBER' | 'BOOLEAN' | 'OBJECT' | 'ARRAY';

export function kindOf(v: Json | undefined): JsonKind | 'NULL' {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'number') return Number.isInteger(v) ? 'INTEGER' : 'NUMBER';
  return Array.isArray(v) ? 'ARRAY' : 'OBJECT';
}

function isKind(v: Json | undefined, k: JsonKind): boolean {
  const actual = kindOf(v);
  return actual === k || (k === 'NUMBER' && actual === 'INTEGER');
}

/** Checks a field's JSON type; reports `Expected value of type [..]` at the field. */
export function expectKind(ctx: Ctx, v: Json | undefined, kinds: readonly JsonKind[], location: string): boolean {
  if (kinds.some((k) => isKind(v, k))) return true;
  ctx.error(`Expected value of type [${kinds.join(', ')}]`, location);
  return false;
}

export function asObject(v: Json | undefined): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

/** `{% ... %}`: the body of a JSONata expression string, or undefined. */
export function jsonataBody(v: Json | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\{%([\s\S]*)%\}$/.exec(v);
  return m ? m[1] : undefined;
}
