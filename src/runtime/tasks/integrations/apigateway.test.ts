import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { TEST_CREDENTIALS } from '../../../e2e/aws-emulators.js';
import { StateMachine } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { MemoryStore } from '../../../store/memory/memory-store.js';
import { Engine } from '../../engine.js';
import { ApiGatewayInvoker } from './apigateway.js';
import { AwsClients } from './aws/clients.js';
import { runIntegrationContract, until, type ContractHost } from './contract.js';

const APIGW = 'arn:aws:states:::apigateway:invoke';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** For a signed request: whether its SigV4 signature is the one the test credentials give. */
  signatureValid?: boolean;
}

/**
 * What API Gateway would check: the SigV4 signature of a request, recomputed from the headers it names
 * (SignedHeaders) with @smithy/signature-v4 and the test credentials, at the request's own X-Amz-Date.
 */
async function signatureValid(method: string, url: URL, headers: IncomingHttpHeaders, body: string): Promise<boolean> {
  const auth = String(headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m || m[1] !== TEST_CREDENTIALS.accessKeyId) return false;
  const { SignatureV4 } = createRequire(import.meta.url)('@smithy/signature-v4') as { SignatureV4: new (o: object) => { sign(r: object, o: object): Promise<{ headers: Record<string, string> }> } };
  class Sha {
    h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
    constructor(private s?: string | Uint8Array) {
      this.h = s === undefined ? createHash('sha256') : createHmac('sha256', s);
    }
    update(d: string | Uint8Array) {
      this.h.update(d);
    }
    digest() {
      return Promise.resolve(new Uint8Array(this.h.digest()));
    }
    reset() {
      this.h = this.s === undefined ? createHash('sha256') : createHmac('sha256', this.s);
    }
  }
  const signedNames = m[4]!.split(';');
  const h: Record<string, string> = {};
  for (const n of signedNames) h[n] = String(headers[n] ?? '');
  const amzDate = String(headers['x-amz-date']);
  const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const had = query[k];
    query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  const signer = new SignatureV4({ service: 'execute-api', region: m[3], credentials: TEST_CREDENTIALS, sha256: Sha, applyChecksum: true });
  const again = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers: h, body }, { signingDate: date });
  return again.headers.authorization === auth;
}

/**
 * A real HTTP server in API Gateway's place, its stage `prod`: /prod/echo answers what it got (JSON);
 * /prod/text plain text; /prod/missing 403 with API Gateway's "Missing Authentication Token"; /prod/hang
 * never answers; /prod/handover takes a task token (TaskToken header) and answers 202.
 */
class FakeApi {
  server: Server;
  seen: Seen[] = [];
  tokens = new Map<string, string>();
  url = '';
  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        void (async () => {
          const url = new URL(req.url!, this.url);
          const seen: Seen = { method: req.method!, path: url.pathname, query: url.searchParams, headers: req.headers, body };
          if (req.headers.authorization) seen.signatureValid = await signatureValid(req.method!, url, req.headers, body);
          this.seen.push(seen);
          const json = (status: number, v: Json) => res.writeHead(status, { 'content-type': 'application/json', 'x-custom': 'yes' }).end(JSON.stringify(v));
          if (url.pathname === '/prod/missing') return json(403, { message: 'Missing Authentication Token' });
          if (url.pathname === '/prod/text') return res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
          if (url.pathname === '/prod/hang') return;
          if (url.pathname === '/prod/handover') {
            this.tokens.set(String(req.headers['x-execution']), String(req.headers.tasktoken));
            return json(202, { accepted: true });
          }
          return json(200, { method: req.method!, path: url.pathname, body: body ? (JSON.parse(body) as Json) : null });
        })();
      });
    });
  }
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const api = new FakeApi();
before(() => api.start());
after(() => api.close());
beforeEach(() => {
  api.seen = [];
});

const clients = new AwsClients({ credentials: TEST_CREDENTIALS, env: {} });
/** The API's host name as AWS writes it; AWS_ENDPOINT_URL_EXECUTE_API sends the call to the local server. */
const HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';
const invoker = () => new ApiGatewayInvoker(clients, { env: { AWS_ENDPOINT_URL_EXECUTE_API: api.url }, timeoutMs: 2000 });
const run = (params: JsonObject, resource = APIGW, extra: JsonObject = {}) =>
  new StateMachine({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: resource, Parameters: params, End: true, ...extra } } }, { services: { 'apigateway:invoke': invoker() } }).run({});

describe('apigateway:invoke', () => {
  test('builds {endpoint}/{Stage}/{Path} with query and headers (lists of values); returns AWS output shape', async () => {
    const r = await run({
      ApiEndpoint: HOST,
      Method: 'POST',
      Stage: 'prod',
      Path: 'bills/add',
      Headers: { 'X-Trace': ['a', 'b'], Accept: ['application/json'] },
      QueryParameters: { billId: ['123', '456'], single: 'x' },
      RequestBody: { billId: 'my-new-bill', category: null, nested: { gone: null, kept: 1 } },
    });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const seen = api.seen[0]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.path, '/prod/bills/add');
    assert.deepEqual(seen.query.getAll('billId'), ['123', '456']);
    assert.equal(seen.query.get('single'), 'x');
    assert.equal(seen.headers['x-trace'], 'a, b');
    assert.equal(seen.headers.authorization, undefined, 'NO_AUTH is the default: nothing signed');
    // AllowNullValues false (the default): null members are not sent.
    assert.deepEqual(JSON.parse(seen.body), { billId: 'my-new-bill', nested: { kept: 1 } });
    assert.match(String(seen.headers['content-type']), /^application\/json/);
    const o = r.output as JsonObject;
    assert.equal(o.StatusCode, 200);
    assert.equal(o.StatusText, 'OK');
    assert.deepEqual(o.ResponseBody, { method: 'POST', path: '/prod/bills/add', body: { billId: 'my-new-bill', nested: { kept: 1 } } });
    assert.deepEqual((o.Headers as JsonObject)['x-custom'], ['yes']);
    assert.deepEqual((o.Headers as JsonObject)['content-type'], ['application/json']);
  });

  test('AllowNullValues true sends nulls; a string body is sent as it is; plain text comes back as text; no Stage for $default', async () => {
    let r = await run({ ApiEndpoint: HOST, Method: 'PUT', Stage: 'prod', Path: 'echo', RequestBody: { a: null }, AllowNullValues: true });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(api.seen[0]!.body, '{"a":null}');
    r = await run({ ApiEndpoint: HOST, Method: 'POST', Path: 'prod/text', RequestBody: 'raw text' });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(api.seen[1]!.path, '/prod/text');
    assert.equal(api.seen[1]!.body, 'raw text');
    assert.equal((r.output as JsonObject).ResponseBody, 'plain words');
  });

  test('an ApiEndpoint given as an http:// URL is called as it is', async () => {
    const sm = new StateMachine(
      { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: APIGW, Parameters: { ApiEndpoint: api.url, Method: 'GET', Stage: 'prod', Path: 'echo', RequestBody: {} }, End: true } } },
      { services: { 'apigateway:invoke': new ApiGatewayInvoker(clients, { env: {} }) } },
    );
    const r = await sm.run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(api.seen[0]!.path, '/prod/echo');
    assert.equal(api.seen[0]!.method, 'GET');
  });

  test('a non-2xx answer fails with ApiGateway.<status> and the body as the cause', async () => {
    const r = await run({ ApiEndpoint: HOST, Method: 'GET', Stage: 'prod', Path: 'missing' });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'ApiGateway.403');
    assert.equal(r.cause, '{"message":"Missing Authentication Token"}');
  });

  test('IAM_ROLE signs the request with SigV4 for execute-api in the API region', async () => {
    const r = await run({ ApiEndpoint: HOST, Method: 'POST', Stage: 'prod', Path: 'echo', QueryParameters: { q: ['1 2', 'x'] }, RequestBody: { signed: true }, AuthType: 'IAM_ROLE' });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const seen = api.seen[0]!;
    assert.match(String(seen.headers.authorization), /Credential=S3RVER\/\d{8}\/eu-west-1\/execute-api\/aws4_request/);
    assert.equal(seen.signatureValid, true, 'the signature verifies against the request as received');
    // RESOURCE_POLICY is signed too (AWS signs it as the Step Functions service).
    const r2 = await run({ ApiEndpoint: HOST, Method: 'GET', Stage: 'prod', Path: 'echo', AuthType: 'RESOURCE_POLICY' });
    assert.equal(r2.status, 'SUCCEEDED', r2.cause);
    assert.equal(api.seen[1]!.signatureValid, true);
  });

  test('refused clearly: unknown field, forbidden header, bad AuthType, GET with a body, not a host name', async () => {
    const base = { ApiEndpoint: HOST, Method: 'GET', Stage: 'prod' };
    const cases: [JsonObject, RegExp][] = [
      [{ ...base, Body: {} }, /The field 'Body' is not supported by apigateway:invoke/],
      [{ ...base, Headers: { 'X-Amz-Target': ['x'] } }, /The 'Headers' field contains unsupported values: \[x-amz-target\]/],
      [{ ...base, Headers: { Host: ['evil'] } }, /unsupported values: \[host\]/],
      [{ ...base, AuthType: 'IAM_AUTH' }, /'AuthType' must be one of NO_AUTH, IAM_ROLE, RESOURCE_POLICY/],
      [{ ...base, RequestBody: { a: 1 } }, /A GET request has no body/],
      [{ ...base, ApiEndpoint: 'abc/def' }, /is not a host name/],
      [{ ...base, Method: 'FETCH' }, /'Method' must be one of/],
    ];
    for (const [params, cause] of cases) {
      const r = await run(params);
      assert.equal(r.status, 'FAILED');
      assert.equal(r.error, 'States.Runtime');
      assert.match(r.cause!, cause);
    }
    assert.equal(api.seen.length, 0, 'nothing was sent');
    const sync = await run(base, `${APIGW}.sync`);
    assert.match(sync.cause!, /apigateway:invoke has request-response and .waitForTaskToken/);
  });

  test('no answer: ApiGateway.SdkClientException', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await run({ ApiEndpoint: `http://127.0.0.1:${port}`, Method: 'GET' });
    assert.equal(r.error, 'ApiGateway.SdkClientException');
    assert.match(r.cause!, /ECONNREFUSED/);
  });
});

async function host(): Promise<ContractHost> {
  const engine = new Engine({
    store: new MemoryStore(),
    region: 'us-east-1',
    accountId: '123456789012',
    waitTimeScale: 1 /* the calls go over HTTP: TimeoutSeconds 1 must outlast them on a loaded machine */,
    tasks: { services: { 'apigateway:invoke': new ApiGatewayInvoker(clients, { env: { AWS_ENDPOINT_URL_EXECUTE_API: api.url } }) } },
  });
  await engine.init();
  return { engine, close: () => engine.close() };
}

const handover = { ApiEndpoint: HOST, Method: 'POST', Stage: 'prod', Path: 'handover', Headers: { 'TaskToken.$': 'States.Array($$.Task.Token)', 'X-Execution.$': 'States.Array($$.Execution.Id)' }, RequestBody: {} };
const answer = (outcome: { k: 'succeeded'; output: Json } | { k: 'failed'; error: string; cause: string }) => async (h: ContractHost, arn: string) => {
  const token = await until(() => api.tokens.get(arn), 'the token');
  assert.equal(await h.engine.tokens.complete(token, outcome), true);
};

runIntegrationContract({
  name: 'apigateway:invoke',
  host,
  cases: [
    {
      name: 'apigateway:invoke',
      succeed: {
        fields: { Resource: APIGW, Parameters: { ApiEndpoint: HOST, Method: 'POST', Stage: 'prod', Path: 'echo', 'RequestBody.$': '$' } },
        output: (o) => assert.deepEqual((o as JsonObject).ResponseBody, { method: 'POST', path: '/prod/echo', body: { from: 'contract' } }),
      },
      fail: { fields: { Resource: APIGW, Parameters: { ApiEndpoint: HOST, Method: 'GET', Stage: 'prod', Path: 'missing' } }, error: 'ApiGateway.403', cause: '{"message":"Missing Authentication Token"}' },
      wait: { fields: { Resource: APIGW, Parameters: { ApiEndpoint: HOST, Method: 'GET', Stage: 'prod', Path: 'hang' } } },
    },
    {
      name: 'apigateway:invoke.waitForTaskToken',
      succeed: { fields: { Resource: `${APIGW}.waitForTaskToken`, Parameters: handover }, play: answer({ k: 'succeeded', output: { paid: true } }), output: (o) => assert.deepEqual(o, { paid: true }) },
      fail: { fields: { Resource: `${APIGW}.waitForTaskToken`, Parameters: handover }, play: answer({ k: 'failed', error: 'Declined', cause: 'no funds' }), error: 'Declined', cause: 'no funds' },
      wait: {
        fields: { Resource: `${APIGW}.waitForTaskToken`, Parameters: handover },
        letGo: async (h, arn) => assert.equal(await h.engine.tokens.complete(api.tokens.get(arn)!, { k: 'succeeded', output: {} }), false),
      },
    },
  ],
});
