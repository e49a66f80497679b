/**
 * JSONata as Step Functions runs it. A string value that starts with `{%` and ends with `%}` (no
 * surrounding whitespace; "a {% 1 %}" is a literal) is a JSONata expression, anywhere in a field's
 * value: at the top, in an object, in an array. Each expression is parsed once, at compile time.
 *
 * What AWS adds on top of JSONata 2.x:
 * - `$states` = { input, context, result?, errorOutput? } and every workflow variable as `$name`;
 *   there is no root context (`$` is undefined), so plain field names read nothing.
 * - the functions in jsonata-functions.ts ($partition, $range, $hash, $random, $uuid, $parse), no
 *   $eval, and $now/$millis/$random/$uuid drawn from the scope so that a replay is deterministic.
 * - an expression (top level or inside an object/array) that returns nothing fails the state with
 *   States.QueryEvaluationError; `undefined` inside a JSONata object/array constructor just drops
 *   the member, as JSONata does.
 * - results are plain JSON: sequences become arrays, non-finite numbers become "Infinity",
 *   "-Infinity" and "NaN" (as AWS's Jackson writes them). An expression whose value is a function
 *   (a lambda, `$sum`, a regex) fails with AWS's "returned an unsupported result type."; a function
 *   inside an object or array an expression built becomes "" (as $string writes it).
 * - evaluation limits: nesting depth 100, sequences of at most 873,782 items, 5 s.
 *
 * Failures are AslFailure('States.QueryEvaluationError', cause) (a JsonataFailure, which also
 * carries the field as `location`, as AWS's EvaluationFailed event does). The cause is AWS's text
 * without the "An error occurred while executing the state ..." prefix.
 * @module
 */
import jsonata from 'jsonata';
import { hasOwn, isObject, jsonTypeName, toJsonText, type Json, type JsonObject } from '../shared/json.js';
import { AslFailure } from './failure.js';
import { referencedNames, simplePath, topLevelNames } from './jsonata-ast.js';
import { AWS_FUNCTIONS, MAX_SEQUENCE, SCOPE_BINDING } from './jsonata-functions.js';
import type { Rng, Vars } from './scope.js';

export interface JsonataScope {
  /** $states.input */
  input: Json;
  /** $states.context (the context object) */
  context: Json;
  /** $states.result (only where AWS binds it: Output/Assign of Task/Map/Parallel after the result) */
  result?: Json;
  /** $states.errorOutput (only in a Catcher's Output/Assign) */
  errorOutput?: Json;
  /** workflow variables, bound as $name */
  vars: Vars;
  /** deterministic randomness for $random() and $uuid() */
  rng: Rng;
  /** epoch ms of the step: $now() and $millis() */
  now: number;
}

export interface CompiledJsonata {
  readonly constant: boolean;
  evaluate(scope: JsonataScope): Promise<Json>;
}

/** The JSON types a field can require of an expression's result, as AWS names them in causes. */
export type JsonataResultType = 'array' | 'object' | 'string' | 'number' | 'integer' | 'boolean';

export interface CompiledJsonataExpression extends CompiledJsonata {
  /** The expression as AWS prints it in causes: the text between the delimiters, trimmed. */
  readonly source: string;
  /** The field as AWS prints it in causes. */
  readonly field: string;
  /** Evaluates and checks the result's type (AWS's "returned an unexpected result type" failure). */
  evaluateAs(scope: JsonataScope, type: JsonataResultType): Promise<Json>;
}

/** AWS's limits on one evaluation. */
export const JSONATA_LIMITS = { depth: 100, sequence: MAX_SEQUENCE, timeoutMs: 5000 } as const;

/** True when the string is a JSONata expression: it starts with `{%` and ends with `%}`, nothing around. */
export function isJsonataTemplate(s: string): boolean {
  return s.length >= 4 && s.startsWith('{%') && s.endsWith('%}');
}

/** The expression inside `{% ... %}`, trimmed, as AWS prints it in causes. */
export function jsonataSource(template: string): string {
  return isJsonataTemplate(template) ? template.slice(2, -2).trim() : template.trim();
}

/** True when a value holds a `{% %}` string at any depth. */
export function hasJsonataTemplates(value: Json): boolean {
  if (typeof value === 'string') return isJsonataTemplate(value);
  if (Array.isArray(value)) return value.some(hasJsonataTemplates);
  if (isObject(value)) {
    for (const k in value) if (hasOwn(value, k) && hasJsonataTemplates(value[k]!)) return true;
  }
  return false;
}

/** A `{% %}` expression that does not parse (found at compile time; AWS refuses the definition). */
export class JsonataSyntaxError extends Error {
  /** JSONata's error code (S0202, ...). */
  readonly code: string;
  readonly position: number | undefined;
  readonly source: string;
  readonly field: string;
  /** JSONata's message without the code, which is how AWS words the definition error. */
  readonly detail: string;
  constructor(source: string, field: string, code: string, detail: string, position: number | undefined) {
    super(`The JSONata expression '${source}' specified for the field '${field}' is invalid: ${code}: ${detail}`);
    this.code = code;
    this.position = position;
    this.source = source;
    this.field = field;
    this.detail = detail;
  }
}

/** A States.QueryEvaluationError; `location` is the field (AWS's EvaluationFailed event has it). */
export class JsonataFailure extends AslFailure {
  readonly location: string | undefined;
  constructor(cause: string, location?: string) {
    super('States.QueryEvaluationError', cause);
    this.location = location;
  }
}

// ------------------------------------------------------------------------------------------------
// AWS's failure texts
// ------------------------------------------------------------------------------------------------

const STACK_OVERFLOW =
  'Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.';
const TIMEOUT = 'Expression evaluation timeout: Check for infinite loop';
const MEMORY = 'Expression evaluation memory limit exceeded: Check for excessive memory usage';

const head = (source: string, field: string) => `The JSONata expression '${source}' specified for the field '${field}'`;

/** "... returned nothing (undefined)." */
export function undefinedResultFailure(source: string, field: string): JsonataFailure {
  return new JsonataFailure(`${head(source, field)} returned nothing (undefined).`, field);
}

/** "... returned an unexpected result type. Expected 'array', but was 'object' for value: {...}" */
export function resultTypeFailure(source: string, field: string, expected: JsonataResultType, value: Json): JsonataFailure {
  return new JsonataFailure(
    `${head(source, field)} returned an unexpected result type. Expected '${expected}', but was '${jsonTypeName(value)}' for value: ${toJsonText(value)}`,
    field,
  );
}

/** "... returned an unsupported result type." (a value JSON cannot hold: a function, a regex) */
export function unsupportedResultFailure(source: string, field: string): JsonataFailure {
  return new JsonataFailure(`${head(source, field)} returned an unsupported result type.`, field);
}

/** "... threw an error during evaluation. T1006: Attempted to invoke a non-function" (coded JSONata
 * errors), or "...: <message>" for the limits and errors without a code. */
export function evaluationFailure(source: string, field: string, thrown: unknown): JsonataFailure {
  if (thrown instanceof AslFailure) return thrown instanceof JsonataFailure ? thrown : new JsonataFailure(thrown.message, field);
  const err = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as { code?: unknown; message?: unknown };
  let tail: string;
  switch (err.code) {
    case 'D1011':
      tail = `: ${STACK_OVERFLOW}`;
      break;
    case 'D1012':
      tail = `: ${TIMEOUT}`;
      break;
    case 'D2014':
    case 'D2015':
      tail = `: ${MEMORY}`;
      break;
    default:
      if (thrown instanceof RangeError && /call stack/i.test(thrown.message)) tail = `: ${STACK_OVERFLOW}`;
      else if (typeof err.code === 'string') tail = `. ${err.code}: ${String(err.message)}`;
      else tail = `: ${typeof err.message === 'string' ? err.message : String(thrown)}`;
  }
  return new JsonataFailure(`${head(source, field)} threw an error during evaluation${tail}`, field);
}

/** Checks a result against the type a field requires. 'integer' accepts numbers without a fraction. */
export function matchesResultType(value: Json, type: JsonataResultType): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return typeof value === type;
  }
}

/** A JSONata Map state without Items whose input is not an array. */
export function mapInputNotArrayFailure(input: Json): JsonataFailure {
  return new JsonataFailure(`Map state input must be an array but was: ${toJsonText(input)}`);
}

/** A JSONata Wait state whose Timestamp is not an ISO-8601 extended offset date-time. */
export function timestampFailure(text: string): JsonataFailure {
  return new JsonataFailure(
    `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${text}`,
    'Timestamp',
  );
}

// ------------------------------------------------------------------------------------------------
// Results: plain JSON
// ------------------------------------------------------------------------------------------------

/** Objects and arrays known to be plain JSON (values are immutable, so this never goes stale). */
const clean = new WeakSet<object>();

function nonFinite(n: number): string {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

const isSequenceLike = (a: unknown[]): boolean =>
  hasOwn(a, 'sequence') || hasOwn(a, 'keepSingleton') || hasOwn(a, 'cons') || hasOwn(a, 'outerWrapper') || hasOwn(a, 'tupleStream');

/** A JSONata function value (a lambda, a built-in such as `$sum`, a regex), which JSON cannot hold. */
function isJsonataFunction(v: unknown): boolean {
  if (typeof v === 'function') return true;
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o._jsonata_function === true || o._jsonata_lambda === true;
}

/** Converts a JSONata result to plain JSON, sharing every part that already is. */
export function toPlainJson(v: unknown): Json | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : nonFinite(v);
    case 'function':
      return '';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return null;
  if (clean.has(v)) return v as Json;
  let out: Json;
  if (Array.isArray(v)) {
    let copy: Json[] | undefined = isSequenceLike(v) ? [] : undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = toPlainJson(x);
      if (copy === undefined && y !== x) copy = v.slice(0, i) as Json[];
      if (copy !== undefined && y !== undefined) copy.push(y);
    }
    out = copy ?? (v as Json[]);
  } else {
    const o = v as Record<string, unknown>;
    if (isJsonataFunction(o)) return '';
    const keys = Object.keys(o);
    // JSONata builds objects without a prototype; the engine's values are plain objects.
    let copy: JsonObject | undefined = Object.getPrototypeOf(o) === Object.prototype ? undefined : {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = o[k];
      const y = toPlainJson(x);
      if (copy === undefined && y !== x) {
        copy = {};
        for (let j = 0; j < i; j++) setKey(copy, keys[j]!, o[keys[j]!] as Json);
      }
      if (copy !== undefined && y !== undefined) setKey(copy, k, y);
    }
    out = copy ?? (o as JsonObject);
  }
  clean.add(out as object);
  return out;
}

function setKey(o: JsonObject, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// ------------------------------------------------------------------------------------------------
// One expression
// ------------------------------------------------------------------------------------------------

interface StatesCacheEntry {
  input: Json;
  context: Json;
  result: Json | undefined;
  errorOutput: Json | undefined;
  states: JsonObject;
}
const statesCache = new WeakMap<JsonataScope, StatesCacheEntry>();

/** The `$states` object of a scope (built once per scope object). */
export function statesObject(scope: JsonataScope): JsonObject {
  const c = statesCache.get(scope);
  if (c && c.input === scope.input && c.context === scope.context && c.result === scope.result && c.errorOutput === scope.errorOutput) {
    return c.states;
  }
  const states: JsonObject = { input: scope.input, context: scope.context };
  if (scope.result !== undefined) states.result = scope.result;
  if (scope.errorOutput !== undefined) states.errorOutput = scope.errorOutput;
  clean.add(states);
  statesCache.set(scope, { input: scope.input, context: scope.context, result: scope.result, errorOutput: scope.errorOutput, states });
  return states;
}

const FALLBACK = Symbol('fallback');

class Expression {
  readonly source: string;
  readonly field: string;
  private readonly expr: jsonata.Expression;
  private readonly usesStates: boolean;
  private readonly varNames: string[];
  private readonly fast: { root: string; keys: string[] } | undefined;

  constructor(source: string, field: string) {
    this.source = source;
    this.field = field;
    try {
      this.expr = jsonata(source, { stack: JSONATA_LIMITS.depth, sequence: JSONATA_LIMITS.sequence, timeout: JSONATA_LIMITS.timeoutMs });
    } catch (e) {
      const err = e as { code?: string; message?: string; position?: number };
      throw new JsonataSyntaxError(source, field, err.code ?? 'S0201', err.message ?? String(e), err.position);
    }
    const ast = this.expr.ast();
    const names = referencedNames(ast);
    this.usesStates = names.has('states');
    this.varNames = [];
    for (const n of names) {
      if (n === 'states' || n === '' || n === '$') continue;
      this.varNames.push(n);
      const fn = AWS_FUNCTIONS[n];
      if (fn) this.expr.registerFunction(n, fn.impl, fn.signature);
    }
    this.fast = simplePath(ast);
  }

  /** Evaluates to plain JSON, or undefined when the expression returns nothing. */
  async run(scope: JsonataScope): Promise<Json | undefined> {
    if (this.fast) {
      const v = this.read(scope, this.fast.root, this.fast.keys);
      if (v !== FALLBACK) return v;
    }
    const bindings: Record<string, unknown> = { [SCOPE_BINDING]: scope };
    const vars = scope.vars;
    for (const n of this.varNames) if (hasOwn(vars, n)) bindings[n] = vars[n];
    if (this.usesStates) bindings.states = statesObject(scope);
    let result: unknown;
    try {
      result = await this.expr.evaluate(undefined, bindings);
    } catch (e) {
      throw evaluationFailure(this.source, this.field, e);
    }
    if (isJsonataFunction(result)) throw unsupportedResultFailure(this.source, this.field);
    return toPlainJson(result);
  }

  /** `$var.a.b` through objects only; anything else goes through JSONata. */
  private read(scope: JsonataScope, root: string, keys: string[]): Json | undefined | typeof FALLBACK {
    let cur: Json | undefined;
    if (root === 'states') cur = statesObject(scope);
    else if (hasOwn(scope.vars, root)) cur = scope.vars[root];
    else return FALLBACK;
    for (const k of keys) {
      if (!isObject(cur)) return FALLBACK;
      if (!hasOwn(cur, k)) return undefined;
      cur = cur[k];
    }
    return cur;
  }

  async value(scope: JsonataScope): Promise<Json> {
    const v = await this.run(scope);
    if (v === undefined) throw undefinedResultFailure(this.source, this.field);
    return v;
  }
}

// ------------------------------------------------------------------------------------------------
// Field values
// ------------------------------------------------------------------------------------------------

type Evaluator = (scope: JsonataScope) => Promise<Json>;

function compileNode(value: Json, field: string): Evaluator | null {
  if (typeof value === 'string') {
    if (!isJsonataTemplate(value)) return null;
    const e = new Expression(jsonataSource(value), field);
    return (scope) => e.value(scope);
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileNode(v, `${field}[${i}]`));
    if (items.every((x) => x === null)) return null;
    const n = value.length;
    return async (scope) => {
      const out: Json[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const ev = items[i];
        out[i] = ev ? await ev(scope) : value[i]!;
      }
      clean.add(out);
      return out;
    };
  }
  if (!isObject(value)) return null;
  const keys = Object.keys(value);
  const evs = keys.map((k) => compileNode(value[k]!, `${field}/${k}`));
  if (evs.every((x) => x === null)) return null;
  return async (scope) => {
    const out: JsonObject = {};
    for (let i = 0; i < keys.length; i++) {
      const ev = evs[i];
      setKey(out, keys[i]!, ev ? await ev(scope) : value[keys[i]!]!);
    }
    clean.add(out);
    return out;
  };
}

/**
 * Compiles a field value that may contain "{% %}" strings at any depth (objects, arrays), compiling
 * each expression once. `field` is the field's name as AWS prints it in causes (e.g. 'Output',
 * 'Arguments', 'Items', 'Assign'); object members append '/key' ('Output/result',
 * 'Arguments/FunctionName') and array elements '[i]' ('Items[1]'). Fields below a state are named
 * from the state: 'Choices[1]/Condition', 'Choices[0]/Output', 'Catch[1]/Assign',
 * 'ItemReader/Arguments'. Throws JsonataSyntaxError when an expression does not parse. A value
 * without expressions is `constant` and evaluates to itself (the same object, every time).
 */
export function compileJsonataValue(value: Json, field: string): CompiledJsonata {
  const ev = compileNode(value, field);
  if (ev === null) {
    const done = Promise.resolve(value);
    return { constant: true, evaluate: () => done };
  }
  return { constant: false, evaluate: ev };
}

/**
 * For fields that must be a single expression (Condition, Seconds, Timestamp, Items,
 * MaxConcurrency, ...). `text` is the field's string, `{% ... %}` (raw JSONata text is accepted too).
 */
export function compileJsonataExpression(text: string, field: string): CompiledJsonataExpression {
  const e = new Expression(jsonataSource(text), field);
  return {
    constant: false,
    source: e.source,
    field,
    evaluate: (scope) => e.value(scope),
    async evaluateAs(scope, type) {
      const v = await e.value(scope);
      if (!matchesResultType(v, type)) throw resultTypeFailure(e.source, field, type, v);
      return v;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Assign
// ------------------------------------------------------------------------------------------------

export interface CompiledAssign {
  readonly constant: boolean;
  /** The variables assigned, each right-hand side evaluated against the scope as it was before. */
  evaluate(scope: JsonataScope): Promise<JsonObject>;
}

/** Compiles a JSONata `Assign` object; causes name 'Assign/<variable>'. */
export function compileJsonataAssign(assign: JsonObject): CompiledAssign {
  const c = compileJsonataValue(assign, 'Assign');
  return c as CompiledAssign;
}

/** The variables after an assignment (a new object; `vars` is not touched). */
export function assignVariables(vars: Vars, assigned: JsonObject): Vars {
  const out: Record<string, Json> = { ...vars };
  for (const k of Object.keys(assigned)) setKey(out, k, assigned[k]!);
  return out;
}

// ------------------------------------------------------------------------------------------------
// Definition checks
// ------------------------------------------------------------------------------------------------

export interface JsonataDiagnostic {
  code: 'INVALID_JSONATA_EXPRESSION' | 'UNSUPPORTED_JSONATA_EXPRESSION';
  message: string;
}

/**
 * What AWS says about an expression when a definition is created: JSONata's parse error (without its
 * code), or a field name read at the top level ("Reference to 'phone' at the top level is not
 * supported."). `text` is the `{% ... %}` string or the bare expression.
 */
export function checkJsonataExpression(text: string): JsonataDiagnostic | undefined {
  let ast: jsonata.ExprNode;
  try {
    ast = jsonata(jsonataSource(text)).ast();
  } catch (e) {
    return { code: 'INVALID_JSONATA_EXPRESSION', message: String((e as { message?: unknown }).message ?? e) };
  }
  const names = topLevelNames(ast);
  if (names.length > 0) {
    return { code: 'UNSUPPORTED_JSONATA_EXPRESSION', message: `Reference to '${names[0]}' at the top level is not supported.` };
  }
  return undefined;
}

/** The `$states` fields and the variables an expression reads (for definition checks). */
export function jsonataReferences(text: string): { variables: string[]; states: boolean } {
  const names = referencedNames(jsonata(jsonataSource(text)).ast());
  const variables = [...names].filter((n) => n !== 'states' && n !== '' && n !== '$');
  return { variables, states: names.has('states') };
}

// ------------------------------------------------------------------------------------------------
// Timestamps
// ------------------------------------------------------------------------------------------------

const ISO_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

/**
 * Parses an ISO-8601 extended offset date-time as AWS does for a JSONata Wait's Timestamp (Java's
 * ISO_OFFSET_DATE_TIME, strict): epoch milliseconds, or undefined when the text is not one.
 * Fractions beyond milliseconds are dropped.
 */
export function parseOffsetDateTime(text: string): number | undefined {
  const m = ISO_OFFSET.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!];
  const s = m[6] === undefined ? 0 : +m[6];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  if (d > days) return undefined;
  let offset = 0;
  if (m[8] !== 'Z') {
    const oh = +m[10]!;
    const om = +m[11]!;
    const os = m[12] === undefined ? 0 : +m[12];
    if (oh > 18 || om > 59 || os > 59 || (oh === 18 && (om > 0 || os > 0))) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * ((oh * 60 + om) * 60 + os) * 1000;
  }
  const ms = m[7] === undefined ? 0 : Math.floor(+m[7].padEnd(9, '0') / 1e6);
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime() - offset;
}

/** Evaluates a JSONata Wait `Timestamp` to epoch ms, with AWS's failures. */
export async function evaluateJsonataTimestamp(compiled: CompiledJsonataExpression, scope: JsonataScope): Promise<number> {
  const v = await compiled.evaluateAs(scope, 'string');
  const t = parseOffsetDateTime(v as string);
  if (t === undefined) throw timestampFailure(v as string);
  return t;
}

