/**
 * How `stepwise run` answers a task that waits for its token (`.waitForTaskToken`, an activity): every
 * one approved (`--approve-all`), every one rejected (`--reject-all`), a person asked at the terminal, or
 * nobody (the run tells how to answer and gives up after `--task-timeout` seconds).
 * @module
 */
import { createInterface } from 'node:readline/promises';
import type { Json } from '../shared/json.js';
import { str, UsageError, type Args } from './args.js';

/** An answer to one waiting task. */
export type Answer = { k: 'approve'; output: Json } | { k: 'reject'; error?: string; cause?: string };

export type AnswerPolicy =
  | { k: 'approve-all'; output: Json }
  | { k: 'reject-all'; error?: string; cause?: string }
  /** A person at the terminal answers; `timeoutSeconds` only when asked for. */
  | { k: 'prompt'; timeoutSeconds?: number }
  | { k: 'none'; timeoutSeconds: number };

/** How long a run waits for an answer nobody can give (no --approve-all / --reject-all, no terminal). */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

/** The policy the command line asks for; `interactive` when stdin and stderr are a terminal. */
export function answerPolicy(args: Args, interactive: boolean): AnswerPolicy {
  const approve = args.flags['approve-all'] === true;
  const reject = args.flags['reject-all'] === true;
  if (approve && reject) throw new UsageError('run: --approve-all and --reject-all exclude each other');
  const approveOutput = str(args, 'approve-output');
  if (approveOutput !== undefined && !approve) throw new UsageError('run: --approve-output needs --approve-all');
  for (const k of ['error', 'cause']) if (str(args, k) !== undefined && !reject) throw new UsageError(`run: --${k} needs --reject-all`);
  const rawTimeout = str(args, 'task-timeout');
  let timeoutSeconds = DEFAULT_TASK_TIMEOUT_SECONDS;
  if (rawTimeout !== undefined) {
    timeoutSeconds = Number(rawTimeout);
    if (rawTimeout.trim() === '' || !Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw new UsageError(`run: --task-timeout must be a number of seconds (0 or more), got '${rawTimeout}'`);
  }
  if (approve) return { k: 'approve-all', output: parseJson('--approve-output', approveOutput ?? '{}') };
  if (reject) {
    const p: AnswerPolicy = { k: 'reject-all' };
    const error = str(args, 'error');
    const cause = str(args, 'cause');
    if (error !== undefined) p.error = error;
    if (cause !== undefined) p.cause = cause;
    return p;
  }
  if (interactive) return rawTimeout === undefined ? { k: 'prompt' } : { k: 'prompt', timeoutSeconds };
  return { k: 'none', timeoutSeconds };
}

function parseJson(what: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new UsageError(`run: ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Asks at a terminal: approve (with an output, `{}` by default) or reject (with an error and a cause,
 * both optional). Asks again after an answer it cannot use. Undefined when the input ends (or `signal` aborts) first.
 */
export async function promptAnswer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, stateName: string, signal?: AbortSignal): Promise<Answer | undefined> {
  const rl = createInterface({ input, output, terminal: false });
  // The execution ended first (a task timeout, for one): stop asking.
  const stop = () => rl.close();
  signal?.addEventListener('abort', stop, { once: true });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (q: string): Promise<string | undefined> => {
    output.write(q);
    const next = await lines.next();
    return next.done ? undefined : String(next.value).trim();
  };
  try {
    for (;;) {
      const choice = await ask(`Answer ${stateName}: [a]pprove or [r]eject? `);
      if (choice === undefined) return undefined;
      const c = choice.toLowerCase();
      if (c === 'a' || c === 'approve') {
        for (;;) {
          const text = await ask('Output (JSON, empty for {}): ');
          if (text === undefined) return undefined;
          try {
            return { k: 'approve', output: JSON.parse(text === '' ? '{}' : text) as Json };
          } catch (e) {
            output.write(`Not JSON: ${(e as Error).message}\n`);
          }
        }
      }
      if (c === 'r' || c === 'reject') {
        const error = await ask('Error (empty for none): ');
        if (error === undefined) return undefined;
        const cause = await ask('Cause (empty for none): ');
        if (cause === undefined) return undefined;
        const a: Answer = { k: 'reject' };
        if (error) a.error = error;
        if (cause) a.cause = cause;
        return a;
      }
      output.write("Type 'a' to approve or 'r' to reject.\n");
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    rl.close();
  }
}
