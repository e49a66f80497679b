import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { parseArgs } from './args.js';
import { answerPolicy, DEFAULT_TASK_TIMEOUT_SECONDS, promptAnswer } from './answer.js';
import { RUN_OPTIONS } from './run.js';

const policy = (argv: string[], interactive = false) => answerPolicy(parseArgs(argv, RUN_OPTIONS, 'run'), interactive);

describe('answerPolicy', () => {
  test('approve-all, reject-all, a prompt at a terminal, else nobody with a timeout', () => {
    assert.deepEqual(policy(['--approve-all']), { k: 'approve-all', output: {} });
    assert.deepEqual(policy(['--approve-all', '--approve-output', '{"a":[1]}']), { k: 'approve-all', output: { a: [1] } });
    assert.deepEqual(policy(['--reject-all', '--error', 'E', '--cause', 'C']), { k: 'reject-all', error: 'E', cause: 'C' });
    assert.deepEqual(policy(['--reject-all']), { k: 'reject-all' });
    assert.deepEqual(policy([], true), { k: 'prompt' });
    assert.deepEqual(policy(['--task-timeout', '5'], true), { k: 'prompt', timeoutSeconds: 5 });
    assert.deepEqual(policy([]), { k: 'none', timeoutSeconds: DEFAULT_TASK_TIMEOUT_SECONDS });
    assert.deepEqual(policy(['--task-timeout', '0.5']), { k: 'none', timeoutSeconds: 0.5 });
    assert.deepEqual(policy(['--approve-all'], true), { k: 'approve-all', output: {} });
  });

  test('contradictions and bad values are usage errors', () => {
    assert.throws(() => policy(['--approve-all', '--reject-all']), /exclude each other/);
    assert.throws(() => policy(['--cause', 'C']), /--cause needs --reject-all/);
    assert.throws(() => policy(['--task-timeout', '-1']), /--task-timeout must be a number/);
    assert.throws(() => policy(['--task-timeout', '']), /--task-timeout must be a number/);
  });
});

describe('promptAnswer', () => {
  const ask = async (lines: string[], signal?: AbortSignal) => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c));
    const answer = promptAnswer(input, output, 'Approve', signal);
    for (const l of lines) input.write(`${l}\n`);
    if (!signal) input.end();
    return { answer: await answer, shown: () => shown };
  };

  test('approve with an output (asked again until it is JSON), or {} by default', async () => {
    const a = await ask(['a', '{nope', '{"approved": true}']);
    assert.deepEqual(a.answer, { k: 'approve', output: { approved: true } });
    assert.match(a.shown(), /Answer Approve: \[a\]pprove or \[r\]eject\? /);
    assert.match(a.shown(), /Not JSON: /);
    assert.deepEqual((await ask(['approve', ''])).answer, { k: 'approve', output: {} });
  });

  test('reject with an error and a cause, both optional; anything else is asked again', async () => {
    const r = await ask(['maybe', 'r', 'Order.Rejected', 'too big']);
    assert.deepEqual(r.answer, { k: 'reject', error: 'Order.Rejected', cause: 'too big' });
    assert.match(r.shown(), /Type 'a' to approve or 'r' to reject/);
    assert.deepEqual((await ask(['reject', '', ''])).answer, { k: 'reject' });
  });

  test('no answer when the input ends or the signal aborts first', async () => {
    assert.equal((await ask(['a'])).answer, undefined);
    const ac = new AbortController();
    const pending = ask([], ac.signal);
    ac.abort();
    assert.equal((await pending).answer, undefined);
  });
});
