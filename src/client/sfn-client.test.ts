/**
 * SfnClient against a real Stepwise server (in memory, port 0), and against a small HTTP server that
 * answers as AWS does where Stepwise never would (namespaced error types, X-Amzn-ErrorType only, HTML).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../cli/serve.js';
import { DEFAULT_ENDPOINT, SfnClient, SfnError } from './sfn-client.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function rejectsSfn(p: Promise<unknown>, name: string, status = 400): Promise<SfnError> {
  const e = await p.then(
    () => assert.fail(`expected ${name}, but the call succeeded`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof SfnError, `not an SfnError: ${String(e)}`);
  assert.equal(e.name, name, e.message);
  assert.equal(e.httpStatus, status);
  return e;
}

describe('SfnClient against Stepwise', () => {
  let server: Server;
  let client: SfnClient;
  before(async () => {
    ({ server } = await startServer({ port: 0, host: '127.0.0.1', region: 'us-east-1', accountId: '123456789012' }, () => {}));
    client = new SfnClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  after(() => close(server));

  it('calls an operation and returns its JSON', async () => {
    const created = await client.call<{ activityArn: string; creationDate: number }>('CreateActivity', { name: 'client-act' });
    assert.equal(created.activityArn, 'arn:aws:states:us-east-1:123456789012:activity:client-act');
    assert.equal(typeof created.creationDate, 'number');
    const d = await client.call('DescribeActivity', { activityArn: created.activityArn });
    assert.equal(d.name, 'client-act');
    assert.deepEqual(await client.call('DeleteActivity', { activityArn: created.activityArn }), {});
  });

  it('throws SfnError with the error type and message', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:activity:missing';
    const e = await rejectsSfn(client.call('DescribeActivity', { activityArn: arn }), 'ActivityDoesNotExist');
    assert.equal(e.message, `Activity Does Not Exist: '${arn}'`);
    assert.ok(e instanceof Error);
    await rejectsSfn(client.call('SendTaskHeartbeat', { taskToken: 'garbage' }), 'InvalidToken');
    await rejectsSfn(client.call('NoSuchOperation'), 'UnknownOperationException');
  });

  it('a signal aborts a long poll at once', async () => {
    const { activityArn } = await client.call<{ activityArn: string }>('CreateActivity', { name: 'client-poll' });
    const ac = new AbortController();
    const started = Date.now();
    const poll = client.call('GetActivityTask', { activityArn }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(poll, { name: 'AbortError' });
    assert.ok(Date.now() - started < 5000);
  });

  it('signed requests work against Stepwise too (it ignores the signature)', async () => {
    const signed = new SfnClient({ endpoint: client.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });
    const r = await signed.call<{ activities: unknown[] }>('ListActivities');
    assert.ok(Array.isArray(r.activities));
  });
});

describe('SfnClient: the wire', () => {
  let server: Server;
  let endpoint: string;
  let seen: { headers: IncomingHttpHeaders; body: string; url: string | undefined }[] = [];
  /** What the server answers next: status, body, headers. */
  let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '{}' };
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ headers: req.headers, body, url: req.url });
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
        res.end(answer.body);
      });
    });
    endpoint = await listen(server);
  });
  after(() => close(server));

  it('sends POST / with the target, the JSON content type and the params as JSON', async () => {
    seen = [];
    answer = { status: 200, body: '{"executionArn":"arn:x","startDate":1.5}' };
    const out = await new SfnClient({ endpoint }).call('StartExecution', { stateMachineArn: 'arn:sm', input: '{}' });
    assert.deepEqual(out, { executionArn: 'arn:x', startDate: 1.5 });
    const [req] = seen;
    assert.equal(req!.url, '/');
    assert.equal(req!.headers['x-amz-target'], 'AWSStepFunctions.StartExecution');
    assert.equal(req!.headers['content-type'], 'application/x-amz-json-1.0');
    assert.equal(req!.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(req!.body), { stateMachineArn: 'arn:sm', input: '{}' });
  });

  it('an empty 200 body is {}', async () => {
    answer = { status: 200, body: '' };
    assert.deepEqual(await new SfnClient({ endpoint }).call('SendTaskHeartbeat', { taskToken: 't' }), {});
  });

  it('signs with SigV4 when given credentials', async () => {
    seen = [];
    answer = { status: 200, body: '{}' };
    await new SfnClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's', sessionToken: 'session' } }).call('ListActivities', {});
    const h = seen[0]!.headers;
    assert.match(String(h['x-amz-date']), /^\d{8}T\d{6}Z$/);
    assert.equal(h['x-amz-security-token'], 'session');
    const date = String(h['x-amz-date']).slice(0, 8);
    assert.match(
      String(h.authorization),
      new RegExp(`^AWS4-HMAC-SHA256 Credential=AKID/${date}/eu-west-1/states/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$`),
    );
  });

  it('error names drop a namespace# prefix; X-Amzn-ErrorType is the fallback', async () => {
    const c = new SfnClient({ endpoint });
    answer = { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.swf.service.v2.model#TaskTimedOut', message: 'Task Timed Out' }) };
    assert.equal((await rejectsSfn(c.call('SendTaskSuccess', {}), 'TaskTimedOut')).message, 'Task Timed Out');
    answer = { status: 400, body: JSON.stringify({ __type: 'InvalidToken', Message: 'capital M' }) };
    assert.equal((await rejectsSfn(c.call('SendTaskSuccess', {}), 'InvalidToken')).message, 'capital M');
    answer = { status: 403, body: '{"message":"no"}', headers: { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/' } };
    await rejectsSfn(c.call('ListActivities', {}), 'UnrecognizedClientException', 403);
    answer = { status: 502, body: '<html>Bad Gateway</html>' };
    const e = await rejectsSfn(c.call('ListActivities', {}), 'Http502', 502);
    assert.equal(e.message, '<html>Bad Gateway</html>');
    answer = { status: 200, body: 'not json' };
    await rejectsSfn(c.call('ListActivities', {}), 'InvalidResponse', 200);
  });

  it('network failures reject as fetch does', async () => {
    const gone = createServer();
    const url = await listen(gone);
    await close(gone);
    await assert.rejects(new SfnClient({ endpoint: url }).call('ListActivities'), (e: Error) => !(e instanceof SfnError) && e instanceof TypeError);
  });
});

describe('SfnClient: endpoint and region', () => {
  const saved = { ...process.env };
  after(() => {
    for (const k of ['STEPWISE_ENDPOINT', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('explicit endpoint, then STEPWISE_ENDPOINT, then AWS (with credentials), then the local default', () => {
    delete process.env.STEPWISE_ENDPOINT;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    assert.equal(new SfnClient().endpoint, DEFAULT_ENDPOINT);
    assert.equal(DEFAULT_ENDPOINT, 'http://127.0.0.1:8083');
    assert.equal(new SfnClient().region, 'us-east-1');
    assert.equal(new SfnClient({ credentials, region: 'eu-west-1' }).endpoint, 'https://states.eu-west-1.amazonaws.com');
    process.env.AWS_REGION = 'ap-south-1';
    assert.equal(new SfnClient({ credentials }).endpoint, 'https://states.ap-south-1.amazonaws.com');
    process.env.STEPWISE_ENDPOINT = 'http://localhost:9999';
    assert.equal(new SfnClient().endpoint, 'http://localhost:9999');
    assert.equal(new SfnClient({ credentials }).endpoint, 'http://localhost:9999');
    assert.equal(new SfnClient({ endpoint: 'http://x:1' }).endpoint, 'http://x:1');
    assert.throws(() => new SfnClient({ endpoint: 'not a url' }), TypeError);
  });
});
