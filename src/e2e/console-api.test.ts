/**
 * E2E: the web console's endpoints on a real server — static files (types, no-cache, traversal refused),
 * the not-built page, state machines with counts, executions filtered and paged, a callback task's
 * token (answered with SendTaskSuccess), log levels, and the SSE history stream (live events of an
 * execution in a Wait, the final status, listeners removed on disconnect); Standard and Express.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, ListStateMachinesCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { rawRequest, ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

let root: string;
let consoleDir: string;
let srv: TestServer;
const LOG_GROUP = 'arn:aws:logs:us-east-1:123456789012:log-group:/stepwise/console:*';

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'stepwise-console-'));
  consoleDir = join(root, 'console');
  mkdirSync(join(consoleDir, 'assets'), { recursive: true });
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Stepwise console</title><script src="/console/app.js"></script>');
  writeFileSync(join(consoleDir, 'app.js'), 'console.log("app")');
  writeFileSync(join(consoleDir, 'app.js.map'), '{"version":3}');
  writeFileSync(join(consoleDir, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(consoleDir, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(consoleDir, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
  const functions = join(root, 'functions');
  mkdirSync(functions);
  writeFileSync(join(functions, 'noop.mjs'), 'export async function handler() { return { ok: true }; }\n');
  srv = await startTestServer({ consoleDir, functionsDir: functions, waitTimeScale: 0.3, consoleStream: { heartbeatMs: 100 } });
});
after(async () => {
  await srv.close();
  rmSync(root, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await fetch(srv.endpoint + path);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
};

/** A GET with the path sent as is (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function createMachine(definition: object, opts: { type?: 'STANDARD' | 'EXPRESS'; level?: 'ALL' | 'ERROR' | 'FATAL' } = {}): Promise<string> {
  const out = await srv.client.send(
    new CreateStateMachineCommand({
      name: uniqueName('console'),
      definition: JSON.stringify(definition),
      roleArn: ROLE,
      type: opts.type,
      loggingConfiguration: opts.level ? { level: opts.level, includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: LOG_GROUP } }] } : undefined,
    }),
  );
  return out.stateMachineArn!;
}

async function start(stateMachineArn: string, input: unknown, name?: string): Promise<string> {
  const out = await srv.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }));
  return out.executionArn!;
}

const execPath = (arn: string, what: string, query = '') => `/console/api/executions/${encodeURIComponent(arn)}/${what}${query}`;

/** Reads an SSE stream until it ends (or `until` says so); returns the messages and comments. */
async function readStream(path: string, opts: { until?: (msgs: { event: string; data: any }[]) => boolean; signal?: AbortSignal; timeoutMs?: number } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 10000);
  opts.signal?.addEventListener('abort', () => ctl.abort());
  const res = await fetch(srv.endpoint + path, { signal: ctl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const msgs: { event: string; data: any }[] = [];
  let comments = 0;
  let buf = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let at: number;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        if (block.startsWith(':')) {
          comments++;
          continue;
        }
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
        msgs.push({ event, data });
      }
      if (opts.until?.(msgs)) {
        ctl.abort();
        break;
      }
    }
  } catch (e) {
    if (!ctl.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  return { msgs, comments, ended: !ctl.signal.aborted };
}

async function until<T>(f: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('console: static files', () => {
  it('serves the index at / and /index.html and files under /console/ with their types, no-cache', async () => {
    for (const p of ['/', '/index.html', '/?x=1']) {
      const r = await get(p);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type')!, /^text\/html/);
      assert.match(r.text, /Stepwise console/);
    }
    const types: [string, RegExp][] = [
      ['/console/app.js', /^text\/javascript/],
      ['/console/app.js.map', /^application\/json/],
      ['/console/assets/style.css', /^text\/css/],
      ['/console/assets/icon.svg', /^image\/svg\+xml/],
      ['/console/assets/logo.png', /^image\/png/],
      ['/console/index.html', /^text\/html/],
    ];
    for (const [p, type] of types) {
      const r = await get(p);
      assert.equal(r.status, 200, p);
      assert.match(r.headers.get('content-type')!, type, p);
      assert.equal(r.headers.get('cache-control'), 'no-cache', p);
    }
    assert.equal((await get('/console/app.js')).text, 'console.log("app")');
    const head = await fetch(srv.endpoint + '/console/app.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const missing = await get('/console/nope.js');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.__type, 'ResourceNotFound');
    assert.equal((await get('/console/assets')).status, 404);
  });

  it('refuses paths out of the console folder', async () => {
    for (const p of ['/console/../secret.txt', '/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt', '/console/assets/../../secret.txt', '/console/..%5csecret.txt', '/console/%2fetc%2fpasswd', '/console/app.js%00.png']) {
      const r = await rawGet(p);
      // Refused (a `..` the URL parser resolves leaves /console/ and falls through to the API's 404).
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, /TOP SECRET|root:/, p);
      assert.ok(['ResourceNotFound', 'UnknownOperationException'].includes(JSON.parse(r.body).__type), p);
    }
  });

  it('leaves the AWS API and other paths as they were', async () => {
    const listed = await srv.client.send(new ListStateMachinesCommand({}));
    assert.ok(Array.isArray(listed.stateMachines));
    const other = await rawRequest(srv.endpoint, { method: 'GET', path: '/nothing-here' });
    assert.equal(other.status, 404);
    assert.equal(other.body?.__type, 'UnknownOperationException');
    const post = await rawRequest(srv.endpoint, { method: 'POST', path: '/console/api/state-machines' });
    assert.equal(post.body?.__type, 'UnknownOperationException');
    const api = await get('/console/api/nothing');
    assert.equal(api.status, 404);
    assert.equal(api.json.__type, 'ResourceNotFound');
  });

  it('says how to build the console when it is not built', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const other = await startTestServer({ db: ':memory:', consoleDir: empty });
    try {
      const res = await fetch(other.endpoint + '/');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      const text = await res.text();
      assert.match(text, /not built/);
      assert.match(text, /npm run build/);
      assert.equal((await fetch(other.endpoint + '/console/app.js')).status, 404);
    } finally {
      await other.close();
    }
  });
});

describe('console: state machines and executions', () => {
  it('lists state machines with counts per status, and executions filtered and paged', async () => {
    const def = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'No' }], Default: 'Yes' }, Yes: { Type: 'Pass', End: true }, No: { Type: 'Fail', Error: 'Nope', Cause: 'said no' } } };
    const sm = await createMachine(def, { level: 'ERROR' });
    const t0 = Date.now();
    const arns: string[] = [];
    for (const [i, ok] of [true, false, true, true, false].entries()) {
      arns.push(await start(sm, { ok }, `order-${i}${ok ? '' : '-Bad'}`));
      await waitForEnd(srv.client, arns[i]!);
      await new Promise((r) => setTimeout(r, 5));
    }
    const t1 = Date.now();
    const machines = (await get('/console/api/state-machines')).json.stateMachines as any[];
    const mine = machines.find((m) => m.stateMachineArn === sm);
    assert.equal(mine.type, 'STANDARD');
    assert.equal(typeof mine.creationDate, 'number');
    assert.ok(mine.creationDate < 1e11, 'epoch seconds');
    assert.equal(mine.loggingConfiguration.level, 'ERROR');
    assert.deepEqual(mine.counts, { SUCCEEDED: 3, FAILED: 2 });

    const q = (s: string) => get(`/console/api/executions?stateMachineArn=${encodeURIComponent(sm)}${s}`);
    const all = (await q('')).json;
    assert.equal(all.hasMore, false);
    assert.deepEqual(
      all.executions.map((e: any) => e.name),
      ['order-4-Bad', 'order-3', 'order-2', 'order-1-Bad', 'order-0'],
    );
    const first = all.executions[0];
    assert.equal(first.executionArn, arns[4]);
    assert.equal(first.stateMachineArn, sm);
    assert.equal(first.stateMachineName, sm.split(':')[6]);
    assert.equal(first.status, 'FAILED');
    assert.equal(first.redriveCount, 0);
    assert.ok(first.startDate < 1e11 && first.stopDate >= first.startDate);
    assert.deepEqual(
      (await q('&status=FAILED')).json.executions.map((e: any) => e.name),
      ['order-4-Bad', 'order-1-Bad'],
    );
    assert.deepEqual(
      (await q('&name=Bad')).json.executions.map((e: any) => e.name),
      ['order-4-Bad', 'order-1-Bad'],
    );
    assert.deepEqual((await q('&name=bad')).json.executions, []);
    const page1 = (await q('&limit=2')).json;
    assert.deepEqual(
      [page1.executions.map((e: any) => e.name), page1.hasMore],
      [['order-4-Bad', 'order-3'], true],
    );
    const page3 = (await q('&limit=2&offset=4')).json;
    assert.deepEqual(
      [page3.executions.map((e: any) => e.name), page3.hasMore],
      [['order-0'], false],
    );
    assert.equal((await q(`&from=${t0}&to=${t1}`)).json.executions.length, 5);
    assert.equal((await q(`&from=${t1 + 1}`)).json.executions.length, 0);
    const startOf2 = all.executions[2].startDate * 1000;
    assert.deepEqual(
      (await q(`&to=${Math.round(startOf2)}`)).json.executions.map((e: any) => e.name),
      ['order-2', 'order-1-Bad', 'order-0'],
    );
    for (const bad of ['&limit=0', '&limit=1001', '&limit=x', '&offset=-1', '&from=yesterday', '&status=DONE']) {
      const r = await q(bad);
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.__type, 'ValidationException', bad);
      assert.equal(typeof r.json.message, 'string');
    }
    assert.equal((await q('&limit=1000')).status, 200);
  });

  it('logs: the configured level by default, any level on request', async () => {
    const def = { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'F' }, F: { Type: 'Fail', Error: 'Boom', Cause: 'on purpose' } } };
    const sm = await createMachine(def, { level: 'ERROR' });
    const arn = await start(sm, {});
    await waitForEnd(srv.client, arn);
    const byDefault = (await get(execPath(arn, 'logs'))).json;
    assert.equal(byDefault.level, 'ERROR');
    assert.equal(byDefault.configuredLevel, 'ERROR');
    assert.deepEqual(
      byDefault.lines.map((l: any) => [l.event, l.level, l.state ?? null]),
      [
        ['FailStateEntered', 'ERROR', 'F'],
        ['ExecutionFailed', 'FATAL', null],
      ],
    );
    assert.equal(byDefault.lines[1].message, 'Boom: on purpose');
    assert.equal(typeof byDefault.lines[1].time, 'number');
    const all = (await get(execPath(arn, 'logs', '?level=ALL'))).json;
    assert.equal(all.level, 'ALL');
    assert.deepEqual(
      all.lines.map((l: any) => l.event),
      ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'FailStateEntered', 'ExecutionFailed'],
    );
    assert.deepEqual(
      (await get(execPath(arn, 'logs', '?level=FATAL'))).json.lines.map((l: any) => l.event),
      ['ExecutionFailed'],
    );
    assert.deepEqual((await get(execPath(arn, 'logs', '?level=OFF'))).json.lines, []);
    const bad = await get(execPath(arn, 'logs', '?level=DEBUG'));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.__type, 'ValidationException');
    // Logging OFF (the default configuration): no lines unless asked.
    const quiet = await createMachine(def);
    const qa = await start(quiet, {});
    await waitForEnd(srv.client, qa);
    const off = (await get(execPath(qa, 'logs'))).json;
    assert.deepEqual([off.level, off.configuredLevel, off.lines], ['OFF', 'OFF', []]);
    const unknown = await get(execPath(`${sm.replace(':stateMachine:', ':execution:')}:nope`, 'logs'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.__type, 'ResourceNotFound');
  });
});

describe('console: tasks and the live stream', () => {
  it('a callback task waiting: its token is listed and SendTaskSuccess with it finishes the execution', async () => {
    const sm = await createMachine({
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'noop', Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
          HeartbeatSeconds: 600,
          TimeoutSeconds: 3600,
          End: true,
        },
      },
    });
    const arn = await start(sm, { order: 7 });
    const tasks = await until(async () => {
      const r = (await get(execPath(arn, 'tasks'))).json.tasks as any[];
      return r.length ? r : undefined;
    });
    assert.equal(tasks.length, 1);
    const t = tasks[0];
    assert.equal(t.stateName, 'Approve');
    assert.equal(t.kind, 'callback');
    assert.equal(typeof t.token, 'string');
    assert.deepEqual(JSON.parse(t.input).Payload.order, 7);
    assert.equal(JSON.parse(t.input).Payload.token, t.token);
    assert.equal(t.heartbeatSeconds, 600);
    assert.equal(t.timeoutSeconds, 3600);
    assert.ok(typeof t.createdAt === 'number' && t.createdAt > 1e12, 'epoch ms');
    await srv.client.send(new SendTaskSuccessCommand({ taskToken: t.token, output: '{"approved":true}' }));
    const end = await waitForEnd(srv.client, arn);
    assert.equal(end.status, 'SUCCEEDED');
    assert.equal(end.output, '{"approved":true}');
    assert.deepEqual((await get(execPath(arn, 'tasks'))).json.tasks, []);
    const unknown = await get(execPath(arn + 'x', 'tasks'));
    assert.equal(unknown.status, 404);
  });

  it('every open task token across executions: listed with its execution, oldest first; the executions list counts them', async () => {
    const waiting = {
      StartAt: 'Review',
      States: {
        Review: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'noop', Payload: { 'token.$': '$$.Task.Token', 'doc.$': '$.doc' } },
          TimeoutSeconds: 86400,
          End: true,
        },
      },
    };
    const smA = await createMachine(waiting);
    const smB = await createMachine(waiting);
    const a = await start(smA, { doc: 'a' }, 'waits-a');
    const b = await start(smB, { doc: 'b' }, 'waits-b');
    const done = await start(await createMachine({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), {});
    await waitForEnd(srv.client, done);
    const mine = (all: any[]) => all.filter((t) => t.executionArn === a || t.executionArn === b);
    const tasks = await until(async () => {
      const r = await get('/console/api/tasks');
      assert.equal(r.status, 200);
      assert.equal(r.json.truncated, false);
      const m = mine(r.json.tasks as any[]);
      return m.length === 2 ? m : undefined;
    });
    assert.deepEqual(
      tasks.map((t) => [t.executionName, t.stateMachineArn, t.stateName, t.kind, t.timeoutSeconds, JSON.parse(t.input).Payload.doc]),
      [
        ['waits-a', smA, 'Review', 'callback', 86400, 'a'],
        ['waits-b', smB, 'Review', 'callback', 86400, 'b'],
      ],
    );
    assert.equal(tasks[0].stateMachineName, smA.split(':')[6]);
    assert.ok(tasks[0].createdAt <= tasks[1].createdAt);
    const listed = (await get(`/console/api/executions?stateMachineArn=${encodeURIComponent(smA)}`)).json.executions as any[];
    assert.deepEqual(listed.map((e) => [e.name, e.waitingTasks]), [['waits-a', 1]]);
    const ended = (await get(`/console/api/executions?status=SUCCEEDED`)).json.executions as any[];
    assert.ok(ended.length > 0 && ended.every((e) => e.waitingTasks === undefined));
    await srv.client.send(new SendTaskSuccessCommand({ taskToken: tasks[0].token, output: '{}' }));
    await waitForEnd(srv.client, a);
    await until(async () => {
      const m = mine((await get('/console/api/tasks')).json.tasks as any[]);
      return m.length === 1 && m[0].executionArn === b ? m : undefined;
    });
    await srv.client.send(new SendTaskSuccessCommand({ taskToken: tasks[1].token, output: '{}' }));
    await waitForEnd(srv.client, b);
  });

  it('streams a running execution’s events as they are committed, then its status', async () => {
    const sm = await createMachine({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'W' }, W: { Type: 'Wait', Seconds: 1, Next: 'B' }, B: { Type: 'Pass', Result: { done: 1 }, End: true } } });
    const arn = await start(sm, { x: 1 });
    const { msgs, comments, ended } = await readStream(execPath(arn, 'stream'));
    assert.ok(ended, 'the server closes the stream after the status');
    assert.ok(comments >= 1, 'heartbeats while the Wait runs');
    assert.equal(msgs[0]!.event, 'history');
    const history = msgs.filter((m) => m.event === 'history');
    assert.ok(history.length >= 2, 'more than the first message');
    const events = history.flatMap((m) => m.data.events);
    assert.deepEqual(
      events.map((e: any) => e.id),
      events.map((_: unknown, i: number) => i + 1),
    );
    assert.deepEqual(
      events.map((e: any) => e.type),
      ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered', 'WaitStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    );
    assert.equal(typeof events[0].timestamp, 'number');
    assert.equal(events[0].executionStartedEventDetails.input, '{"x":1}');
    const last = msgs[msgs.length - 1]!;
    assert.equal(last.event, 'status');
    assert.equal(last.data.status, 'SUCCEEDED');
    assert.equal(last.data.output, '{"done":1}');
    assert.equal(typeof last.data.stopDate, 'number');
    // A later stream of the ended execution: events after `after`, then the status at once.
    const again = await readStream(execPath(arn, 'stream', '?after=6'));
    assert.deepEqual(
      again.msgs.map((m) => m.event),
      ['history', 'status'],
    );
    assert.deepEqual(
      again.msgs[0]!.data.events.map((e: any) => e.id),
      [7, 8],
    );
    const none = await readStream(execPath(arn, 'stream', '?after=8'));
    assert.deepEqual(
      none.msgs.map((m) => [m.event, m.data.events?.length ?? m.data.status]),
      [
        ['history', 0],
        ['status', 'SUCCEEDED'],
      ],
    );
    const bad = await get(execPath(arn, 'stream', '?after=x'));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.__type, 'ValidationException');
    assert.equal((await get(execPath(arn + 'x', 'stream'))).status, 404);
    assert.equal(srv.running.engine.listeners.count(), 0);
  });

  it('a client that goes away is unsubscribed', async () => {
    const sm = await createMachine({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
    const arn = await start(sm, {});
    const r = await readStream(execPath(arn, 'stream'), { until: (m) => m.length >= 1 });
    assert.equal(r.msgs[0]!.event, 'history');
    assert.equal(r.msgs[0]!.data.events[0].type, 'ExecutionStarted');
    await until(async () => (srv.running.engine.listeners.count(arn) === 0 ? true : undefined));
    assert.equal(srv.running.engine.listeners.count(), 0);
  });

  it('Express executions: listed, counted, streamed and logged from memory', async () => {
    const sm = await createMachine({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'P' }, P: { Type: 'Pass', End: true } } }, { type: 'EXPRESS', level: 'ALL' });
    const arn = await start(sm, { e: 1 }, 'express-one');
    assert.match(arn, /:express:/);
    const { msgs } = await readStream(execPath(arn, 'stream'));
    const types = msgs.filter((m) => m.event === 'history').flatMap((m) => m.data.events.map((e: any) => e.type));
    assert.deepEqual(types, ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    assert.deepEqual(msgs[msgs.length - 1], { event: 'status', data: { status: 'SUCCEEDED', stopDate: msgs[msgs.length - 1]!.data.stopDate, output: '{"e":1}' } });
    const listed = (await get(`/console/api/executions?stateMachineArn=${encodeURIComponent(sm)}`)).json;
    assert.deepEqual(
      listed.executions.map((e: any) => [e.executionArn, e.status, e.type]),
      [[arn, 'SUCCEEDED', 'EXPRESS']],
    );
    assert.ok((await get('/console/api/executions?name=express-one')).json.executions.some((e: any) => e.executionArn === arn));
    const mine = ((await get('/console/api/state-machines')).json.stateMachines as any[]).find((m) => m.stateMachineArn === sm);
    assert.deepEqual([mine.type, mine.counts], ['EXPRESS', { SUCCEEDED: 1 }]);
    const logs = (await get(execPath(arn, 'logs'))).json;
    assert.equal(logs.configuredLevel, 'ALL');
    assert.equal(logs.lines.length, 6);
    assert.deepEqual((await get(execPath(arn, 'tasks'))).json.tasks, []);
  });
});
