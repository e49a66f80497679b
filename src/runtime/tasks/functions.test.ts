import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StateMachine } from '../../library/state-machine.js';
import type { JsonObject } from '../../shared/json.js';
import { functionsFromDirectory, functionsFromObject } from './functions.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-functions-'));
  const files: Record<string, string> = {
    'plain.js': 'export const handler = async (event) => ({ from: "js", got: event });\n',
    'module.mjs': 'export async function handler(event, context) { return { from: "mjs", name: context.functionName }; }\n',
    'common.cjs': 'exports.handler = (event) => ({ from: "cjs", n: event.n * 2 });\n',
    'typed.ts': [
      "import { shout } from './lib/shout';",
      'interface Event { text: string; times: number }',
      'export const handler = async (event: Event): Promise<{ from: string; text: string }> => ({ from: "ts", text: shout(event.text).repeat(event.times) });',
      '',
    ].join('\n'),
    'lib/shout.ts': 'export const shout = (s: string): string => s.toUpperCase() + "!";\n',
    'defaulted.mjs': 'export default async (event) => ({ from: "default export", got: event });\n',
    'failing.ts': [
      'class PaymentDeclined extends Error { override name = "PaymentDeclined"; }',
      'export const handler = async (): Promise<never> => { throw new PaymentDeclined("card expired"); };',
      '',
    ].join('\n'),
    'nohandler.js': 'export const other = 1;\n',
    'context.js': [
      'export const handler = (event, ctx) => ({',
      '  functionName: ctx.functionName,',
      '  arn: ctx.invokedFunctionArn,',
      '  version: ctx.functionVersion,',
      '  execution: ctx.executionArn,',
      '  key: ctx.idempotencyKey,',
      '  requestId: ctx.awsRequestId,',
      '  remaining: ctx.getRemainingTimeInMillis(),',
      '});',
      '',
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('functionsFromDirectory', () => {
  test('loads .js, .mjs, .cjs and .ts handlers by function name', async () => {
    const src = functionsFromDirectory(dir);
    const call = async (name: string, event: unknown) => {
      const fn = await src.resolve(name);
      assert.ok(fn, name);
      return fn(event, { functionName: name } as any);
    };
    assert.deepEqual(await call('plain', { a: 1 }), { from: 'js', got: { a: 1 } });
    assert.deepEqual(await call('module', {}), { from: 'mjs', name: 'module' });
    assert.deepEqual(await call('common', { n: 21 }), { from: 'cjs', n: 42 });
    assert.deepEqual(await call('typed', { text: 'hi', times: 2 }), { from: 'ts', text: 'HI!HI!' });
    assert.deepEqual(await call('defaulted', 5), { from: 'default export', got: 5 });
  });

  test('an unknown name or a name that is not a plain file name resolves to nothing', async () => {
    const src = functionsFromDirectory(dir);
    assert.equal(await src.resolve('absent'), undefined);
    assert.equal(await src.resolve('../plain'), undefined);
    assert.equal(await src.resolve('lib/shout'), undefined);
  });

  test('a module without a handler function is an error', async () => {
    await assert.rejects(async () => functionsFromDirectory(dir).resolve('nohandler'), /does not export a handler function/);
  });

  test('the same handler is loaded once', async () => {
    const src = functionsFromDirectory(dir);
    const a = await src.resolve('typed');
    const b = await src.resolve('typed');
    assert.equal(a, b);
  });

  test('functionsFromObject finds own properties only', () => {
    const src = functionsFromObject({ f: () => 1 });
    assert.equal(typeof src.resolve('f'), 'function');
    assert.equal(src.resolve('toString'), undefined);
    assert.equal(src.resolve('g'), undefined);
  });
});

describe('handlers from a folder in executions', () => {
  test('Task states run .ts and .js handlers from functionsDir', async () => {
    const sm = new StateMachine(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Task', Resource: `${FN}typed`, Parameters: { text: 'go', times: 1 }, ResultPath: '$.a', Next: 'B' },
          B: { Type: 'Task', Resource: `${FN}plain`, Parameters: { 'prev.$': '$.a.text' }, ResultPath: '$.b', End: true },
        },
      },
      { functionsDir: dir },
    );
    const r = await sm.run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { a: { from: 'ts', text: 'GO!' }, b: { from: 'js', got: { prev: 'GO!' } } });
  });

  test('an error thrown by a .ts handler becomes the task error', async () => {
    const r = await new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}failing`, End: true } } }, { functionsDir: dir }).run({});
    assert.equal(r.error, 'PaymentDeclined');
    assert.equal(JSON.parse(r.cause!).errorMessage, 'card expired');
  });

  test('`functions` win over the folder for the same name', async () => {
    const r = await new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}plain`, End: true } } }, { functionsDir: dir, functions: { plain: () => 'object wins' } }).run({});
    assert.equal(r.output, 'object wins');
  });

  test('a handler gets a Lambda-like context', async () => {
    const sm = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}context`, TimeoutSeconds: 30, End: true } } }, { functionsDir: dir, name: 'Orders' });
    const r = await sm.run({}, { name: 'run-1' });
    const c = r.output as JsonObject;
    assert.equal(c.functionName, 'context');
    assert.equal(c.arn, 'arn:aws:lambda:us-east-1:123456789012:function:context');
    assert.equal(c.version, '$LATEST');
    assert.equal(c.execution, 'arn:aws:states:us-east-1:123456789012:execution:Orders:run-1');
    assert.equal(c.key, 'arn:aws:states:us-east-1:123456789012:execution:Orders:run-1/T/1/0');
    assert.match(String(c.requestId), /^[0-9a-f-]{36}$/);
    assert.ok(typeof c.remaining === 'number' && c.remaining > 25_000 && c.remaining <= 30_000, String(c.remaining));
  });
});
