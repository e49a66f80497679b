/**
 * How diagnostics are reported by the API: the InvalidDefinition message of CreateStateMachine /
 * UpdateStateMachine and the ValidateStateMachineDefinition response.
 * @module
 */
import type { Diagnostic } from './context.js';
import { pyReprList } from './pyrepr.js';

/** One diagnostic as AWS writes it inside the InvalidDefinition message: `CODE: message at /location`. */
export function formatDiagnostic(d: Diagnostic): string {
  // Jackson's messages already end with their location.
  if (d.location === undefined || d.message.endsWith(` at ${d.location}`)) return `${d.code}: ${d.message}`;
  return `${d.code}: ${d.message} at ${d.location}`;
}

/**
 * The message of the InvalidDefinition error for these diagnostics. Errors are joined with ", " inside
 * the quotes. A Map Label error is reported the way AWS's Python back end raises it:
 * `Error=ValueError Args=['...'] in definition '<definition as sent>'.`
 */
export function invalidDefinitionMessage(text: string, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'ERROR');
  const label = errors.find((d) => d.code === 'INVALID_LABEL_NAME');
  if (label) return `Error=ValueError Args=${pyReprList([label.message])} in definition '${text}'.`;
  return `Invalid State Machine Definition: '${errors.map(formatDiagnostic).join(', ')}'`;
}

export interface ValidationResponse {
  result: 'OK' | 'FAIL';
  diagnostics: Diagnostic[];
  truncated: boolean;
}

/** The ValidateStateMachineDefinition response (`maxResults` limits the diagnostics, default 100). */
export function validationResponse(diagnostics: readonly Diagnostic[], maxResults?: number): ValidationResponse {
  const limit = maxResults && maxResults > 0 ? maxResults : 100;
  const list = diagnostics.slice(0, limit).map((d) => ({ ...d }));
  return {
    result: diagnostics.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK',
    diagnostics: list,
    truncated: diagnostics.length > limit,
  };
}
