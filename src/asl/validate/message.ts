/**
 * How diagnostics are reported by the API: the InvalidDefinition message of CreateStateMachine /
 * UpdateStateMachine and the ValidateStateMachineDefinition response.
 * @module
 */
import type { Diagnostic } from './context.js';
import { shortened } from '../../shared/text.js';
import { pyReprList } from './pyrepr.js';

/** The most errors an InvalidDefinition message lists, and diagnostics a ValidateStateMachineDefinition returns (AWS's maximum). */
export const MAX_DIAGNOSTICS = 100;
/** A diagnostic's message and location are cut after this many characters (a deeply nested location would repeat its path). */
export const MAX_DIAGNOSTIC_TEXT = 1024;
/** The most of a definition an error message repeats. */
const MAX_ECHOED_DEFINITION = 4096;

/** A diagnostic as the API reports it: message and location of bounded length. */
export function boundedDiagnostic(d: Diagnostic): Diagnostic {
  const out: Diagnostic = { ...d, message: shortened(d.message, MAX_DIAGNOSTIC_TEXT) };
  if (d.location !== undefined) out.location = shortened(d.location, MAX_DIAGNOSTIC_TEXT);
  return out;
}

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
  if (label) return `Error=ValueError Args=${pyReprList([boundedDiagnostic(label).message])} in definition '${shortened(text, MAX_ECHOED_DEFINITION)}'.`;
  const shown = errors.slice(0, MAX_DIAGNOSTICS).map((d) => formatDiagnostic(boundedDiagnostic(d)));
  const more = errors.length - shown.length;
  return `Invalid State Machine Definition: '${shown.join(', ')}'${more > 0 ? ` (${more} more error${more === 1 ? '' : 's'} not shown)` : ''}`;
}

export interface ValidationResponse {
  result: 'OK' | 'FAIL';
  diagnostics: Diagnostic[];
  truncated: boolean;
}

/** The ValidateStateMachineDefinition response (`maxResults` limits the diagnostics, default 100). */
export function validationResponse(diagnostics: readonly Diagnostic[], maxResults?: number): ValidationResponse {
  const limit = maxResults && maxResults > 0 ? Math.min(maxResults, MAX_DIAGNOSTICS) : MAX_DIAGNOSTICS;
  const list = diagnostics.slice(0, limit).map(boundedDiagnostic);
  return {
    result: diagnostics.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK',
    diagnostics: list,
    truncated: diagnostics.length > limit,
  };
}
