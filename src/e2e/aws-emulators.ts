/**
 * Real AWS-compatible emulators from npm for the integration tests, started in-process on free loopback ports:
 * s3rver (S3), dynalite (DynamoDB), fauxqs (SQS and SNS). EventBridge has no emulator that installs here: a small
 * server speaking its wire protocol (AWS JSON 1.1, `AWSEvents.PutEvents`) records the requests. An STS server
 * answers AssumeRole (query protocol) for the Credentials field.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** s3rver accepts only its own key pair; dynalite, fauxqs and the test servers accept any. */
export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface Emulator {
  endpoint: string;
  close(): Promise<void>;
}

const listen = (srv: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port));
  });
const closeServer = (srv: Server): Promise<void> =>
  new Promise((r) => {
    srv.closeAllConnections?.();
    srv.close(() => r());
  });

/**
 * s3rver on a free port. `pagination: true` runs it in a child process with Node's OpenSSL legacy provider, which
 * s3rver needs for ListObjectsV2 continuation tokens (DES): in this process a truncated listing fails.
 */
export async function startS3(opts: { pagination?: boolean } = {}): Promise<Emulator> {
  if (opts.pagination) return startS3Process();
  const S3rver = require('s3rver') as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-s3rver-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, allowMismatchedSignatures: true });
  const { port } = await s3.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await s3.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startS3Process(): Promise<Emulator> {
  const script = fileURLToPath(new URL('./s3rver-process.js', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
  });
  child.removeAllListeners('exit');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

export async function startDynamoDb(): Promise<Emulator> {
  const dynalite = require('dynalite') as (o: object) => Server;
  const srv = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(srv);
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(srv) };
}

export async function startSqsSns(): Promise<Emulator> {
  const { buildApp } = (await import('fauxqs')) as unknown as { buildApp(o: object): { listen(o: object): Promise<string>; close(): Promise<void>; server: Server } };
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface RecordedRequest {
  target: string | undefined;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (s += d));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });

/**
 * EventBridge's PutEvents on the wire (AWS JSON 1.1). Each entry is checked against the service's request shape
 * (Source, DetailType, Detail as text, Resources as a list of strings, EventBusName as text, Time as epoch seconds); an entry whose
 * Source is `fail.me` is answered as a failed entry, as EventBridge does; one whose Source is `hang.me` is never
 * answered (the connections the caller abandons are counted).
 */
export async function startEventBridge(): Promise<Emulator & { requests: RecordedRequest[]; aborted: { count: number } }> {
  const requests: RecordedRequest[] = [];
  const aborted = { count: 0 };
  let n = 0;
  const srv = createServer((req, res) => {
    void readBody(req).then((text) => {
      const target = req.headers['x-amz-target'] as string | undefined;
      const send = (status: number, body: object) => {
        const s = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${++n}`, 'content-length': Buffer.byteLength(s) });
        res.end(s);
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        send(400, { __type: 'SerializationException', message: 'Body is not JSON' });
        return;
      }
      requests.push({ target, authorization: req.headers.authorization, body });
      if (target !== 'AWSEvents.PutEvents') {
        send(400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
        return;
      }
      const entries = body.Entries;
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
        send(400, { __type: 'ValidationException', message: '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length less than or equal to 10' });
        return;
      }
      for (const e of entries as Record<string, unknown>[]) {
        const bad =
          (e.Detail !== undefined && typeof e.Detail !== 'string') ||
          (e.Source !== undefined && typeof e.Source !== 'string') ||
          (e.DetailType !== undefined && typeof e.DetailType !== 'string') ||
          (e.EventBusName !== undefined && typeof e.EventBusName !== 'string') ||
          (e.Time !== undefined && typeof e.Time !== 'number') ||
          (e.Resources !== undefined && (!Array.isArray(e.Resources) || !e.Resources.every((r) => typeof r === 'string')));
        if (bad) {
          send(400, { __type: 'SerializationException', message: 'Start of structure or map found where not expected.' });
          return;
        }
      }
      if ((entries as Record<string, unknown>[]).some((e) => e.Source === 'hang.me')) {
        // Never answered: the caller must give up (cancellation) and close the connection.
        res.on('close', () => {
          if (!res.writableEnded) aborted.count++;
        });
        return;
      }
      const out = (entries as Record<string, unknown>[]).map((e, i) =>
        e.Source === 'fail.me' ? { ErrorCode: 'InternalFailure', ErrorMessage: 'The entry failed.' } : { EventId: `event-${n}-${i}` },
      );
      send(200, { Entries: out, FailedEntryCount: out.filter((e) => 'ErrorCode' in e).length });
    });
  });
  const port = await listen(srv);
  return { endpoint: `http://127.0.0.1:${port}`, requests, aborted, close: () => closeServer(srv) };
}

/** STS AssumeRole (query protocol): temporary credentials whose access key names the role's last path part. */
export async function startSts(): Promise<Emulator & { assumed: string[] }> {
  const assumed: string[] = [];
  const srv = createServer((req, res) => {
    void readBody(req).then((text) => {
      const form = new URLSearchParams(text);
      const role = form.get('RoleArn') ?? '';
      assumed.push(role);
      const key = `ASIA${role.split('/').pop()!.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
      const exp = new Date(Date.now() + 3600_000).toISOString();
      const xml =
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>${exp}</Expiration></Credentials>` +
        `<AssumedRoleUser><Arn>${role}/session</Arn><AssumedRoleId>AROA:session</AssumedRoleId></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
      res.writeHead(form.get('Action') === 'AssumeRole' ? 200 : 400, { 'content-type': 'text/xml' });
      res.end(xml);
    });
  });
  const port = await listen(srv);
  return { endpoint: `http://127.0.0.1:${port}`, assumed, close: () => closeServer(srv) };
}
