/**
 * What a step asks the runtime to do. The interpreter never performs I/O itself.
 * @module
 */
import type { Json } from '../shared/json.js';
import type { TaskResource } from '../asl/resources.js';

export type Command =
  | {
      k: 'invokeTask';
      seq: number;
      stateName: string;
      resource: TaskResource;
      /** The effective parameters (Parameters/Arguments result). */
      input: Json;
      timeoutSeconds: number | undefined;
      heartbeatSeconds: number | undefined;
      /** Task token for callback tasks and activities. */
      token: string | undefined;
      /** Retry attempt (0 first). */
      attempt: number;
      credentials: Json | undefined;
      /** A Distributed Map's item reader or result writer (not a Task state: mocks do not answer it). */
      purpose?: 'itemReader' | 'resultWriter';
    }
  | {
      k: 'startTimer';
      seq: number;
      delayMs: number;
      why: 'wait' | 'retry' | 'executionTimeout';
      stateName?: string;
      /** The step's work budget ran out: continue in a later step, after other work (not synchronously). */
      continuation?: true;
    }
  | { k: 'cancel'; seq: number }
  | { k: 'complete'; status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' };
