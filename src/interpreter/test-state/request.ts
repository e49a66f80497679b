/**
 * The TestState request: its fields read from the API parameters and checked as AWS checks them (field
 * types and ranges, JSON texts, mock shape, which states accept or need a mock). Pure: problems are
 * reported as `TestStateRequestError` with AWS's error code and message; the API layer turns them into
 * API errors.
 * @module
 */
import { isObject, tryParseJson, type Json, type JsonObject } from '../../shared/json.js';
import { shortened } from '../../shared/text.js';

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type FieldValidationMode = 'STRICT' | 'PRESENT' | 'NONE';

export class TestStateRequestError extends Error {
  constructor(
    readonly code: 'ValidationException' | 'InvalidDefinition' | 'InvalidExecutionInput',
    message: string,
  ) {
    super(message);
  }
}

export interface TestStateMock {
  /** The mocked result, parsed (`result` is JSON text in the request). */
  result?: Json;
  /** `result` exactly as sent. */
  resultText?: string;
  errorOutput?: { error?: string; cause?: string };
  fieldValidationMode: FieldValidationMode;
}

export interface TestStateConfig {
  retrierRetryCount?: number;
  errorCausedByState?: string;
  mapIterationFailureCount?: number;
  /** The parsed `mapItemReaderData` text. */
  mapItemReaderData?: Json;
}

export interface TestStateRequest {
  /** The definition text as sent. */
  definitionText: string;
  /** The parsed definition: a single state, or a state machine (then `stateName` picks the state). */
  definition: JsonObject;
  stateName: string | undefined;
  roleArn: string | undefined;
  input: Json;
  inspectionLevel: InspectionLevel;
  revealSecrets: boolean;
  variables: JsonObject | undefined;
  /** The context object the caller supplied; it replaces the one TestState would build. */
  context: JsonObject | undefined;
  mock: TestStateMock | undefined;
  config: TestStateConfig;
}

const validation = (message: string) => new TestStateRequestError('ValidationException', message);

/** `1 validation error detected: Value … at '…' failed to satisfy constraint: …` */
/** A value as an error message repeats it: its text (JSON for objects, or always), cut after 4096 characters. */
function shownText(value: unknown, json = false): string {
  return shortened(json || typeof value === 'object' ? String(JSON.stringify(value)) : String(value), 4096);
}

function constraint(value: unknown, field: string, text: string): TestStateRequestError {
  const shown = value === null || value === undefined ? 'null' : `'${shownText(value)}'`;
  return validation(`1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${text}`);
}

function optString(p: Record<string, unknown>, field: string, path = field): string | undefined {
  const v = p[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new TestStateRequestError('ValidationException', `Invalid type for parameter ${path}, value: ${shownText(v, true)}, type: ${typeof v}, valid types: string`);
  return v;
}

function optNonNegativeInt(p: Record<string, unknown>, field: string, path: string): number | undefined {
  const v = p[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validation(`Invalid type for parameter ${path}, value: ${shownText(v, true)}, valid types: integer`);
  if (v < 0) throw constraint(v, path, 'Member must have value greater than or equal to 0');
  return v;
}

function jsonText(text: string, what: string): Json {
  const r = tryParseJson(text);
  if (!r.ok) throw validation(`${what} must be valid JSON`);
  return r.value;
}

const INSPECTION_LEVELS: readonly string[] = ['INFO', 'DEBUG', 'TRACE'];
const VALIDATION_MODES: readonly string[] = ['STRICT', 'PRESENT', 'NONE'];

/** Reads and checks the request fields (not yet the definition's contents: see `program.ts`). */
export function parseTestStateRequest(p: Record<string, unknown>): TestStateRequest {
  const definitionText = optString(p, 'definition');
  if (definitionText === undefined) throw constraint(null, 'definition', 'Member must not be null');
  if (definitionText.length === 0) throw constraint(definitionText, 'definition', 'Member must have length greater than or equal to 1');

  const stateName = optString(p, 'stateName');
  if (stateName !== undefined && stateName.length === 0) throw constraint(stateName, 'stateName', 'Member must have length greater than or equal to 1');

  const roleArn = optString(p, 'roleArn');
  const level = p.inspectionLevel ?? 'INFO';
  if (typeof level !== 'string' || !INSPECTION_LEVELS.includes(level)) {
    throw constraint(level, 'inspectionLevel', 'Member must satisfy enum value set: [INFO, DEBUG, TRACE]');
  }
  if (p.revealSecrets !== undefined && p.revealSecrets !== null && typeof p.revealSecrets !== 'boolean') {
    throw validation(`Invalid type for parameter revealSecrets, value: ${JSON.stringify(p.revealSecrets)}, valid types: boolean`);
  }

  const inputText = optString(p, 'input');
  let input: Json = {};
  if (inputText !== undefined) {
    const r = tryParseJson(inputText);
    if (!r.ok) throw new TestStateRequestError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${r.message}'`);
    input = r.value;
  }

  const variablesText = optString(p, 'variables');
  let variables: JsonObject | undefined;
  if (variablesText !== undefined) {
    const v = jsonText(variablesText, 'Variables');
    if (!isObject(v)) throw validation('Variables must be a JSON object');
    variables = v;
  }

  const contextText = optString(p, 'context');
  let context: JsonObject | undefined;
  if (contextText !== undefined) {
    const v = jsonText(contextText, 'Context');
    if (!isObject(v)) throw validation('Context must be a JSON object');
    context = v;
  }

  return {
    definitionText,
    definition: parseDefinition(definitionText),
    stateName,
    roleArn,
    input,
    inspectionLevel: level as InspectionLevel,
    revealSecrets: p.revealSecrets === true,
    variables,
    context,
    mock: parseMock(p.mock, p.revealSecrets === true),
    config: parseConfig(p.stateConfiguration),
  };
}

function parseDefinition(text: string): JsonObject {
  const r = tryParseJson(text);
  if (!r.ok || !isObject(r.value)) {
    throw new TestStateRequestError('InvalidDefinition', `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object'`);
  }
  return r.value;
}

function parseMock(raw: unknown, revealSecrets: boolean): TestStateMock | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw validation('Invalid type for parameter mock, valid types: structure');
  if (revealSecrets) throw validation('TestState does not support RevealSecrets when a mock is specified.');
  const hasResult = raw.result !== undefined && raw.result !== null;
  const hasError = raw.errorOutput !== undefined && raw.errorOutput !== null;
  if (hasResult && hasError) throw validation('A test mock should have only one of the following fields: [result, errorOutput].');
  const mode = raw.fieldValidationMode ?? 'STRICT';
  if (typeof mode !== 'string' || !VALIDATION_MODES.includes(mode)) {
    throw constraint(mode, 'mock.fieldValidationMode', 'Member must satisfy enum value set: [STRICT, PRESENT, NONE]');
  }
  const mock: TestStateMock = { fieldValidationMode: mode as FieldValidationMode };
  if (hasResult) {
    const text = optString(raw, 'result', 'mock.result')!;
    const r = tryParseJson(text);
    if (!r.ok) throw validation('Mocked result must be valid JSON');
    mock.result = r.value;
    mock.resultText = text;
  } else if (hasError) {
    const eo = raw.errorOutput;
    if (!isObject(eo)) throw validation('Invalid type for parameter mock.errorOutput, valid types: structure');
    const error = optString(eo, 'error', 'mock.errorOutput.error');
    const cause = optString(eo, 'cause', 'mock.errorOutput.cause');
    mock.errorOutput = {};
    if (error !== undefined) mock.errorOutput.error = error;
    if (cause !== undefined) mock.errorOutput.cause = cause;
  } else {
    throw validation('A test mock should have one of the following fields: [result, errorOutput].');
  }
  return mock;
}

function parseConfig(raw: unknown): TestStateConfig {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw validation('Invalid type for parameter stateConfiguration, valid types: structure');
  const c: TestStateConfig = {};
  const retry = optNonNegativeInt(raw, 'retrierRetryCount', 'stateConfiguration.retrierRetryCount');
  if (retry !== undefined) c.retrierRetryCount = retry;
  const failures = optNonNegativeInt(raw, 'mapIterationFailureCount', 'stateConfiguration.mapIterationFailureCount');
  if (failures !== undefined) c.mapIterationFailureCount = failures;
  const by = optString(raw, 'errorCausedByState', 'stateConfiguration.errorCausedByState');
  if (by !== undefined) c.errorCausedByState = by;
  const data = optString(raw, 'mapItemReaderData', 'stateConfiguration.mapItemReaderData');
  if (data !== undefined) c.mapItemReaderData = jsonText(data, 'Map item reader data');
  return c;
}
