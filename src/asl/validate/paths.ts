/**
 * JSONPath-side checks: path fields (InputPath, ResultPath, ...), payload templates with `.$` keys
 * (Parameters, ResultSelector, ItemSelector, ...) and Assign in JSONPath states.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { compilePath, type CompiledPath } from '../../expr/jsonpath.js';
import { isIntrinsicCall } from '../../expr/intrinsics.js';
import { at, atIndex, type Ctx } from './context.js';
import { isValidIntrinsic } from './intrinsic-syntax.js';

/**
 * Compiles a path for validation. Jayway (AWS's JSONPath) also reads `$.[...]` as `$[...]`; the
 * engine's parser does not, so such paths are retried without the dot rather than refused.
 */
export function tryPath(text: string): CompiledPath | undefined {
  try {
    return compilePath(text);
  } catch {
    const alt = text.replace(/\.(?=\[)/g, '');
    if (alt === text) return undefined;
    try {
      return compilePath(alt);
    } catch {
      return undefined;
    }
  }
}

/** A reference path: `$` followed by names and indexes only, rooted at the input (or context/variables when allowed). */
export function isReferencePath(text: string, opts: { context?: boolean; variables?: boolean } = {}): boolean {
  const p = tryPath(text);
  if (!p || !p.definite) return false;
  if (p.root === 'context') return !!opts.context;
  if (p.root === 'var') return !!opts.variables;
  return true;
}

/** A path field such as InputPath / OutputPath (null allowed where AWS allows it). */
export function checkPathField(
  ctx: Ctx,
  state: JsonObject,
  field: string,
  location: string,
  opts: { nullable?: boolean; reference?: boolean; context?: boolean; variables?: boolean; intrinsic?: boolean } = {},
): void {
  if (!Object.hasOwn(state, field)) return;
  const v = state[field];
  const loc = at(location, field);
  if (v === null && opts.nullable) return;
  if (typeof v !== 'string') {
    ctx.error(`Expected value of type [STRING]`, loc);
    return;
  }
  if (opts.intrinsic && isIntrinsicCall(v)) {
    if (!isValidIntrinsic(v)) ctx.error(`The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`, loc);
    return;
  }
  const ok = opts.reference
    ? isReferencePath(v, { context: opts.context ?? true, variables: opts.variables ?? true })
    : tryPath(v) !== undefined;
  if (!ok) {
    ctx.error(
      opts.reference
        ? `The value for the field '${field}' must be a valid Reference Path`
        : `The value for the field '${field}' must be a valid JSONPath`,
      loc,
    );
  } else warnBareWords(ctx, v, field, loc);
}

/**
 * A warning for each unquoted word a path's filters compare with (`[?(@.lang==es)]`): AWS accepts
 * them (its samples use them) and they are read as strings, but a quoted string says so plainly.
 */
export function warnBareWords(ctx: Ctx, text: Json, field: string, location: string): void {
  if (typeof text !== 'string' || isIntrinsicCall(text)) return;
  for (const w of tryPath(text)?.bareWords ?? []) {
    ctx.warn(`The filter in the field '${field}' compares with the unquoted word '${w}', which is read as the string '${w}'; write it quoted`, location, 'UNQUOTED_FILTER_VALUE');
  }
}

/** The value of a `.$` key: a JSONPath (`$`, `$$`, `$var`) or an intrinsic function call. */
export function isValidDynamicValue(v: Json): boolean {
  if (typeof v !== 'string') return false;
  if (isIntrinsicCall(v)) return isValidIntrinsic(v);
  return tryPath(v) !== undefined;
}

/** Checks every `.$` key of a payload template; errors are located at the object holding the key. */
export function checkTemplate(ctx: Ctx, value: Json, location: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkTemplate(ctx, v, atIndex(location, i)));
    return;
  }
  if (!isObject(value)) return;
  for (const k of Object.keys(value)) {
    const v = value[k]!;
    if (k.endsWith('.$') && k.length > 2) {
      if (!isValidDynamicValue(v)) {
        ctx.error(`The value for the field '${k}' must be a valid JSONPath or a valid intrinsic function call`, location);
      } else warnBareWords(ctx, v, k, location);
    } else checkTemplate(ctx, v, at(location, k));
  }
}

/** A payload template field that must be an object (Parameters, ResultSelector, ItemSelector). */
export function checkTemplateField(ctx: Ctx, state: JsonObject, field: string, location: string, objectOnly = true): void {
  if (!Object.hasOwn(state, field)) return;
  const v = state[field]!;
  const loc = at(location, field);
  if (objectOnly && !isObject(v)) {
    ctx.error(`Expected value of type [OBJECT]`, loc);
    return;
  }
  checkTemplate(ctx, v, loc);
}

const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** Checks a variable name of an Assign block. */
export function checkVariableName(ctx: Ctx, name: string, location: string): void {
  if (name === 'states') {
    ctx.error(`The variable name 'states' is reserved`, location);
  } else if (!VARIABLE_NAME.test(name)) {
    ctx.error(`The variable name '${name}' is invalid`, location);
  }
}

/** Assign in a JSONPath state: an object of variables; `name.$` keys take a path or intrinsic. */
export function checkJsonPathAssign(ctx: Ctx, holder: JsonObject, location: string): void {
  if (!Object.hasOwn(holder, 'Assign')) return;
  const v = holder['Assign']!;
  const loc = at(location, 'Assign');
  if (!isObject(v)) {
    ctx.error(`Expected value of type [OBJECT]`, loc);
    return;
  }
  for (const k of Object.keys(v)) {
    const dynamic = k.endsWith('.$') && k.length > 2;
    checkVariableName(ctx, dynamic ? k.slice(0, -2) : k, loc);
    if (dynamic) {
      if (!isValidDynamicValue(v[k]!)) {
        ctx.error(`The value for the field '${k}' must be a valid JSONPath or a valid intrinsic function call`, loc);
      } else warnBareWords(ctx, v[k]!, k, loc);
    } else checkTemplate(ctx, v[k]!, at(loc, k));
  }
}
