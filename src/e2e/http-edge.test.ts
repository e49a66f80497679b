/**
 * The HTTP edge of the server, over real sockets: oversized bodies get an answer (raw HTTP and the AWS
 * CLI), large values are never echoed in errors, only real operations dispatch, definitions with
 * trailing content are refused, diagnostics stay bounded, odd paths and methods get clean 404s, slow
 * clients are cut off while a long poll longer than the request timeout still works, and the AWS CLI
 * reaches `sync-<host>` operations through the server as its HTTP proxy (no /etc/hosts entry).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  GetActivityTaskCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { assertCliError, cli, passDefinition, rawRequest, rejectsAws, resolves, ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

const MiB = 1024 * 1024;

/** One request over its own connection; resolves with the answer (or how the connection ended). */
function send(port: number, opts: { path?: string; method?: string; headers?: Record<string, string | number>; body?: Buffer | string }): Promise<{ status?: number; text: string; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: opts.path ?? '/', method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ text: '', error: e.message }));
    });
    req.on('error', (e) => resolve({ text: '', error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(opts.body);
  });
}

/** Writes raw bytes to the server and collects what comes back until the server closes (or `ms` pass). */
function rawExchange(port: number, data: string, ms = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ text, closed: false });
    }, ms);
    sock.on('data', (c) => (text += c.toString('latin1')));
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    sock.on('error', () => {});
    sock.write(data);
  });
}

/** A client that sends `head`, then one byte of `drip` every `everyMs`; resolves when the server closes on it. */
function slowClient(port: number, head: string, drip: string, everyMs: number, giveUpMs: number): Promise<{ closedAfterMs: number | undefined; text: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = connect(port, '127.0.0.1');
    let text = '';
    let i = 0;
    const timer = setInterval(() => {
      if (sock.writable) sock.write(drip[i++ % drip.length]!);
    }, everyMs);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      sock.destroy();
      resolve({ closedAfterMs: undefined, text });
    }, giveUpMs);
    sock.on('data', (c) => (text += c.toString('latin1')));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, text });
    });
    sock.write(head);
  });
}

const target = (op: string) => ({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}` });

let srv: TestServer;
let tmp: string;

before(async () => {
  srv = await startTestServer({ httpTimeouts: { headersMs: 1000, requestMs: 1500, checkIntervalMs: 100 } });
  tmp = mkdtempSync(join(tmpdir(), 'stepwise-http-edge-'));
});

after(async () => {
  await srv.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a request body over 4 MiB', () => {
  const big = Buffer.alloc(5 * MiB, 'a');

  it('is answered with a ValidationException and the server keeps serving', async () => {
    const r = await send(srv.port, { headers: target('ListStateMachines'), body: big });
    assert.equal(r.error, undefined, `the connection failed: ${r.error}`);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.text), { __type: 'ValidationException', message: 'Request body exceeds the maximum size of 4194304 bytes' });
    // Sent without a Content-Length (chunked) too.
    const chunked = await send(srv.port, { headers: { ...target('ListStateMachines'), 'transfer-encoding': 'chunked' }, body: big });
    assert.equal(chunked.status, 400);
    assert.equal(JSON.parse(chunked.text).__type, 'ValidationException');
    // A declared length too large to be worth reading is answered at once, and the connection closed.
    const huge = await rawExchange(srv.port, 'POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 1000000000\r\n\r\n{"a":', 5000);
    assert.ok(huge.closed, 'the server kept the connection open');
    assert.match(huge.text, /^HTTP\/1\.1 400 [^]*\r\n\r\n\{"__type":"ValidationException","message":"Request body exceeds the maximum size of 4194304 bytes"\}$/);
    const next = await send(srv.port, { headers: target('ListStateMachines'), body: '{}' });
    assert.equal(next.status, 200);
    assert.ok(Array.isArray(JSON.parse(next.text).stateMachines));
  });

  it('is answered to the AWS CLI with the error, not a closed connection', async () => {
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('big-input'), definition: passDefinition(), roleArn: ROLE }));
    const file = join(tmp, 'big-input.json');
    writeFileSync(file, JSON.stringify({ blob: 'x'.repeat(5 * MiB) }));
    const r = await cli(srv.endpoint, ['start-execution', '--state-machine-arn', stateMachineArn!, '--input', `file://${file}`]);
    assertCliError(r, 'ValidationException', 'StartExecution', 'Request body exceeds the maximum size of 4194304 bytes');
    await srv.client.send(new ListStateMachinesCommand({}));
  });
});

describe('errors never repeat a large value', () => {
  it('a definition over 1 MiB is refused in AWS words without echoing it', async () => {
    const definition = passDefinition('x'.repeat(MiB + 10));
    const message = "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576";
    await rejectsAws(srv.client.send(new CreateStateMachineCommand({ name: uniqueName('huge'), definition, roleArn: ROLE })), 'ValidationException', message);
    await rejectsAws(srv.client.send(new ValidateStateMachineDefinitionCommand({ definition })), 'ValidationException', message);
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('small'), definition: passDefinition(), roleArn: ROLE }));
    await rejectsAws(srv.client.send(new UpdateStateMachineCommand({ stateMachineArn, definition })), 'ValidationException', message);
  });

  it('an execution input over 256 KiB is not echoed', async () => {
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('input'), definition: passDefinition(), roleArn: ROLE }));
    const e = await rejectsAws(srv.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify('y'.repeat(300000)) })), 'ValidationException');
    assert.equal(e.message, "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144");
  });

  it('long names and ARNs are cut short', async () => {
    const name = 'n'.repeat(100000);
    const r = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.CreateStateMachine', body: JSON.stringify({ name, definition: passDefinition(), roleArn: ROLE }) });
    assert.equal(r.status, 400);
    assert.ok(r.text.length < 5000, `a ${r.text.length}-character error`);
    assert.match(String(r.body?.message), /^1 validation error detected: Value 'n{4096}\.\.\.\[95904 more characters\]' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80$/);
    const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:${'m'.repeat(100000)}`;
    const d = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.DescribeStateMachine', body: JSON.stringify({ stateMachineArn: arn }) });
    assert.equal(d.status, 400);
    assert.ok(d.text.length < 5000, `a ${d.text.length}-character error`);
    const testState = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.TestState', body: JSON.stringify({ definition: { Type: 'Pass', Result: 'r'.repeat(100000), End: true }, roleArn: ROLE }) });
    assert.equal(testState.body?.__type, 'ValidationException');
    assert.match(String(testState.body?.message), /^Invalid type for parameter definition, value: \{"Type":"Pass","Result":"r+\.\.\.\[\d+ more characters\], type: object, valid types: string$/);
    assert.ok(testState.text.length < 5000, `a ${testState.text.length}-character error`);
    const unknown = await rawRequest(srv.endpoint, { target: `AWSStepFunctions.${'Z'.repeat(12000)}` });
    assert.equal(unknown.body?.__type, 'UnknownOperationException');
    assert.ok(unknown.text.length < 5000, `a ${unknown.text.length}-character error`);
  });
});

describe('X-Amz-Target', () => {
  it('dispatches only the operations of the table, never inherited properties', async () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'ListStateMachines.extra', '']) {
      const r = await rawRequest(srv.endpoint, { target: `AWSStepFunctions.${name}` });
      assert.equal(r.status, 400, `${name}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(r.body?.__type, 'UnknownOperationException', name);
      assert.equal(r.headers.get('x-amzn-errortype'), 'UnknownOperationException');
      assert.ok(r.text.length < 500, `${name}: ${r.text.slice(0, 200)}`);
    }
    const ok = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.ListStateMachines' });
    assert.equal(ok.status, 200);
  });
});

describe('a definition with content after its JSON value', () => {
  const base = passDefinition();
  const cases: [string, string][] = [
    [
      `${base}{"x":1}`,
      `INVALID_JSON_DESCRIPTION: Trailing token (of type START_OBJECT) found after value (bound as \`com.fasterxml.jackson.databind.JsonNode\`): not allowed as per \`DeserializationFeature.FAIL_ON_TRAILING_TOKENS\`\n at [Source: (String)"${base}{"x":1}"; line: 1, column: ${base.length + 2}]`,
    ],
    [
      `${base} xyz`,
      `INVALID_JSON_DESCRIPTION: Unrecognized token 'xyz': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)"${base} xyz"; line: 1, column: ${base.length + 5}]`,
    ],
  ];

  it('is refused by CreateStateMachine, UpdateStateMachine and ValidateStateMachineDefinition', async () => {
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('trailing'), definition: base, roleArn: ROLE }));
    for (const [definition, diagnostic] of cases) {
      const message = `Invalid State Machine Definition: '${diagnostic}'`;
      await rejectsAws(srv.client.send(new CreateStateMachineCommand({ name: uniqueName('trailing'), definition, roleArn: ROLE })), 'InvalidDefinition', message);
      await rejectsAws(srv.client.send(new UpdateStateMachineCommand({ stateMachineArn, definition })), 'InvalidDefinition', message);
      const v = await srv.client.send(new ValidateStateMachineDefinitionCommand({ definition }));
      assert.equal(v.result, 'FAIL');
      assert.equal(v.diagnostics?.[0]?.code, 'INVALID_JSON_DESCRIPTION');
    }
    // The machine still runs its (valid) definition.
    const { executionArn } = await srv.client.send(new StartExecutionCommand({ stateMachineArn }));
    assert.equal((await waitForEnd(srv.client, executionArn!)).status, 'SUCCEEDED');
    // White space after the value is fine.
    const ws = await srv.client.send(new ValidateStateMachineDefinitionCommand({ definition: `${base} \n\t ` }));
    assert.equal(ws.result, 'OK');
  });

  it('is refused by TestState', async () => {
    const r = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.TestState', body: JSON.stringify({ definition: '{"Type":"Pass","End":true} xyz', roleArn: ROLE }) });
    assert.equal(r.status, 400);
    assert.equal(r.body?.__type, 'InvalidDefinition');
  });
});

describe('a big definition full of errors', () => {
  // Nested Parallels, each with a state whose Next names nothing: every error's location repeats the path.
  // 240 levels of 4 JSON levels each stay within the 1000 levels of nesting a definition may have.
  let state: Record<string, unknown> = { Type: 'Pass', Next: 'Nowhere' };
  for (let i = 0; i < 240; i++) state = { Type: 'Parallel', End: true, Branches: [{ StartAt: 'A', States: { A: state, [`B${'b'.repeat(100)}`]: { Type: 'Pass', Next: `Missing${i}` } } }] };
  const definition = JSON.stringify({ StartAt: 'A', States: { A: state } });

  it('gets a bounded InvalidDefinition message', async () => {
    assert.ok(definition.length > 40000);
    const r = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.CreateStateMachine', body: JSON.stringify({ name: uniqueName('errors'), definition, roleArn: ROLE }) });
    assert.equal(r.status, 400);
    assert.equal(r.body?.__type, 'InvalidDefinition');
    assert.ok(r.text.length < 300000, `a ${r.text.length}-character error`);
    const message = String(r.body?.message);
    assert.ok(message.startsWith("Invalid State Machine Definition: '"), message.slice(0, 200));
    assert.match(message, /' \(\d+ more errors not shown\)$/);
  });

  it('gets at most maxResults (default and most 100) bounded diagnostics, with truncated', async () => {
    const all = await srv.client.send(new ValidateStateMachineDefinitionCommand({ definition }));
    assert.equal(all.result, 'FAIL');
    assert.equal(all.diagnostics?.length, 100);
    assert.equal(all.truncated, true);
    for (const d of all.diagnostics!) assert.ok(d.message!.length + (d.location?.length ?? 0) < 3000, `a diagnostic of ${d.message!.length + (d.location?.length ?? 0)} characters`);
    // One error, deep down (a ResultPath that is no path): its location names 40 states of 80 characters.
    let deep: Record<string, unknown> = { Type: 'Pass', End: true, ResultPath: 'nowhere' };
    for (let i = 0; i < 40; i++) deep = { Type: 'Parallel', End: true, Branches: [{ StartAt: `${'s'.repeat(78)}${String(i).padStart(2, '0')}`, States: { [`${'s'.repeat(78)}${String(i).padStart(2, '0')}`]: deep } }] };
    const one = await srv.client.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'A', States: { A: deep } }) }));
    assert.equal(one.diagnostics?.length, 1);
    assert.ok(one.diagnostics![0]!.location!.length < 1100, `a ${one.diagnostics![0]!.location!.length}-character location`);
    assert.match(one.diagnostics![0]!.location!, /^\/States\/A\/Branches\[0\]\/States\/s+39\/.*\.\.\.\[\d+ more characters\]$/);
    const five = await srv.client.send(new ValidateStateMachineDefinitionCommand({ definition, maxResults: 5 }));
    assert.equal(five.diagnostics?.length, 5);
    assert.equal(five.truncated, true);
  });
});

describe('odd paths and methods', () => {
  it('get a clean 404 in AWS shape and the server keeps serving', async () => {
    for (const [method, path] of [
      ['GET', '//'],
      ['GET', '//evil.example/x'],
      ['GET', '///'],
      ['PUT', '/'],
      ['DELETE', '//'],
      ['PATCH', '/x/../..'],
      ['GET', '/%'],
      ['GET', '/?%%'],
      ['POST', '//'],
    ] as const) {
      const r = await send(srv.port, { method, path, headers: { 'x-amz-target': method === 'POST' ? 'AWSStepFunctions.ListStateMachines' : '' } });
      assert.equal(r.error, undefined, `${method} ${path}: ${r.error}`);
      assert.ok(r.status === 404 || r.status === 200, `${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status === 404 && r.text) assert.equal(JSON.parse(r.text).__type, 'UnknownOperationException', `${method} ${path}`);
    }
    const slashes = await send(srv.port, { method: 'GET', path: '//' });
    assert.equal(slashes.status, 404);
    assert.deepEqual(JSON.parse(slashes.text), { __type: 'UnknownOperationException', message: 'No operation at GET //' });
    // Request targets no browser sends.
    for (const line of ['OPTIONS * HTTP/1.1', 'GET * HTTP/1.1', 'GET http://[::1 HTTP/1.1', 'GET ftp://x/ HTTP/1.1', 'GET x HTTP/1.1']) {
      const r = await rawExchange(srv.port, `${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      const status = /^HTTP\/1\.1 (\d+)/.exec(r.text)?.[1];
      assert.ok(status === '404' || status === '400', `${line}: ${r.text.slice(0, 200)}`);
    }
    const ok = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.ListStateMachines' });
    assert.equal(ok.status, 200);
  });
});

describe('slow clients', () => {
  it('are cut off when their headers trickle in', async () => {
    const r = await slowClient(srv.port, 'POST / HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n', 100, 8000);
    assert.ok(r.closedAfterMs !== undefined, 'the server never closed the connection');
    assert.match(r.text, /^HTTP\/1\.1 408/);
  });

  it('are cut off when their body trickles in', async () => {
    const head = 'POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100000\r\n\r\n';
    const r = await slowClient(srv.port, head, ' ', 100, 8000);
    assert.ok(r.closedAfterMs !== undefined, 'the server never closed the connection');
  });

  it('do not cut off a long poll that outlasts the request timeout', { timeout: 20000 }, async () => {
    const { activityArn } = await srv.client.send(new CreateActivityCommand({ name: uniqueName('poll') }));
    const definition = JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('poll'), definition, roleArn: ROLE }));
    const started = Date.now();
    const poll = srv.client.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }));
    await new Promise((r) => setTimeout(r, 2500)); // longer than the 1.5 s request timeout
    await srv.client.send(new StartExecutionCommand({ stateMachineArn, input: '{"n":1}' }));
    const task = await poll;
    assert.ok(Date.now() - started >= 2500);
    assert.ok(task.taskToken, 'the long poll returned no task');
    assert.equal(task.input, '{"n":1}');
  });
});

describe('the AWS CLI and sync-<host> operations', () => {
  it('reaches StartSyncExecution through the server as its HTTP proxy, with no /etc/hosts entry', async () => {
    const host = `sync-stepwise-${process.pid}.invalid`;
    assert.equal(await resolves(host), false);
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('sync'), definition: passDefinition({ fast: true }), roleArn: ROLE, type: 'EXPRESS' }));
    // The endpoint names a host the CLI cannot resolve, and sync-<it> neither: only the proxy setting gets it there.
    const endpoint = `http://stepwise-${process.pid}.invalid:${srv.port}`;
    const without = await cli(endpoint, ['start-sync-execution', '--state-machine-arn', stateMachineArn!], { AWS_MAX_ATTEMPTS: '1' });
    assert.notEqual(without.code, 0);
    const r = await cli(endpoint, ['start-sync-execution', '--state-machine-arn', stateMachineArn!, '--input', '{"x": 1}'], { HTTP_PROXY: srv.endpoint });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.status, 'SUCCEEDED');
    assert.equal(r.json?.output, '{"fast":true}');
  });

  it('TestState sent to sync-<host> in proxy form is served', async () => {
    const r = await send(srv.port, {
      path: `http://sync-localhost:${srv.port}/`,
      headers: { ...target('TestState'), host: `sync-localhost:${srv.port}` },
      body: JSON.stringify({ definition: '{"Type":"Pass","Result":{"ok":true},"End":true}', roleArn: ROLE, input: '{}' }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(JSON.parse(r.text), { status: 'SUCCEEDED', output: '{"ok":true}' });
    const page = await send(srv.port, { method: 'GET', path: `http://localhost:${srv.port}/` });
    assert.equal(page.status, 200);
  });
});
