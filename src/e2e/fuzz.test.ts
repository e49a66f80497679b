/**
 * A bounded, seeded fuzz run against a real server (in a child process, so a crash or a freeze shows):
 * definitions (generated, and some of the conformance corpus when it is there) mutated into
 * ValidateStateMachineDefinition, CreateStateMachine, StartExecution, StartSyncExecution and TestState,
 * with bad fields, deep and huge values, bad UTF-8, half-closed connections and bursts.
 *
 * Invariants: the server never dies and never answers 5xx; every error is `{__type, message}` JSON;
 * every request is answered; what is acknowledged exists (DescribeExecution finds every executionArn
 * returned); the server still answers a ping at the end.
 *
 * FUZZ_SEED picks another sequence, FUZZ_REQUESTS and FUZZ_SECONDS another budget.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startChildServer, type ChildServer } from './child-server.js';
import { ROLE } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const MAX_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const MAX_MS = Number(process.env.FUZZ_SECONDS ?? 20) * 1000;
/** A request not answered in this long counts as a freeze (liveness, not speed). */
const ANSWER_MS = 15_000;

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'conformance', 'cases');

// ---- randomness --------------------------------------------------------------------------------

/** mulberry32: small, seeded, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(xs: readonly T[]): T {
      return xs[Math.floor(next() * xs.length)]!;
    },
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

// ---- values --------------------------------------------------------------------------------------

const DEPTHS = [999, 1000, 1001, 3000, 4250, 5000, 20000];
const deepText = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
const deepObjectText = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

function weirdJsonText(r: Rng): string {
  switch (r.int(12)) {
    case 0:
      return deepText(r.pick(DEPTHS));
    case 1:
      return deepObjectText(r.pick(DEPTHS));
    case 2:
      return JSON.stringify({ s: 'x'.repeat(r.pick([1000, 262_000, 300_000])) });
    case 3:
      return '{"a":"\\ud800"}';
    case 4:
      return '{"a": 1} trailing';
    case 5:
      return '{"a":';
    case 6:
      return '';
    case 7:
      return JSON.stringify(Array.from({ length: r.pick([10, 5000]) }, (_, i) => i));
    case 8:
      return JSON.stringify({ __proto__: { x: 1 }, constructor: 'c', n: 1e300, m: -0 });
    case 9:
      return '"\u0000\u2028\uffff"';
    case 10:
      return JSON.stringify({ stop: true, x: 'y' });
    default:
      return '{}';
  }
}

function weirdValue(r: Rng): unknown {
  switch (r.int(14)) {
    case 0:
      return JSON.parse(deepText(r.pick([10, 999])));
    case 1:
      return 'x'.repeat(r.pick([0, 1, 300, 100_000]));
    case 2:
      return r.pick([-1, 0, 1.5, 1e21, 2 ** 53, -(2 ** 31)]);
    case 3:
      return null;
    case 4:
      return r.pick([true, false]);
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return r.pick(['$', '$.a', '$$', '$[', 'States.Format(', 'States.StringToJson($.s)', '{% $states.input %}', '{% ) %}', '$..a']);
    case 8:
      return r.pick(['Pass', 'Task', 'Map', 'Parallel', 'Choice', 'Wait', 'Succeed', 'Fail', 'Nope']);
    case 9:
      return r.pick(['S0', 'S1', 'P', 'M', 'Missing', '']);
    case 10:
      return { ErrorEquals: ['States.ALL'], Next: 'S0' };
    case 11:
      return '\ud800';
    case 12:
      return r.pick(['arn:aws:states:::lambda:invoke', 'arn:aws:lambda:us-east-1:123456789012:function:f', 'arn:aws:states:us-east-1:123456789012:activity:a']);
    default:
      return '{"a":1}';
  }
}

const FIELDS = ['Type', 'Next', 'End', 'Result', 'ResultPath', 'InputPath', 'OutputPath', 'Parameters', 'ItemsPath', 'MaxConcurrency', 'Seconds', 'Choices', 'Default', 'Branches', 'ItemProcessor', 'Iterator', 'Retry', 'Catch', 'Resource', 'QueryLanguage', 'Output', 'Assign', 'Arguments', 'Items', 'TimeoutSeconds', 'Error', 'Cause', 'Comment'];

/**
 * Definitions made here: small machines of every kind (`light`), and loops, wide and long ones
 * (`heavy`: run once each, with a small input, not mutated, so that the run stays short).
 */
function generated(): { light: object[]; heavy: object[] } {
  const chain = (n: number) => {
    const states: Record<string, object> = {};
    for (let i = 0; i < n; i++) states[`S${i}`] = i < n - 1 ? { Type: 'Pass', Next: `S${i + 1}` } : { Type: 'Pass', End: true };
    return { StartAt: 'S0', States: states };
  };
  const loop = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'E' }], Default: 'P' }, P: { Type: 'Pass', Next: 'C' }, E: { Type: 'Succeed' } } };
  const distributed = (p: object) => ({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...p }, End: true } } });
  const branches = (n: number, first?: object) => Array.from({ length: n }, (_, i) => (i === 0 && first ? first : { StartAt: `B${i}`, States: { [`B${i}`]: { Type: 'Pass', Result: i, End: true } } }));
  const heavy = [
    chain(2000),
    distributed({ StartAt: 'P', States: { P: { Type: 'Pass', Next: 'P' } } }),
    distributed(loop),
    { StartAt: 'X', States: { X: { Type: 'Parallel', Branches: branches(2000), End: true } } },
    { StartAt: 'X', States: { X: { Type: 'Parallel', Branches: branches(300, loop), End: true } } },
  ];
  const light = [
    { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    chain(50),
    loop,
    distributed(chain(5)),
    { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: chain(2), End: true } } },
    { StartAt: 'X', States: { X: { Type: 'Parallel', Branches: branches(5), End: true } } },
    { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': 'States.StringToJson($.s)', 'a.$': '$' }, Next: 'Q' }, Q: { Type: 'Pass', Parameters: { 'w.$': '$' }, End: true } } },
    { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input %}', End: true } } },
    { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 0, Next: 'F' }, F: { Type: 'Fail', Error: 'E', Cause: 'c' } } },
    { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: {}, QueryLanguage: 'JSONata', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'S' }], End: true }, S: { Type: 'Succeed' } } },
  ];
  return { light, heavy };
}

function corpusDefinitions(r: Rng, max: number): object[] {
  if (!existsSync(CORPUS)) return [];
  const files: string[] = [];
  for (const cat of readdirSync(CORPUS).sort()) {
    const dir = join(CORPUS, cat);
    try {
      for (const f of readdirSync(dir).sort()) if (f.endsWith('.json')) files.push(join(dir, f));
    } catch {
      /* not a folder */
    }
  }
  const out: object[] = [];
  for (let k = 0; k < max * 4 && out.length < max && files.length; k++) {
    try {
      const c = JSON.parse(readFileSync(r.pick(files), 'utf8')) as { definition?: unknown; testState?: { definition?: unknown } };
      const d = c.definition ?? c.testState?.definition;
      if (d && typeof d === 'object') out.push(d);
      else if (typeof d === 'string') out.push(JSON.parse(d) as object);
    } catch {
      /* skip */
    }
  }
  return out;
}

/** A copy of `v` with a few random changes: fields replaced, removed or added, deep or huge values. */
function mutate(r: Rng, v: unknown, budget = 3): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const containers: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (x: unknown, depth: number) => {
    if (depth > 12 || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) x.forEach((c, i) => (containers.push({ holder: x, key: i }), walk(c, depth + 1)));
    else for (const k of Object.keys(x)) containers.push({ holder: x as Record<string, unknown>, key: k }), walk((x as Record<string, unknown>)[k], depth + 1);
  };
  walk(copy, 0);
  const n = 1 + r.int(budget);
  for (let i = 0; i < n && containers.length; i++) {
    const c = r.pick(containers);
    const h = c.holder as Record<string | number, unknown>;
    switch (r.int(4)) {
      case 0:
        h[c.key] = weirdValue(r);
        break;
      case 1:
        if (Array.isArray(c.holder)) c.holder.splice(c.key as number, 1);
        else delete h[c.key];
        break;
      case 2:
        if (!Array.isArray(c.holder)) h[r.pick(FIELDS)] = weirdValue(r);
        break;
      default: {
        const inner = h[c.key];
        if (inner && typeof inner === 'object' && !Array.isArray(inner)) (inner as Record<string, unknown>)[r.pick(FIELDS)] = weirdValue(r);
        else h[c.key] = weirdValue(r);
      }
    }
  }
  return copy;
}

/** JSON text of a definition, sometimes broken as text (deep, trailing content, cut short). */
function definitionText(r: Rng, def: unknown): string {
  const text = JSON.stringify(def);
  switch (r.int(10)) {
    case 0:
      return text.replace(/"End":true/, `"End":true,"Result":${deepText(r.pick(DEPTHS))}`);
    case 1:
      return text + r.pick([' {}', ' x', '}']);
    case 2:
      return text.slice(0, r.int(text.length));
    case 3:
      return deepText(r.pick(DEPTHS));
    default:
      return text;
  }
}

// ---- requests ------------------------------------------------------------------------------------

interface Sent {
  what: string;
  status: number;
  text: string;
}

/** The request, compactly, for a failure message. */
function show(op: string, body: string | Buffer, extra = ''): string {
  const s = typeof body === 'string' ? body : `<${body.length} bytes: ${body.subarray(0, 40).toString('hex')}...>`;
  const head = s.length > 160 ? `${s.slice(0, 120)}...(${s.length} chars)...${s.slice(-30)}` : s;
  return `${op}${extra} ${head}`;
}

describe('fuzz', { timeout: 180_000 }, () => {
  let srv: ChildServer;
  const failures: string[] = [];
  const acknowledged: { arn: string; what: string }[] = [];
  let sent = 0;

  const servers: ChildServer[] = [];
  before(async () => {
    srv = await startChildServer();
    servers.push(srv);
  });
  after(async () => {
    for (const x of servers) await x.close();
  });

  /** After a death: the failure is kept, and a new server goes on with the rest (a few times). */
  async function restartIfDead(): Promise<boolean> {
    if (!srv.exit) return true;
    failures.push(`the server exited: ${JSON.stringify(srv.exit)}; its log (tail):\n${srv.stderr().slice(-600)}`);
    if (servers.length >= 3) return false;
    srv = await startChildServer();
    servers.push(srv);
    machines.length = 0;
    acknowledged.length = 0;
    return true;
  }

  const seen = new Set<string>();
  const fail = (what: string, why: string) => {
    // One report per kind of failure, so that different ones show.
    const kind = why.replace(/\d+/g, 'N').slice(0, 100);
    if (seen.has(kind) || failures.length >= 12) return;
    seen.add(kind);
    failures.push(`${why}\n    request: ${what}`);
  };

  /** Sends one awsJson1_0 request and checks the invariants of its answer. */
  async function call(op: string, body: string | Buffer, headers: Record<string, string> = {}, context = ''): Promise<Sent | undefined> {
    sent++;
    const what = show(op, body) + context;
    let res: Response;
    const t0 = Date.now();
    try {
      res = await fetch(srv.endpoint + '/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}`, ...headers },
        body,
        signal: AbortSignal.timeout(ANSWER_MS),
      });
    } catch (e) {
      if (srv.exit) fail(what, `the server died (${JSON.stringify(srv.exit)})`);
      else if ((e as Error).name === 'TimeoutError') {
        // Frozen: it goes, and a new one takes over.
        fail(what, `no answer in ${ANSWER_MS / 1000} s (the server is frozen)`);
        const gone = new Promise((res) => srv.proc.once('exit', res));
        srv.proc.kill('SIGKILL');
        await gone;
      } else fail(what, `no answer: ${(e as Error).message}`);
      return undefined;
    }
    const text = await res.text();
    if (process.env.FUZZ_DEBUG) console.error(`${res.status} ${Date.now() - t0}ms ${what.slice(0, 100)}`);
    if (res.status >= 500) fail(what, `answered ${res.status}: ${text.slice(0, 300)}`);
    else if (res.status !== 200) {
      let b: { __type?: unknown; message?: unknown } | undefined;
      try {
        b = JSON.parse(text) as typeof b;
      } catch {
        b = undefined;
      }
      if (typeof b?.__type !== 'string' || (typeof b.message !== 'string' && typeof (b as { Message?: unknown }).Message !== 'string')) {
        fail(what, `answered ${res.status} without {__type, message}: ${text.slice(0, 300)}`);
      }
    }
    return { what, status: res.status, text };
  }

  const json = (s: Sent | undefined): Record<string, unknown> | undefined => {
    if (!s || s.status !== 200) return undefined;
    try {
      return JSON.parse(s.text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };

  /** A connection that sends part of a request and half-closes (or just drops). */
  function halfClosed(r: Rng): Promise<void> {
    sent++;
    return new Promise((resolve) => {
      const url = new URL(srv.endpoint);
      const sock = connect(Number(url.port), url.hostname);
      const done = () => {
        sock.destroy();
        resolve();
      };
      sock.on('error', done);
      sock.on('close', done);
      sock.setTimeout(2000, done);
      sock.on('connect', () => {
        const body = '{"definition":"{\\"StartAt\\":';
        const req = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AWSStepFunctions.ValidateStateMachineDefinition\r\nContent-Length: ${r.pick([body.length + 50, 10_000_000])}\r\n\r\n${body}`;
        const cut = r.pick([10, 60, req.length]);
        sock.write(req.slice(0, cut));
        if (r.chance(0.5)) sock.end();
        else setTimeout(done, 20);
      });
    });
  }

  const machines: { arn: string; type: 'STANDARD' | 'EXPRESS'; definition: string }[] = [];
  let names = 0;

  async function create(r: Rng, definition: string, type: 'STANDARD' | 'EXPRESS'): Promise<void> {
    const body = JSON.stringify({ name: `fz-${SEED}-${++names}`, definition, roleArn: ROLE, type });
    const b = json(await call('CreateStateMachine', body));
    if (typeof b?.stateMachineArn === 'string') machines.push({ arn: b.stateMachineArn, type, definition });
    void r;
  }

  async function start(r: Rng, m: { arn: string; type: 'STANDARD' | 'EXPRESS'; definition: string }, input: string, sync: boolean): Promise<void> {
    const body = JSON.stringify({ stateMachineArn: m.arn, input });
    const s = await call(sync ? 'StartSyncExecution' : 'StartExecution', body, {}, `\n    of a ${m.type} machine created with: ${show('', m.definition)}`);
    const b = json(s);
    if (!sync && typeof b?.executionArn === 'string' && m.type === 'STANDARD') {
      acknowledged.push({ arn: b.executionArn, what: s!.what });
      const d = await call('DescribeExecution', JSON.stringify({ executionArn: b.executionArn }));
      if (d && d.status !== 200) fail(s!.what, `StartExecution answered ${b.executionArn}, then DescribeExecution: ${d.status} ${d.text.slice(0, 200)}`);
    }
    void r;
  }

  /** Every class of trouble once, so each known failure is caught whatever the seed. */
  async function directed(r: Rng): Promise<void> {
    const pass = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    await create(r, pass, 'EXPRESS');
    const express = machines[machines.length - 1];
    if (express) {
      for (const n of [3000, 3000, 4250]) await start(r, express, deepText(n), false);
      await start(r, express, deepText(4250), true);
    }
    await new Promise((res) => setTimeout(res, 100));
    if (!(await restartIfDead())) return;
    await create(r, pass, 'STANDARD');
    const standard = machines[machines.length - 1];
    if (standard) await start(r, standard, deepText(5000), false);
    await call('ValidateStateMachineDefinition', JSON.stringify({ definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":${deepText(5000)}}}}` }));
    await call('CreateStateMachine', `{"name":"deep-${SEED}","roleArn":"${ROLE}","definition":"{}","tags":${deepText(5000)}}`);
    await call('TestState', JSON.stringify({ definition: '{"Type":"Pass","End":true}', roleArn: ROLE, input: deepText(5000) }));
    // Each generated machine runs once (a Map over 5,000 items); the heavy ones are stopped after.
    const items = JSON.stringify(Array.from({ length: 5000 }, (_, i) => i));
    const { light, heavy } = generated();
    for (const def of [...light, ...heavy]) {
      if (!(await restartIfDead())) return;
      const before = machines.length;
      await create(r, JSON.stringify(def), 'STANDARD');
      if (machines.length === before) continue;
      const m = machines.pop()!;
      const isHeavy = heavy.includes(def);
      const from = acknowledged.length;
      await start(r, m, JSON.stringify(def).includes('"Map"') && !JSON.stringify(def).includes('"Default":"P"') ? items : '[1,2]', false);
      if (isHeavy) for (const a of acknowledged.slice(from)) await call('StopExecution', JSON.stringify({ executionArn: a.arn }));
      else machines.push(m);
    }
  }

  async function one(r: Rng, defs: object[]): Promise<void> {
    const op = r.int(16);
    const def = () => (r.chance(0.8) ? mutate(r, r.pick(defs)) : r.pick(defs));
    switch (op) {
      case 0:
      case 1:
        await call('ValidateStateMachineDefinition', JSON.stringify({ definition: definitionText(r, def()), maxResults: r.chance(0.2) ? weirdValue(r) : undefined }));
        return;
      case 2:
      case 3:
        await create(r, definitionText(r, def()), r.chance(0.3) ? 'EXPRESS' : 'STANDARD');
        return;
      case 4:
      case 5:
      case 6: {
        if (!machines.length) return;
        const m = r.pick(machines);
        await start(r, m, weirdJsonText(r), false);
        return;
      }
      case 7: {
        const ex = machines.filter((m) => m.type === 'EXPRESS');
        if (ex.length) await start(r, r.pick(ex), weirdJsonText(r), true);
        return;
      }
      case 8: {
        const d = def() as { States?: Record<string, unknown> };
        const state = d.States ? d.States[r.pick(Object.keys(d.States))] : d;
        await call('TestState', JSON.stringify({ definition: r.chance(0.5) ? JSON.stringify(state) : definitionText(r, d), roleArn: ROLE, input: weirdJsonText(r), inspectionLevel: r.pick(['INFO', 'DEBUG', 'TRACE', 'NOPE']) }));
        return;
      }
      case 9:
        // Bad fields in a good request.
        await call(r.pick(['StartExecution', 'CreateStateMachine', 'DescribeExecution', 'ListExecutions', 'TestState', 'SendTaskSuccess']), JSON.stringify(mutate(r, { stateMachineArn: machines[0]?.arn ?? 'x', name: 'n', definition: '{}', roleArn: ROLE, input: '{}', executionArn: acknowledged[0]?.arn ?? 'x', taskToken: 't', output: '{}', maxResults: 5 })));
        return;
      case 10:
        // Bad UTF-8 and binary bodies.
        await call(r.pick(['ValidateStateMachineDefinition', 'StartExecution', 'CreateStateMachine']), Buffer.concat([Buffer.from('{"definition":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]));
        return;
      case 11:
        // Targets that are not operations.
        await call(r.pick(['constructor', '__proto__', 'toString', 'hasOwnProperty', '', 'Nope', 'StartExecution.x']), '{}');
        return;
      case 12:
        // Bodies that are not a JSON object.
        await call(r.pick(['ValidateStateMachineDefinition', 'ListStateMachines']), r.pick(['[]', '"x"', '{"a":1} trailing', '{', deepText(r.pick(DEPTHS)), 'null', '\u0000']));
        return;
      case 13:
        await halfClosed(r);
        return;
      case 14: {
        // A burst.
        const n = 8 + r.int(16);
        const jobs: Promise<unknown>[] = [];
        for (let i = 0; i < n; i++) {
          jobs.push(
            r.chance(0.5) || !machines.length
              ? call('ValidateStateMachineDefinition', JSON.stringify({ definition: definitionText(r, def()) }))
              : start(r, r.pick(machines), weirdJsonText(r), false),
          );
        }
        await Promise.all(jobs);
        return;
      }
      default:
        if (r.chance(0.02)) await call('ValidateStateMachineDefinition', JSON.stringify({ definition: 'x'.repeat(5 * 1024 * 1024) }));
        else await call('DescribeExecution', JSON.stringify({ executionArn: acknowledged.length ? r.pick(acknowledged).arn : 'arn:aws:states:us-east-1:123456789012:execution:x:y' }));
    }
  }

  it(`never dies, never 5xx, errors in AWS shape, what is acknowledged exists (seed ${SEED})`, async () => {
    const r = rng(SEED);
    const defs = [...generated().light, ...corpusDefinitions(r, 80)];
    const until = Date.now() + MAX_MS;
    await directed(r);
    while (sent < MAX_REQUESTS && Date.now() < until && failures.length < 12 && (await restartIfDead())) await one(r, defs);

    // What was acknowledged exists.
    for (const a of acknowledged) {
      if (srv.exit) break;
      const s = await call('DescribeExecution', JSON.stringify({ executionArn: a.arn }));
      if (s && s.status !== 200) fail(a.what, `StartExecution answered ${a.arn}, then DescribeExecution: ${s.status} ${s.text.slice(0, 200)}`);
    }
    const ping = await call('ListStateMachines', '{}');
    if (!ping || ping.status !== 200) fail('ListStateMachines {}', 'no ping at the end');
    await restartIfDead();
    assert.deepEqual(failures, [], `seed ${SEED}, ${sent} requests:\n${failures.join('\n')}\nserver log (tail):\n${srv.stderr().slice(-1500)}`);
    assert.ok(sent > 60, `only ${sent} requests were sent`);
  });
});
