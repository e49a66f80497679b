/**
 * History events. In memory (and in the store) payload fields hold JSON values, not text, so a large
 * document shared by many events is never serialised per state; `toAwsEvent` renders the AWS shape.
 * @module
 */
import { toJsonText, type Json } from '../shared/json.js';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch ms. */
  timestamp: number;
  type: string;
  details?: EventDetails;
}

/** The `<type>EventDetails` object. `input`, `output` and `parameters` hold JSON values; `assignedVariables` values too. */
export type EventDetails = Record<string, unknown>;

const PAYLOAD_FIELDS = ['input', 'output', 'parameters'] as const;

/** `{"truncated": false}`: payloads are never truncated (they fail at the quota instead). Shared, frozen. */
export const NOT_TRUNCATED: Readonly<{ truncated: false }> = Object.freeze({ truncated: false });

export function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

export interface AwsHistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [detailsKey: string]: unknown;
}

/** The event as the AWS API returns it (timestamps in epoch seconds; payloads as JSON text). */
export function toAwsEvent(e: HistoryEvent, includeExecutionData = true): AwsHistoryEvent {
  const out: AwsHistoryEvent = { timestamp: e.timestamp / 1000, type: e.type, id: e.id, previousEventId: e.previousEventId };
  if (e.details) {
    const d: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.details)) {
      if (v === undefined) continue;
      if ((PAYLOAD_FIELDS as readonly string[]).includes(k)) {
        if (includeExecutionData) d[k] = toJsonText(v as Json);
      } else if (k === 'assignedVariables') {
        if (!includeExecutionData) continue;
        const av: Record<string, string> = {};
        for (const [name, val] of Object.entries(v as Record<string, Json>)) av[name] = toJsonText(val);
        d[k] = av;
      } else if (!includeExecutionData && (k === 'inputDetails' || k === 'outputDetails' || k === 'assignedVariablesDetails')) {
        continue;
      } else d[k] = v;
    }
    out[detailsKey(e.type)] = d;
  }
  return out;
}
