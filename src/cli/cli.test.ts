import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

/** The command as installed: bin/stepwise.js, which loads dist/cli/main.js. */
const BIN = fileURLToPath(new URL('../../bin/stepwise.js', import.meta.url));
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `stepwise ARGS` in a child process (killed after 30 s so that a hang fails the test instead of blocking it). */
function stepwise(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const base = { ...process.env };
  for (const k of ['LAMBDA_ENDPOINT', 'WAIT_TIME_SCALE', 'AWS_DEFAULT_REGION', 'AWS_ACCOUNT_ID', 'STEPWISE_FUNCTIONS']) delete base[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
const file = (name: string, content: string | object): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('stepwise validate', () => {
  test('a valid definition prints OK and exits 0', async () => {
    const def = file('ok.json', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const r = await stepwise(['validate', def]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${def}: OK`);
    assert.equal(r.stderr, '');
  });

  test('an invalid definition prints its diagnostics and exits 1', async () => {
    const def = file('bad.json', { StartAt: 'Missing', States: { P: { Type: 'Pass', Next: 'Nowhere' } } });
    const r = await stepwise(['validate', def]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.length >= 2, r.stderr);
    for (const l of lines) assert.ok(l.startsWith(`${def}: ERROR `), l);
    assert.match(r.stderr, /Missing/);
    assert.match(r.stderr, /Nowhere/);
  });

  test('text that is not JSON is an invalid definition', async () => {
    const r = await stepwise(['validate', file('garbage.json', '{ "StartAt": ')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR/);
  });

  test('usage errors exit 2; a missing file exits 1 with its reason', async () => {
    const noFile = await stepwise(['validate']);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /stepwise: missing definition file/);
    assert.match(noFile.stderr, /Usage: stepwise/);
    const unknown = await stepwise(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const missing = await stepwise(['validate', join(dir, 'does-not-exist.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT/);
    const help = await stepwise(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: stepwise <command>/);
  });
});

describe('stepwise run', () => {
  const adder = {
    StartAt: 'Add',
    States: {
      Add: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)', 'name.$': '$$.Execution.Name' }, End: true },
    },
  };

  test('prints the output of a successful execution and exits 0', async () => {
    const r = await stepwise(['run', file('adder.json', adder), '--input', '{"a": 2, "b": 40}', '--name', 'first-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { sum: 42, name: 'first-run' });
    assert.equal(r.stderr, '');
  });

  test('--input-file reads the input from a file; no input means {}', async () => {
    const def = file('adder2.json', adder);
    const r = await stepwise(['run', def, '--input-file', file('input.json', { a: 1, b: 1 })]);
    assert.equal(JSON.parse(r.stdout).sum, 2);
    const empty = await stepwise(['run', file('echo.json', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } })]);
    assert.deepEqual(JSON.parse(empty.stdout), {});
  });

  test('a failed execution prints its status, error and cause and exits 1', async () => {
    const def = file('fail.json', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Order.Rejected', Cause: 'out of stock' } } });
    const r = await stepwise(['run', def]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim(), 'Execution FAILED: Order.Rejected\nout of stock');
  });

  test('--history prints the history as the AWS API returns it', async () => {
    const r = await stepwise(['run', file('hist.json', adder), '--input', '{"a":1,"b":2}', '--history']);
    assert.equal(r.code, 0, r.stderr);
    const history = JSON.parse(r.stderr) as any[];
    assert.deepEqual(
      history.map((e) => [e.id, e.previousEventId, e.type]),
      [
        [1, 0, 'ExecutionStarted'],
        [2, 0, 'PassStateEntered'],
        [3, 2, 'PassStateExited'],
        [4, 3, 'ExecutionSucceeded'],
      ],
    );
    assert.equal(history[0].executionStartedEventDetails.input, '{"a":1,"b":2}');
    assert.equal(typeof history[0].timestamp, 'number');
    assert.equal(history[2].stateExitedEventDetails.name, 'Add');
    assert.equal(JSON.parse(history[3].executionSucceededEventDetails.output).sum, 3);
  });

  test('--functions DIR runs a TypeScript handler', async () => {
    const fdir = mkdtempSync(join(dir, 'functions-'));
    writeFileSync(join(fdir, 'greet.ts'), 'export const handler = async (e: { who: string }): Promise<string> => `hello, ${e.who}`;\n');
    const def = file('greet.json', { StartAt: 'G', States: { G: { Type: 'Task', Resource: `${FN}greet`, End: true } } });
    const r = await stepwise(['run', def, '--functions', fdir, '--input', '{"who":"world"}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'hello, world');
  });

  test('a definition that does not validate is not run: diagnostics and exit 2', async () => {
    const r = await stepwise(['run', file('invalid.json', { StartAt: 'X', States: {} })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ERROR/);
    assert.equal(r.stdout, '');
  });

  test('input that is not JSON is a usage error', async () => {
    const r = await stepwise(['run', file('adder3.json', adder), '--input', '{nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--input is not valid JSON/);
  });

  test('WAIT_TIME_SCALE=0 runs Wait states without waiting', async () => {
    const def = file('wait.json', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 86400, End: true } } });
    const r = await stepwise(['run', def, '--input', '"waited"'], { WAIT_TIME_SCALE: '0' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'waited');
  });

  test('LAMBDA_ENDPOINT sends unknown functions to a Lambda Invoke API', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        bodies.push(`${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ remote: JSON.parse(body) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const def = file('remote.json', { StartAt: 'R', States: { R: { Type: 'Task', Resource: `${FN}remote`, End: true } } });
      const r = await stepwise(['run', def, '--input', '{"x":1}'], { LAMBDA_ENDPOINT: url });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { remote: { x: 1 } });
      assert.deepEqual(bodies, ['/2015-03-31/functions/remote/invocations {"x":1}']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
