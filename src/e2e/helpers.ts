/**
 * End-to-end test helpers: a real Stepwise server in-process on a free port, an `@aws-sdk/client-sfn`
 * client pointed at it, raw HTTP requests, and the AWS CLI v2 (`/usr/bin/aws`).
 * @module
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookup } from 'node:dns/promises';
import type { Server } from 'node:http';
import { SFNClient, DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { startServer, type RunningServer } from '../cli/serve.js';
import type { LocalConfig } from '../runtime/tasks/integrations/local-config.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/stepwise-e2e`;
export const AWS_CLI = '/usr/bin/aws';

export const smArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const activityArnOf = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:activity:${name}`;

let counter = 0;
/** A name unique within the test process (names only need to be unique per server). */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** `{"StartAt": "P", ...}` with one Pass state returning `result` (or its input). */
export function passDefinition(result?: unknown, comment?: string): string {
  const state: Record<string, unknown> = { Type: 'Pass', End: true };
  if (result !== undefined) state.Result = result;
  const def: Record<string, unknown> = { StartAt: 'P', States: { P: state } };
  if (comment !== undefined) def.Comment = comment;
  return JSON.stringify(def);
}

export interface TestServer {
  port: number;
  endpoint: string;
  client: SFNClient;
  /** The HTTP server itself (to watch its requests). */
  server: Server;
  /** The server, its engine and its store. */
  running: RunningServer;
  close(): Promise<void>;
}

export function sdkClient(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'AKIDSTEPWISE', secretAccessKey: 'stepwise-secret' },
    // StartSyncExecution's host prefix (`sync-`) would point at sync-127.0.0.1.
    disableHostPrefix: true,
    maxAttempts: 1,
  });
}

export interface TestServerOptions {
  /** The database: a fresh SQLite file in a temp folder unless given (':memory:' for the memory store). */
  db?: string;
  functionsDir?: string;
  /** The Stepwise config file's content, loaded (connections, ECS and Batch definitions). */
  localConfig?: LocalConfig;
  waitTimeScale?: number;
  /** Where the built web console is (default: dist/console). */
  consoleDir?: string;
  consoleStream?: { heartbeatMs?: number; pollMs?: number };
  /** How long a client may take to send a request (default: the server's). */
  httpTimeouts?: { headersMs?: number; requestMs?: number; checkIntervalMs?: number };
  /** A mock configuration file (Step Functions Local's MockConfigFile). */
  mockConfig?: string;
}

/** A real server on a free port, with its data in a fresh SQLite file (removed on close). */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = opts.db === undefined ? mkdtempSync(join(tmpdir(), 'stepwise-e2e-')) : undefined;
  const db = opts.db ?? join(dir!, 'stepwise.db');
  const running = await startServer(
    { port: 0, host: '127.0.0.1', region: REGION, accountId: ACCOUNT, db, functionsDir: opts.functionsDir, localConfig: opts.localConfig, waitTimeScale: opts.waitTimeScale, consoleDir: opts.consoleDir, consoleStream: opts.consoleStream, httpTimeouts: opts.httpTimeouts, mockConfig: opts.mockConfig },
    () => {},
  );
  const endpoint = `http://127.0.0.1:${running.port}`;
  const client = sdkClient(endpoint);
  return {
    port: running.port,
    endpoint,
    client,
    server: running.server,
    running,
    async close() {
      client.destroy();
      await running.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts that `p` rejects with an AWS error of this name (and message, exact text or pattern). */
export async function rejectsAws(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    assert.equal(err.$metadata?.httpStatusCode, 400);
    return err;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

/** Polls DescribeExecution until the execution is no longer RUNNING. */
export async function waitForEnd(client: SFNClient, executionArn: string, timeoutMs = 10000): Promise<DescribeExecutionCommandOutput> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    if (Date.now() > until) assert.fail(`execution still RUNNING after ${timeoutMs} ms: ${executionArn}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw awsJson1_0 request, for what SDKs never send (malformed bodies, unknown targets). */
export async function rawRequest(
  endpoint: string,
  opts: { target?: string; body?: string; method?: string; path?: string },
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | undefined; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' };
  if (opts.target !== undefined) headers['x-amz-target'] = opts.target;
  const method = opts.method ?? 'POST';
  const res = await fetch(endpoint + (opts.path ?? '/'), { method, headers, body: method === 'GET' ? undefined : (opts.body ?? '{}') });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

// ---------------------------------------------------------------------------------------------------
// AWS CLI v2

export const hasCli = (): boolean => existsSync(AWS_CLI);

/** The AWS CLI (v1 or v2) at /usr/bin/aws, else the first `aws` on PATH; undefined if there is none. */
export function findAwsCli(): string | undefined {
  return awsClis()[0];
}

/** Every AWS CLI here: /usr/bin/aws first, then those on PATH. */
function awsClis(): string[] {
  const found = hasCli() ? [AWS_CLI] : [];
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = dir ? join(dir, 'aws') : '';
    if (p && existsSync(p) && !found.includes(p)) found.push(p);
  }
  return found;
}

/**
 * An AWS CLI whose `stepfunctions <command>` knows `option` (a CLI predating an API option lacks it:
 * Debian 12's 2.9 has no `test-state --mock`); undefined when none does.
 */
export function findAwsCliWith(command: string, option: string): string | undefined {
  for (const c of awsClis()) {
    const r = spawnSync(c, ['stepfunctions', command, 'help'], { encoding: 'utf8', env: { ...process.env, AWS_PAGER: '', PAGER: 'cat', MANPAGER: 'cat' }, timeout: 30000 });
    if (r.status === 0 && r.stdout.includes(option)) return c;
  }
  return undefined;
}

export async function resolves(host: string): Promise<boolean> {
  try {
    await lookup(host);
    return true;
  } catch {
    return false;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when empty or not JSON). */
  json: Record<string, unknown> | undefined;
}

/** The CLI's environment: dummy credentials, the region, no pager, no config files, no IMDS. */
function cliEnv(extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...extraEnv,
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'AKIDSTEPWISE',
    AWS_SECRET_ACCESS_KEY: 'stepwise-secret',
    AWS_DEFAULT_REGION: REGION,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs `/usr/bin/aws stepfunctions <args> --endpoint-url <endpoint> --output json` (or another `bin`) as its own process. */
export function cli(endpoint: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, bin: string = AWS_CLI): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(bin, ['stepfunctions', ...args, '--endpoint-url', endpoint, '--output', 'json'], { env: cliEnv(extraEnv), timeout: 60000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, json: parseJson(stdout) });
    });
  });
}

/**
 * Runs /usr/bin/aws once per argument list, in order, inside ONE Python process: the interpreter named
 * by the script's shebang executes the /usr/bin/aws script for each call (`runpy`), so the CLI's
 * imports are paid once instead of per call (about a second of CPU each). Each call gets its own
 * stdout, stderr and exit code (the script's SystemExit), as if run alone. Falls back to one process
 * per call when /usr/bin/aws is not a Python script.
 */
export async function cliBatch(endpoint: string, calls: string[][], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult[]> {
  const head = readFileSync(AWS_CLI, 'utf8').slice(0, 200).split('\n')[0] ?? '';
  const python = /^#!\s*(\S*python\S*)/.exec(head)?.[1];
  if (!python) {
    const out: CliResult[] = [];
    for (const args of calls) out.push(await cli(endpoint, args, extraEnv));
    return out;
  }
  const runner = [
    'import contextlib, io, json, runpy, sys',
    'cli, calls = sys.argv[1], json.load(sys.stdin)',
    'results = []',
    'for argv in calls:',
    '    out, err, code = io.StringIO(), io.StringIO(), 0',
    '    sys.argv = [cli] + argv',
    '    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):',
    '        try:',
    "            runpy.run_path(cli, run_name='__main__')",
    '        except SystemExit as x:',
    '            code = x.code if isinstance(x.code, int) else (0 if x.code is None else 1)',
    "    results.append({'code': code, 'stdout': out.getvalue(), 'stderr': err.getvalue()})",
    'sys.__stdout__.write(json.dumps(results))',
  ].join('\n');
  const argv = calls.map((args) => ['stepfunctions', ...args, '--endpoint-url', endpoint, '--output', 'json']);
  const raw = await new Promise<string>((resolve, reject) => {
    const child = execFile(python, ['-c', runner, AWS_CLI], { env: cliEnv(extraEnv), timeout: 120000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`CLI batch failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin!.end(JSON.stringify(argv));
  });
  return (JSON.parse(raw) as { code: number; stdout: string; stderr: string }[]).map((r) => ({ ...r, json: parseJson(r.stdout) }));
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return text.trim() ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Asserts the CLI failed as AWS CLI v2 does for a service error: exit 254 and botocore's message. */
export function assertCliError(r: CliResult, code: string, operation: string, message?: string | RegExp): void {
  assert.equal(r.code, 254, `expected exit 254, got ${r.code}; stderr: ${r.stderr}`);
  const line = r.stderr.trim();
  const prefix = `An error occurred (${code}) when calling the ${operation} operation: `;
  assert.ok(line.startsWith(prefix), `stderr was: ${line}`);
  const msg = line.slice(prefix.length);
  if (typeof message === 'string') assert.equal(msg, message);
  else if (message) assert.match(msg, message);
}
