/**
 * Authentication: with credentials configured, every request must be signed (SigV4) with one of them, as
 * the AWS CLI and SDKs sign; AWS's errors otherwise. Through the real server with @aws-sdk/client-sfn, the
 * AWS CLI and plain HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListStateMachinesCommand, SFNClient, StartSyncExecutionCommand, CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { startServer, type RunningServer } from '../cli/serve.js';
import { credentialsFrom } from '../api/auth.js';
import { findAwsCli, rejectsAws, REGION, ROLE } from './helpers.js';
import { execFile } from 'node:child_process';

const GOOD = { accessKeyId: 'AKIDSTEPWISEAUTH', secretAccessKey: 'the-real-secret' };
const OTHER = { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret' };
let dir = '';
let running: RunningServer;
let endpoint = '';

const client = (credentials: { accessKeyId: string; secretAccessKey: string }, extra: Record<string, unknown> = {}) =>
  new SFNClient({ endpoint, region: REGION, credentials, disableHostPrefix: true, maxAttempts: 1, ...extra });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-auth-'));
  const file = join(dir, 'auth.json');
  writeFileSync(file, JSON.stringify({ credentials: [GOOD] }));
  const credentials = credentialsFrom(file, { STEPWISE_ACCESS_KEY_ID: OTHER.accessKeyId, STEPWISE_SECRET_ACCESS_KEY: OTHER.secretAccessKey });
  running = await startServer({ port: 0, host: '127.0.0.1', region: REGION, accountId: '123456789012', db: join(dir, 'db.sqlite'), credentials }, () => {});
  endpoint = `http://127.0.0.1:${running.port}`;
});
after(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

function raw(path: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: running.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('requests signed with a configured credential (SigV4)', () => {
  it('the SDK with either credential (file or environment) is served, sync- operations too', async () => {
    for (const creds of [GOOD, OTHER]) {
      const c = client(creds);
      assert.ok(Array.isArray((await c.send(new ListStateMachinesCommand({}))).stateMachines));
      c.destroy();
    }
    const c = client(GOOD);
    const sm = await c.send(new CreateStateMachineCommand({ name: 'signed', type: 'EXPRESS', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
    const r = await c.send(new StartSyncExecutionCommand({ stateMachineArn: sm.stateMachineArn, input: '{"a":1}' }));
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.output, '{"a":1}');
    c.destroy();
  });

  it('a wrong secret: InvalidSignatureException; an unknown key: UnrecognizedClientException', async () => {
    const wrong = client({ accessKeyId: GOOD.accessKeyId, secretAccessKey: 'guessed' });
    await rejectsAws(wrong.send(new ListStateMachinesCommand({})), 'InvalidSignatureException', /The request signature we calculated does not match the signature you provided/);
    wrong.destroy();
    const stranger = client({ accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' });
    await rejectsAws(stranger.send(new ListStateMachinesCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    stranger.destroy();
  });

  it('a clock more than 15 minutes off: Signature expired', async () => {
    const late = client(GOOD, { systemClockOffset: -20 * 60 * 1000 });
    await rejectsAws(late.send(new ListStateMachinesCommand({})), 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    late.destroy();
  });

  it('no signature: MissingAuthenticationTokenException; a body changed after signing is refused', async () => {
    const r = await raw('/', 'POST', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' }, '{}');
    assert.equal(r.status, 403);
    assert.deepEqual(JSON.parse(r.text), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    // The SDK signs the body: a request replayed with another body no longer matches.
    let captured: { headers: Record<string, string> } | undefined;
    const c = client(GOOD);
    c.middlewareStack.add((next) => async (args) => {
      captured = { headers: { ...(args.request as { headers: Record<string, string> }).headers } };
      return next(args);
    }, { step: 'finalizeRequest', priority: 'low', name: 'capture' });
    await c.send(new ListStateMachinesCommand({ maxResults: 5 }));
    c.destroy();
    const headers = { ...captured!.headers };
    delete headers['content-length'];
    const replay = await raw('/', 'POST', headers, '{"maxResults":6}');
    assert.equal(JSON.parse(replay.text).__type, 'InvalidSignatureException', replay.text);
  });

  it('the console’s read endpoints need a session (see console-login.test.ts)', async () => {
    const r = await raw('/console/api/state-machines', 'GET', {});
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.text).__type, 'MissingAuthenticationTokenException');
  });

  const cli = findAwsCli();
  it('the AWS CLI signs with the right credentials, and is refused with wrong ones', { skip: cli ? false : 'no AWS CLI here' }, async () => {
    const run = (creds: { accessKeyId: string; secretAccessKey: string }) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(cli!, ['stepfunctions', 'list-state-machines', '--endpoint-url', endpoint, '--output', 'json'], {
          env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_DEFAULT_REGION: REGION, AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
          timeout: 60000,
        }, (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      });
    const ok = await run(GOOD);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(JSON.parse(ok.stdout).stateMachines.some((s: { name: string }) => s.name === 'signed'));
    const bad = await run({ accessKeyId: GOOD.accessKeyId, secretAccessKey: 'nope' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidSignatureException/);
  });
});
