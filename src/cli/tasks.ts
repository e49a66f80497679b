/**
 * `stepwise approve | reject | heartbeat TOKEN`: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat
 * for a task token (an activity's or a `.waitForTaskToken` callback's), against a Stepwise server or AWS.
 * @module
 */
import { DEFAULT_ENDPOINT, SfnClient, SfnError, type AwsCredentials } from '../client/sfn-client.js';
import { str, UsageError, type Args, type OptionSpec } from './args.js';

export type TaskCommand = 'approve' | 'reject' | 'heartbeat';

/** The options of each task command (all take a value). */
export const TASK_OPTIONS: Record<TaskCommand, OptionSpec> = {
  approve: { values: ['output', 'endpoint'], flags: [] },
  reject: { values: ['error', 'cause', 'endpoint'], flags: [] },
  heartbeat: { values: ['endpoint'], flags: [] },
};

export interface TaskCommandIo {
  env: NodeJS.ProcessEnv;
  readStdin: () => Promise<string>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the command; returns the exit code (0 done, 1 the API or the network said no, 2 bad input). */
export async function runTaskCommand(cmd: TaskCommand, args: Args, io: TaskCommandIo): Promise<number> {
  const [tokenArg, ...extra] = args.positionals;
  if (!tokenArg) throw new UsageError(`${cmd}: missing the task token (or - to read it from stdin)`);
  if (extra.length) throw new UsageError(`${cmd}: unexpected argument '${extra[0]}'`);

  let params: Record<string, string>;
  if (cmd === 'approve') {
    const output = str(args, 'output') ?? '{}';
    try {
      JSON.parse(output);
    } catch (e) {
      io.err(`stepwise: --output is not valid JSON: ${(e as Error).message}`);
      return 2;
    }
    params = { output };
  } else if (cmd === 'reject') {
    params = {};
    const error = str(args, 'error');
    const cause = str(args, 'cause');
    if (error !== undefined) params.error = error;
    if (cause !== undefined) params.cause = cause;
  } else {
    params = {};
  }

  const taskToken = tokenArg === '-' ? (await io.readStdin()).trim() : tokenArg;
  if (!taskToken) throw new UsageError(`${cmd}: no task token on stdin`);

  // Always an explicit endpoint: credentials in the environment sign requests, they never redirect them to AWS.
  const endpoint = str(args, 'endpoint') ?? io.env.STEPWISE_ENDPOINT ?? DEFAULT_ENDPOINT;
  if (!URL.canParse(endpoint)) throw new UsageError(`${cmd}: the endpoint is not a URL: '${endpoint}'`);
  const client = new SfnClient({ endpoint, region: io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined, credentials: envCredentials(io.env) });
  const operation = { approve: 'SendTaskSuccess', reject: 'SendTaskFailure', heartbeat: 'SendTaskHeartbeat' }[cmd];
  try {
    await client.call(operation, { taskToken, ...params });
  } catch (e) {
    if (e instanceof SfnError) io.err(`${e.name}: ${e.message}`);
    else io.err(`stepwise: cannot reach ${endpoint}: ${describeNetworkError(e)}`);
    return 1;
  }
  io.out(cmd === 'approve' ? 'Task approved.' : cmd === 'reject' ? `Task rejected${params.error ? ` with ${params.error}` : ''}.` : 'Heartbeat sent.');
  return 0;
}

export function envCredentials(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

function describeNetworkError(e: unknown): string {
  const err = e as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const cause = err?.cause;
  if (cause && (typeof cause.code === 'string' || typeof cause.message === 'string')) return String(cause.code ?? cause.message);
  return typeof err?.message === 'string' ? err.message : String(e);
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
