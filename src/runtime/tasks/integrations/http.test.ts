import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { StateMachine } from '../../../library/state-machine.js';
import type { Json, JsonObject } from '../../../shared/json.js';
import { Cancellation } from '../types.js';
import { HttpInvoker } from './http.js';
import { parseLocalConfig } from './local-config.js';
import { urlEncode } from './url-encode.js';

const HTTP = 'arn:aws:states:::http:invoke';
const conn = (name: string) => `arn:aws:events:us-east-1:123456789012:connection/${name}/0b1c2d3e`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP server: /apikey and /basic check their credentials (401 otherwise); /oauth/token issues
 * tokens (client credentials as Basic); /oauth/api takes the current token only; /status/N answers N with
 * a JSON body; /text answers plain text; /echo answers what it got.
 */
class Api {
  server: Server;
  seen: Seen[] = [];
  tokenRequests: Seen[] = [];
  issued = 0;
  valid = new Set<string>();
  expiresIn: number | undefined = 3600;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const seen = { method: req.method!, url: req.url!, headers: req.headers, body };
        const path = new URL(req.url!, 'http://x').pathname;
        const json = (status: number, v: Json, extra: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(JSON.stringify(v));
        };
        if (path === '/oauth/token') {
          this.tokenRequests.push(seen);
          if (req.headers.authorization !== `Basic ${Buffer.from('client-1:secret-1').toString('base64')}`) return json(401, { error: 'invalid_client' });
          const token = `tok-${++this.issued}`;
          this.valid.add(token);
          const answer: JsonObject = { access_token: token, token_type: 'Bearer' };
          if (this.expiresIn !== undefined) answer.expires_in = this.expiresIn;
          return json(200, answer);
        }
        this.seen.push(seen);
        if (path === '/apikey') return req.headers['x-api-key'] === 'key-1' ? json(200, { ok: 'apikey', got: body ? (JSON.parse(body) as Json) : null }) : json(401, { message: 'no key' });
        if (path === '/basic') return req.headers.authorization === `Basic ${Buffer.from('ana:pw:1').toString('base64')}` ? json(200, { ok: 'basic' }) : json(401, { message: 'who?' });
        if (path === '/oauth/api') {
          const t = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          return t && this.valid.has(t) ? json(200, { ok: 'oauth', token: t }) : json(401, { message: 'bad token' });
        }
        const m = /^\/status\/(\d+)$/.exec(path);
        if (m) return json(Number(m[1]), { problem: `status ${m[1]}` }, { 'x-trace': 'abc' });
        if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
        return json(200, { method: req.method!, url: req.url!, body, contentType: req.headers['content-type'] ?? null });
      });
    });
  }
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const api = new Api();
before(() => api.start());
after(() => new Promise<void>((r) => api.server.close(() => r())));
beforeEach(() => {
  api.seen = [];
  api.tokenRequests = [];
});

const config = () => ({
  connections: {
    [conn('key')]: {
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'key-1' } },
    },
    [conn('merge')]: {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'key-1' },
        InvocationHttpParameters: {
          HeaderParameters: [{ Key: 'x-tenant', Value: 'from-connection' }],
          QueryStringParameters: [{ Key: 'region', Value: 'eu' }],
          BodyParameters: [{ Key: 'source', Value: 'connection', IsValueSecret: false }],
        },
      },
    },
    [conn('basic')]: { AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'ana', Password: 'pw:1' } } },
    [conn('oauth')]: {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: {
          AuthorizationEndpoint: `${api.url}/oauth/token`,
          HttpMethod: 'POST',
          ClientParameters: { ClientID: 'client-1', ClientSecret: 'secret-1' },
          OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'read' }] },
        },
      },
    },
  },
});

function machine(params: JsonObject, extra: JsonObject = {}) {
  return new StateMachine({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: HTTP, Parameters: params, End: true, ...extra } } }, { config: config() });
}

describe('HTTP Task (http:invoke)', () => {
  test('API key connection: headers, query, JSON body; the output in AWS shape', async () => {
    const r = await machine({
      ApiEndpoint: `${api.url}/apikey`,
      Method: 'POST',
      Authentication: { ConnectionArn: conn('key') },
      Headers: { 'X-Custom': 'yes' },
      QueryParameters: { q: 'a b', list: ['1', '2'] },
      RequestBody: { order: 7 },
    }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const out = r.output as JsonObject;
    assert.deepEqual(out.ResponseBody, { ok: 'apikey', got: { order: 7 } });
    assert.equal(out.StatusCode, 200);
    assert.equal(out.StatusText, 'OK');
    assert.deepEqual((out.Headers as JsonObject)['content-type'], ['application/json']);
    const s = api.seen[0]!;
    assert.equal(s.method, 'POST');
    assert.equal(s.url, '/apikey?q=a+b&list=1&list=2');
    assert.equal(s.headers['x-custom'], 'yes');
    assert.equal(s.headers['user-agent'], 'Amazon|StepFunctions|HttpInvoke|us-east-1');
    assert.match(String(s.headers['content-type']), /^application\/json/);
    const types = r.events.map((e) => e.type);
    assert.deepEqual(types.slice(1, 5), ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
  });

  test('basic connection', async () => {
    const r = await machine({ ApiEndpoint: `${api.url}/basic`, Method: 'GET', Authentication: { ConnectionArn: conn('basic') } }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual((r.output as JsonObject).ResponseBody, { ok: 'basic' });
  });

  test("the connection's invocation parameters are merged in (the connection's values win)", async () => {
    const r = await machine({
      ApiEndpoint: `${api.url}/echo`,
      Method: 'POST',
      Authentication: { ConnectionArn: conn('merge') },
      Headers: { 'x-tenant': 'from-task' },
      QueryParameters: { region: 'us' },
      RequestBody: { a: 1 },
    }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const s = api.seen[0]!;
    assert.equal(s.headers['x-tenant'], 'from-connection');
    assert.equal(s.url, '/echo?region=eu');
    assert.deepEqual(JSON.parse(s.body), { a: 1, source: 'connection' });
  });

  test('OAuth client credentials: the token is fetched once and cached', async () => {
    api.expiresIn = 3600;
    const sm = machine({ ApiEndpoint: `${api.url}/oauth/api`, Method: 'GET', Authentication: { ConnectionArn: conn('oauth') } });
    const a = await sm.run({});
    const b = await sm.run({});
    assert.equal(a.status, 'SUCCEEDED', a.cause);
    assert.equal(b.status, 'SUCCEEDED', b.cause);
    assert.equal(api.tokenRequests.length, 1);
    const form = new URLSearchParams(api.tokenRequests[0]!.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'read');
    assert.equal(((a.output as JsonObject).ResponseBody as JsonObject).token, ((b.output as JsonObject).ResponseBody as JsonObject).token);
  });

  test('OAuth: a 401 fetches a new token and tries once more; an expired token is renewed', async () => {
    api.expiresIn = 3600;
    const sm = machine({ ApiEndpoint: `${api.url}/oauth/api`, Method: 'GET', Authentication: { ConnectionArn: conn('oauth') } });
    const first = await sm.run({});
    assert.equal(first.status, 'SUCCEEDED', first.cause);
    api.valid.clear(); // the API revokes every token
    const second = await sm.run({});
    assert.equal(second.status, 'SUCCEEDED', second.cause);
    assert.notEqual(((second.output as JsonObject).ResponseBody as JsonObject).token, ((first.output as JsonObject).ResponseBody as JsonObject).token);
    assert.equal(api.seen.filter((s) => s.url === '/oauth/api').length, 3, 'the refused call and its retry');
    // Tokens that expire at once (within the renewal margin) are fetched again for every call.
    api.expiresIn = 1;
    api.valid.clear();
    assert.equal((await sm.run({})).status, 'SUCCEEDED');
    const before = api.tokenRequests.length;
    await sm.run({});
    await sm.run({});
    assert.equal(api.tokenRequests.length - before, 2);
  });

  test('a non-2xx answer fails with States.Http.StatusCode.<code>, the response as the cause; Catch sees it', async () => {
    const r = await machine({ ApiEndpoint: `${api.url}/status/404`, Method: 'GET', Authentication: { ConnectionArn: conn('key') } }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Http.StatusCode.404');
    const cause = JSON.parse(r.cause!) as JsonObject;
    assert.equal(cause.StatusCode, 404);
    assert.equal(cause.StatusText, 'Not Found');
    assert.deepEqual(cause.ResponseBody, { problem: 'status 404' });
    assert.deepEqual((cause.Headers as JsonObject)['x-trace'], ['abc']);
    const caught = await new StateMachine(
      {
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: HTTP, Parameters: { ApiEndpoint: `${api.url}/status/503`, Method: 'GET', Authentication: { ConnectionArn: conn('key') } }, Catch: [{ ErrorEquals: ['States.Http.StatusCode.503'], Next: 'Handled' }], End: true },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { config: config() },
    ).run({});
    assert.equal(caught.status, 'SUCCEEDED');
    assert.equal((caught.output as JsonObject).Error, 'States.Http.StatusCode.503');
  });

  test('no answer (nothing listens) fails with States.Http.Socket', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await machine({ ApiEndpoint: `http://127.0.0.1:${port}/x`, Method: 'GET', Authentication: { ConnectionArn: conn('key') } }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Http.Socket');
    assert.match(r.cause!, /ECONNREFUSED/);
  });

  test('a text answer stays a string', async () => {
    const r = await machine({ ApiEndpoint: `${api.url}/text`, Method: 'GET', Authentication: { ConnectionArn: conn('key') } }).run({});
    assert.equal((r.output as JsonObject).ResponseBody, 'plain words');
  });

  test('URL_ENCODED bodies with each ArrayFormat', async () => {
    const body = { name: 'a b', list: ['x', 'y'] };
    const expect: Record<string, string> = {
      INDICES: 'name=a%20b&list[0]=x&list[1]=y',
      REPEAT: 'name=a%20b&list=x&list=y',
      COMMAS: 'name=a%20b&list=x,y',
      BRACKETS: 'name=a%20b&list[]=x&list[]=y',
    };
    for (const [format, text] of Object.entries(expect)) {
      const r = await machine({
        ApiEndpoint: `${api.url}/echo`,
        Method: 'POST',
        Authentication: { ConnectionArn: conn('key') },
        RequestBody: body,
        Transform: { RequestBodyEncoding: 'URL_ENCODED', RequestEncodingOptions: { ArrayFormat: format } },
      }).run({});
      assert.equal(r.status, 'SUCCEEDED', r.cause);
      const echoed = (r.output as JsonObject).ResponseBody as JsonObject;
      assert.equal(echoed.body, text, format);
      assert.equal(echoed.contentType, 'application/x-www-form-urlencoded');
    }
    assert.equal(urlEncode({ o: { k: 1 } }), 'o[k]=1');
  });

  test('refused: headers AWS does not allow, unmapped connections, unknown fields, a GET with a body', async () => {
    const cases: [JsonObject, RegExp][] = [
      [{ Headers: { Authorization: 'x' } }, /unsupported values: \[authorization\]/],
      [{ Headers: { 'X-Amz-Date': 'x' } }, /unsupported values: \[x-amz-date\]/],
      [{ Authentication: { ConnectionArn: conn('nope') } }, /is not in the Stepwise config file/],
      [{ Body: {} }, /The field 'Body' is not supported/],
      [{ RequestBody: { a: 1 } }, /A GET request has no body/],
      [{ Transform: { RequestEncodingOptions: { ArrayFormat: 'INDICES' } } }, /applies only with 'RequestBodyEncoding': 'URL_ENCODED'/],
    ];
    for (const [extra, message] of cases) {
      const r = await machine({ ApiEndpoint: `${api.url}/echo`, Method: 'GET', Authentication: { ConnectionArn: conn('key') }, ...extra }).run({});
      assert.equal(r.status, 'FAILED');
      assert.equal(r.error, 'States.Runtime');
      assert.match(r.cause!, message);
    }
    assert.equal(api.seen.length, 0, 'nothing was sent');
  });

  test('no answer within the time limit (AWS: 60 s) is States.Http.Socket; a stop aborts the request', async () => {
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/slow`;
    const quick = new HttpInvoker(parseLocalConfig(config() as unknown as Json), { timeoutMs: 200 });
    const patient = new HttpInvoker(parseLocalConfig(config() as unknown as Json));
    const call = (invoker: HttpInvoker, cancel: Cancellation) =>
      new Promise<{ error?: string; cause?: string; output?: Json }>((resolve) => {
        const cb = { started() {}, heartbeat() {}, submitted() {}, detach() {}, succeeded: (output: Json) => resolve({ output }), failed: (error?: string, cause?: string) => resolve({ error, cause }) };
        const ctx = { executionArn: 'e', stateMachineArn: 's', idempotencyKey: 'k', region: 'us-east-1', accountId: '123456789012', cancel };
        const cmd = { k: 'invokeTask', seq: 1, stateName: 'Call', resource: { kind: 'service', arn: HTTP, service: 'http', action: 'invoke', api: 'invoke', pattern: 'request-response' }, input: { ApiEndpoint: url, Method: 'GET', Authentication: { ConnectionArn: conn('key') } }, timeoutSeconds: undefined, heartbeatSeconds: undefined, token: undefined, attempt: 0, credentials: undefined } as const;
        invoker.invoke(cmd, ctx, cb);
      });
    try {
      const r = await call(quick, new Cancellation());
      assert.equal(r.error, 'States.Http.Socket');
      assert.match(r.cause!, /timed out after 0.2 seconds/);
      // Cancelled (StopExecution, TimeoutSeconds): the request is aborted at once (long before the 60 s) and nothing is reported.
      const cancel = new Cancellation();
      let reported = false;
      const connected = new Promise<import('node:net').Socket>((r) => hang.once('connection', r));
      void call(patient, cancel).then(() => (reported = true));
      const socket = await connected;
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      cancel.cancel();
      await closed;
      assert.equal(reported, false);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });
});
