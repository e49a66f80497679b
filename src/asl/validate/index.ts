/**
 * The state-machine definition validator: checks definition JSON text as AWS Step Functions does at
 * CreateStateMachine / UpdateStateMachine / ValidateStateMachineDefinition time.
 *
 * Phases, as AWS reports them: JSON syntax (INVALID_JSON_DESCRIPTION, Jackson's wording), then the
 * schema (SCHEMA_VALIDATION_FAILED and the JSONata codes), then, when the schema is valid, the graph
 * (transitions, reachability, duplicate names, terminal state), then Map Labels.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { Ctx, SCHEMA, type Diagnostic, type ValidateOptions } from './context.js';
import { checkGraph } from './graph.js';
import { scanDocument } from './jackson.js';
import { checkWorkflow, readQueryLanguage } from './states.js';

export type { Diagnostic, ValidateOptions } from './context.js';

/** Validates definition JSON text as AWS does. Empty array = valid. */
export function validateDefinition(text: string, opts: ValidateOptions = {}): Diagnostic[] {
  if (text.trim() === '') return [{ severity: 'ERROR', code: SCHEMA, message: 'Definition must be a valid JSON object' }];
  const scan = scanDocument(text);
  if (!scan.ok) {
    return [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: scan.error.message, location: scan.error.location }];
  }
  let value: Json;
  try {
    value = JSON.parse(text.slice(0, scan.end)) as Json;
  } catch (e) {
    return [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: (e as Error).message }];
  }
  if (!isObject(value)) return [{ severity: 'ERROR', code: SCHEMA, message: 'Definition must be a valid JSON object' }];
  return validateParsed(value, opts);
}

/** Validates an already parsed definition: the errors, then the warnings (severity WARNING). */
export function validateParsed(definition: JsonObject, opts: ValidateOptions = {}): Diagnostic[] {
  const ctx = new Ctx(opts.type ?? 'STANDARD');
  ctx.machineLanguage = readQueryLanguage(ctx, definition, '/', 'JSONPath');
  checkWorkflow(ctx, definition, '/', 'root');
  return [...errorsOf(ctx, definition), ...ctx.warnings];
}

function errorsOf(ctx: Ctx, definition: JsonObject): Diagnostic[] {
  if (ctx.schema.length > 0) return ctx.schema;
  const graph = checkGraph(definition);
  if (graph.length > 0) return graph;
  return ctx.label.slice(0, 1);
}
