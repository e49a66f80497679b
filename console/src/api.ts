/**
 * The console talks to the server only through its public API: the AWS Step Functions operations
 * (awsJson1_0 on POST /) and the console's read endpoints under /console/api.
 */

export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = type;
  }
}

/** Called when the server asks for a sign-in (it requires signed requests and this page has no session). */
let loginNeeded: (() => void) | undefined;
export function onLoginNeeded(fn: () => void): void {
  loginNeeded = fn;
}

function failure(body: Record<string, unknown>, res: Response): ApiError {
  const type = String(body.__type ?? `Http${res.status}`).replace(/^.*#/, '');
  if (res.status === 403 && type === 'MissingAuthenticationTokenException') loginNeeded?.();
  return new ApiError(type, String(body.message ?? res.statusText), res.status);
}

/** Signs in with an access key of the server's (`POST /console/login`): a session cookie; false when refused. */
export async function signIn(accessKeyId: string, secretAccessKey: string): Promise<boolean> {
  const res = await fetch('/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accessKeyId, secretAccessKey }) });
  return res.ok;
}

/** One AWS operation (`StartExecution`, …) with its parameters; the parsed answer, or an ApiError. */
export async function call<T = Record<string, unknown>>(operation: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${operation}` },
    body: JSON.stringify(params),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new ApiError('InternalFailure', text.slice(0, 200), res.status);
  }
  if (!res.ok) throw failure(body, res);
  return body as T;
}

/** A console read endpoint (`/console/api/...`). */
export async function get<T>(path: string): Promise<T> {
  const res = await fetch(`/console/api/${path}`);
  const text = await res.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) throw failure(body, res);
  return body as T;
}

/** Every page of a paged operation (nextToken), concatenated under `key`. */
export async function callAll<T>(operation: string, params: Record<string, unknown>, key: string, max = 10000): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call<Record<string, unknown>>(operation, { ...params, ...(nextToken ? { nextToken } : {}) });
    out.push(...((page[key] as T[]) ?? []));
    nextToken = page.nextToken as string | undefined;
  } while (nextToken && out.length < max);
  return out;
}

// ---- shapes -------------------------------------------------------------------------------------

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface StateMachineSummary {
  stateMachineArn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  creationDate: number;
  loggingConfiguration?: { level?: string; includeExecutionData?: boolean };
  counts: Partial<Record<ExecutionStatus, number>>;
}

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName?: string;
  name: string;
  type?: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  redriveCount?: number;
  /** A running Standard execution: how many task tokens it waits on. */
  waitingTasks?: number;
}

export interface Execution extends ExecutionSummary {
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveStatus?: string;
  redriveStatusReason?: string;
  redriveDate?: number;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
}

export interface StateMachine {
  stateMachineArn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: string;
  roleArn: string;
  creationDate: number;
  status?: string;
  description?: string;
  revisionId?: string;
  loggingConfiguration?: { level?: string; includeExecutionData?: boolean };
}

export interface OpenTask {
  seq?: number;
  stateName: string;
  kind: 'callback' | 'activity';
  token: string;
  input: string;
  heartbeatSeconds?: number;
  timeoutSeconds?: number;
  activityArn?: string;
  /** Epoch ms. */
  createdAt: number;
}

/** An open task token with its execution (the "Waiting for people" view). */
export interface WaitingTask extends OpenTask {
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
}

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location?: string;
}

/** The role the console uses when it creates a state machine (any role ARN is accepted locally). */
export const CONSOLE_ROLE = 'arn:aws:iam::123456789012:role/stepwise-console';

/** A Map Run's counts (DescribeMapRun `itemCounts` and `executionCounts`). */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable?: number;
  pendingRedrive?: number;
}

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** DescribeMapRun's answer (dates in epoch seconds, as on the wire). */
export interface MapRun {
  mapRunArn: string;
  executionArn: string;
  status: MapRunStatus;
  startDate: number;
  stopDate?: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
  redriveCount?: number;
  redriveDate?: number;
}

/** One row of ListMapRuns. */
export interface MapRunListItem {
  executionArn: string;
  mapRunArn: string;
  stateMachineArn: string;
  startDate: number;
  stopDate?: number;
}
