import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { StateMachine, type StateMachineOptions } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { ManualClock } from '../../clock.js';
import { errorPayload, functionNameOf } from './lambda.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
const INVOKE = 'arn:aws:states:::lambda:invoke';

interface Received {
  qualifier?: string;
  name: string;
  body: string;
  headers: IncomingHttpHeaders;
}

/**
 * A local implementation of the Lambda Invoke REST API: POST /2015-03-31/functions/{name}/invocations.
 * Functions: echo (returns the event), upper (a string payload upper-cased), crash (an unhandled error),
 * throttled (HTTP 429), hang (never answers). Anything else is a 404 ResourceNotFoundException.
 */
class FakeLambda {
  server: Server;
  received: Received[] = [];
  aborted: string[] = [];
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const m = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?Qualifier=([^&]+))?$/.exec(req.url ?? '');
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (req.method !== 'POST' || !m) {
          res.writeHead(400).end();
          return;
        }
        const name = decodeURIComponent(m[1]!);
        this.received.push({ name, qualifier: m[2] ? decodeURIComponent(m[2]) : undefined, body, headers: req.headers });
        const requestId = `req-${this.received.length}`;
        const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
          const text = JSON.stringify(value);
          res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST', ...headers });
          res.end(text);
        };
        switch (name) {
          case 'echo':
            json(200, body === '' ? null : JSON.parse(body), req.headers['x-amz-log-type'] === 'Tail' ? { 'x-amz-log-result': Buffer.from('log lines').toString('base64') } : {});
            return;
          case 'upper':
            json(200, body.toUpperCase());
            return;
          case 'crash':
            json(200, { errorType: 'InvalidOrder', errorMessage: 'order has no items', trace: ['at handler (index.js:3:9)'] }, { 'x-amz-function-error': 'Unhandled' });
            return;
          case 'throttled':
            json(429, { Type: 'User', message: 'Rate Exceeded.' }, { 'x-amzn-errortype': 'TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.availability/' });
            return;
          case 'hang':
            res.on('close', () => this.aborted.push(name));
            return;
          default:
            json(404, { Type: 'User', Message: `Function not found: ${name}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
        }
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const lambda = new FakeLambda();
before(() => lambda.start());
after(() => lambda.stop());
beforeEach(() => {
  lambda.received = [];
  lambda.aborted = [];
});

function task(task: JsonObject, opts: StateMachineOptions = {}) {
  return new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', End: true, ...task } } }, { lambdaEndpoint: lambda.url, ...opts });
}

describe('Lambda over LAMBDA_ENDPOINT: arn:aws:lambda:…:function:NAME', () => {
  test('posts the effective input as the body; the result is the function payload', async () => {
    const r = await task({ Resource: `${FN}echo`, Parameters: { 'order.$': '$.id', fixed: [1, 2] } }).run({ id: 'o-1' });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { order: 'o-1', fixed: [1, 2] });
    assert.equal(lambda.received.length, 1);
    assert.equal(lambda.received[0]!.name, 'echo');
    assert.deepEqual(JSON.parse(lambda.received[0]!.body), { order: 'o-1', fixed: [1, 2] });
  });

  test('a function error (200 + X-Amz-Function-Error): errorType is the error, the payload the cause', async () => {
    const r = await task({ Resource: `${FN}crash` }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'InvalidOrder');
    assert.deepEqual(JSON.parse(r.cause!), { errorType: 'InvalidOrder', errorMessage: 'order has no items', trace: ['at handler (index.js:3:9)'] });
    assert.deepEqual(r.events.find((e) => e.type === 'LambdaFunctionFailed')!.details, { error: 'InvalidOrder', cause: r.cause });
  });

  test('the function error is retried and caught by its errorType', async () => {
    const r = await new StateMachine(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: `${FN}crash`, Retry: [{ ErrorEquals: ['InvalidOrder'], MaxAttempts: 2, IntervalSeconds: 0 }], Catch: [{ ErrorEquals: ['InvalidOrder'], ResultPath: '$.err', Next: 'C' }], End: true },
          C: { Type: 'Succeed' },
        },
      },
      { lambdaEndpoint: lambda.url },
    ).run({ k: 1 });
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal((r.output as any).err.Error, 'InvalidOrder');
    assert.equal(lambda.received.length, 3, 'the first attempt and two retries');
  });

  test('an unknown function (404) fails with Lambda.ResourceNotFoundException naming the function ARN', async () => {
    const r = await task({ Resource: `${FN}nope` }).run({});
    assert.equal(r.error, 'Lambda.ResourceNotFoundException');
    assert.match(r.cause!, /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:\$LATEST \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/);
  });

  test('other HTTP errors become Lambda.<x-amzn-ErrorType> with the service message', async () => {
    const r = await task({ Resource: `${FN}throttled` }).run({});
    assert.deepEqual([r.error, r.cause], ['Lambda.TooManyRequestsException', 'Rate Exceeded.']);
  });

  test('TimeoutSeconds aborts the HTTP call', async () => {
    const clock = new ManualClock();
    const ex = task({ Resource: `${FN}hang`, TimeoutSeconds: 2 }, { clock }).start({});
    for (let i = 0; i < 100 && lambda.received.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(lambda.received.length, 1);
    await clock.advance(2000);
    const r = await ex.done;
    assert.equal(r.error, 'States.Timeout');
    for (let i = 0; i < 100 && lambda.aborted.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(lambda.aborted, ['hang'], 'the request was cancelled');
  });

  test('an endpoint that cannot be reached fails the task with Lambda.SdkClientException', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await task({ Resource: `${FN}echo` }, { lambdaEndpoint: `http://127.0.0.1:${port}` }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'Lambda.SdkClientException');
  });
});

describe('Lambda over LAMBDA_ENDPOINT: arn:aws:states:::lambda:invoke', () => {
  test('the result is the envelope: Payload, StatusCode, ExecutedVersion, SdkHttpMetadata, SdkResponseMetadata', async () => {
    const r = await task({ Resource: INVOKE, Parameters: { FunctionName: `${FN}echo`, Payload: { 'n.$': '$.n' } } }).run({ n: 5 });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const out = r.output as any;
    assert.deepEqual(out.Payload, { n: 5 });
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.SdkHttpMetadata.HttpStatusCode, 200);
    assert.equal(out.SdkHttpMetadata.HttpHeaders['x-amzn-RequestId'], 'req-1');
    assert.deepEqual(out.SdkHttpMetadata.AllHttpHeaders['x-amzn-RequestId'], ['req-1']);
    assert.equal(out.SdkHttpMetadata.HttpHeaders['Content-Type'], 'application/json');
    assert.deepEqual(out.SdkResponseMetadata, { RequestId: 'req-1' });
    assert.equal(out.LogResult, undefined);
    assert.deepEqual(JSON.parse(lambda.received[0]!.body), { n: 5 });
    const events = r.events.map((e) => e.type);
    assert.deepEqual(events.slice(2, 5), ['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    assert.deepEqual((r.events[2]!.details as JsonObject).resourceType, 'lambda');
    assert.deepEqual((r.events[2]!.details as JsonObject).resource, 'invoke');
  });

  test('FunctionName may be a name, a partial ARN or a full ARN with a qualifier', async () => {
    for (const name of ['echo', '123456789012:function:echo', `${FN}echo:live`]) {
      const r = await task({ Resource: INVOKE, Parameters: { FunctionName: name, Payload: { x: 1 } } }).run({});
      assert.deepEqual((r.output as any).Payload, { x: 1 }, name);
    }
    assert.deepEqual(
      lambda.received.map((x) => [x.name, x.qualifier]),
      [
        ['echo', undefined],
        ['echo', undefined],
        ['echo', 'live'],
      ],
    );
  });

  test('a string Payload is sent as it is; no Payload sends an empty object', async () => {
    const r = await task({ Resource: INVOKE, Parameters: { FunctionName: 'upper', Payload: 'plain text' } }).run({});
    assert.equal((r.output as any).Payload, 'PLAIN TEXT');
    assert.equal(lambda.received[0]!.body, 'plain text');
    await task({ Resource: INVOKE, Parameters: { FunctionName: 'echo' } }).run({});
    assert.equal(lambda.received[1]!.body, '{}');
  });

  test('LogType Tail asks for the log and returns it as LogResult', async () => {
    const r = await task({ Resource: INVOKE, Parameters: { FunctionName: 'echo', Payload: {}, LogType: 'Tail' } }).run({});
    assert.equal(lambda.received[0]!.headers['x-amz-log-type'], 'Tail');
    assert.equal((r.output as any).LogResult, Buffer.from('log lines').toString('base64'));
  });

  test('a function error maps like the ARN form; TaskFailed records it', async () => {
    const r = await task({ Resource: INVOKE, Parameters: { FunctionName: 'crash', Payload: {} } }).run({});
    assert.equal(r.error, 'InvalidOrder');
    assert.deepEqual(JSON.parse(r.cause!).errorMessage, 'order has no items');
    assert.deepEqual(r.events.find((e) => e.type === 'TaskFailed')!.details, { resourceType: 'lambda', resource: 'invoke', error: 'InvalidOrder', cause: r.cause });
  });

  test('an unknown function fails with Lambda.ResourceNotFoundException', async () => {
    const r = await task({ Resource: INVOKE, Parameters: { FunctionName: 'missing', Payload: {} } }).run({});
    assert.equal(r.error, 'Lambda.ResourceNotFoundException');
  });
});

describe('Lambda: local handlers and the endpoint', () => {
  test('a local handler wins over the endpoint; other names still go to the endpoint', async () => {
    const sm = new StateMachine(
      {
        StartAt: 'Local',
        States: {
          Local: { Type: 'Task', Resource: `${FN}echo`, ResultPath: '$.local', Next: 'Remote' },
          Remote: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'upper', Payload: 'abc' }, ResultSelector: { 'p.$': '$.Payload' }, ResultPath: '$.remote', End: true },
        },
      },
      { lambdaEndpoint: lambda.url, functions: { echo: () => 'from local handler' } },
    );
    const r = await sm.run({});
    assert.deepEqual(r.output, { local: 'from local handler', remote: { p: 'ABC' } });
    assert.deepEqual(
      lambda.received.map((x) => x.name),
      ['upper'],
    );
  });

  test('without an endpoint an unknown function is a ResourceNotFoundException', async () => {
    const r = await new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}nothing`, End: true } } }).run({});
    assert.equal(r.error, 'Lambda.ResourceNotFoundException');
    assert.equal(lambda.received.length, 0);
  });

  test('the lambda:invoke envelope from a local handler has the same shape', async () => {
    const r = await new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'local', Payload: { a: 1 } }, End: true } } },
      { functions: { local: (e: { a: number }) => ({ b: e.a + 1 }) } },
    ).run({});
    const out = r.output as any;
    assert.deepEqual(out.Payload, { b: 2 });
    assert.equal(out.StatusCode, 200);
    assert.equal(out.SdkHttpMetadata.HttpStatusCode, 200);
    assert.equal(out.SdkResponseMetadata.RequestId, out.SdkHttpMetadata.HttpHeaders['x-amzn-RequestId']);
    assert.deepEqual(Object.keys(out).sort(), ['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);
  });
});

describe('Lambda: helpers', () => {
  test('functionNameOf', () => {
    assert.equal(functionNameOf('f'), 'f');
    assert.equal(functionNameOf('f:prod'), 'f');
    assert.equal(functionNameOf('123456789012:function:f'), 'f');
    assert.equal(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:f:3'), 'f');
  });

  test('errorPayload is what the Node.js runtime reports for a thrown error', () => {
    const e = new RangeError('too big');
    const p = JSON.parse(errorPayload(e)) as JsonObject;
    assert.equal(p.errorType, 'RangeError');
    assert.equal(p.errorMessage, 'too big');
    assert.ok(Array.isArray(p.trace) && (p.trace as Json[]).length > 0);
    assert.deepEqual(JSON.parse(errorPayload('just a string')), { errorType: 'Error', errorMessage: 'just a string', trace: [] });
    assert.equal(errorPayload({ payload: '{"custom":true}' }), '{"custom":true}');
  });
});
