import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
function stepwise(args: string[], env: Record<string, string> = {}, timeout = 30_000): Promise<Outcome> {
  const base = { ...process.env };
  for (const k of ['LAMBDA_ENDPOINT', 'WAIT_TIME_SCALE', 'AWS_DEFAULT_REGION', 'AWS_ACCOUNT_ID', 'STEPWISE_FUNCTIONS']) delete base[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, timeout }, (err, stdout, stderr) => {
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
    assert.match(noFile.stderr, /\n\nUsage: stepwise validate FILE\n {8}Check a definition/);
    assert.match(noFile.stderr, /Run 'stepwise --help' for every command and option/);
    const unknown = await stepwise(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    assert.match(unknown.stderr, /Usage: stepwise <command> \[options\]; the commands: serve, run, validate, mocks, approve, reject, heartbeat\./);
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

  test('--history FILE writes the history, as the AWS API returns it, to FILE alone', async () => {
    const historyFile = join(dir, 'history.json');
    const r = await stepwise(['run', file('hist.json', adder), '--input', '{"a":1,"b":2}', '--history', historyFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(JSON.parse(r.stdout).sum, 3);
    const history = JSON.parse(readFileSync(historyFile, 'utf8')) as any[];
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

  test('--history - prints the history alone on stdout, also when the execution fails', async () => {
    const r = await stepwise(['run', file('hist-ok.json', adder), '--input', '{"a":1,"b":2}', '--history', '-']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as any[]).map((e) => e.type),
      ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    );
    const def = file('hist-fail.json', { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', Cause: 'C' } } });
    const failed = await stepwise(['run', def, '--history', '-']);
    assert.equal(failed.code, 1);
    assert.deepEqual(
      (JSON.parse(failed.stdout) as any[]).map((e) => e.type),
      ['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed'],
    );
    assert.equal(failed.stderr.trim(), 'Execution FAILED: E\nC');
    const noFolder = await stepwise(['run', def, '--history', join(dir, 'no-such-folder', 'h.json')]);
    assert.equal(noFolder.code, 2);
    assert.match(noFolder.stderr, /stepwise: run: --history .*h\.json: no such folder: /);
    assert.equal(noFolder.stdout, '');
    const bare = await stepwise(['run', def, '--history']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /stepwise: run: --history needs a value/);
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
    const bad = await stepwise(['run', def], { WAIT_TIME_SCALE: 'fast' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /stepwise: WAIT_TIME_SCALE must be a non-negative number, got 'fast'/);
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

describe('options', () => {
  const def = () => file('opts.json', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

  test('every command refuses an unknown option (exit 2), naming the option meant when one is close', async () => {
    // A server that starts anyway is killed after 20 s (and the test fails on its exit code).
    const cases: [string[], RegExp][] = [
      [['serve', '--prot', '28999'], /stepwise: serve: unknown option --prot \(did you mean --port\?\)/],
      [['serve', '--dbb', ':memory:'], /unknown option --dbb \(did you mean --db\?\)/],
      [['serve', '--verbose'], /stepwise: serve: unknown option --verbose\n/],
      [['run', def(), '--inptu', '{}'], /stepwise: run: unknown option --inptu \(did you mean --input\?\)/],
      [['run', def(), '--fucntions', dir], /unknown option --fucntions \(did you mean --functions\?\)/],
      [['run', def(), '--reject'], /unknown option --reject \(did you mean --reject-all\?\)/],
      [['validate', def(), '--strict'], /stepwise: validate: unknown option --strict\n/],
      [['approve', 'T', '--ouptut', '{}'], /stepwise: approve: unknown option --ouptut \(did you mean --output\?\)/],
      [['reject', 'T', '--eror', 'E'], /stepwise: reject: unknown option --eror \(did you mean --error\?\)/],
      [['heartbeat', 'T', '--endpiont', 'http://127.0.0.1:1'], /stepwise: heartbeat: unknown option --endpiont \(did you mean --endpoint\?\)/],
      [['run', def(), '-i', '{}'], /stepwise: run: unknown option -i\n/],
    ];
    const results = await Promise.all(cases.map(([args]) => stepwise(args, {}, 20_000)));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]![0].join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, cases[i]![1]);
      assert.equal(r.stdout, '');
    });
  });

  test('an option that takes a value must have one; a flag takes none', async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--port'], /stepwise: serve: --port needs a value/],
      [['serve', '--db', '--port', '0'], /stepwise: serve: --db needs a value/],
      [['run', def(), '--input'], /stepwise: run: --input needs a value/],
      [['run', def(), '--name', '--input', '{}'], /stepwise: run: --name needs a value/],
      [['run', def(), '--approve-all=yes'], /stepwise: run: --approve-all takes no value/],
      [['approve', 'T', '--output'], /stepwise: approve: --output needs a value/],
      [['reject', 'T', '--cause'], /stepwise: reject: --cause needs a value/],
    ];
    const results = await Promise.all(cases.map(([args]) => stepwise(args, {}, 20_000)));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]![0].join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, cases[i]![1]);
    });
  });

  test('--functions naming a folder that does not exist is an error of serve and run', async () => {
    const missing = join(dir, 'no-such-functions');
    const notDir = file('not-a-folder.txt', 'x');
    const [serve, run, runFile, serveEnv] = await Promise.all([
      stepwise(['serve', '--port', '0', '--db', ':memory:', '--functions', missing], {}, 20_000),
      stepwise(['run', def(), '--functions', missing], {}, 20_000),
      stepwise(['run', def(), '--functions', notDir], {}, 20_000),
      stepwise(['serve', '--port', '0', '--db', ':memory:'], { STEPWISE_FUNCTIONS: missing }, 20_000),
    ]);
    for (const r of [serve, run]) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`stepwise: --functions: no such folder: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    assert.equal(runFile.code, 2);
    assert.match(runFile.stderr, /--functions: not a folder: /);
    assert.equal(serveEnv.code, 2);
    assert.match(serveEnv.stderr, /STEPWISE_FUNCTIONS: no such folder: /);
  });
});

describe('stepwise run: a task waiting for its token', () => {
  const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:review';
  const callbackDef = (heartbeat?: number) => ({
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
        ...(heartbeat ? { HeartbeatSeconds: heartbeat } : {}),
        Catch: [{ ErrorEquals: ['Review.Rejected'], ResultPath: '$.rejected', Next: 'Rejected' }],
        End: true,
      },
      Rejected: { Type: 'Pass', End: true },
    },
  });
  let fdir: string;
  before(() => {
    fdir = mkdtempSync(join(dir, 'ask-'));
    // The handler hands the token on (here: logs it, as a real one might mail it) and returns.
    writeFileSync(join(fdir, 'ask.mjs'), 'export const handler = async (e) => { console.log(`please answer ${e.token}`); return { asked: e.order }; };\n');
  });

  test('--approve-all answers once the handler has the token: stderr names the state and the token, stdout holds the output alone', async () => {
    const def = file('approve-all.json', callbackDef());
    const r = await stepwise(['run', def, '--functions', fdir, '--input', '{"order": 7}', '--approve-all', '--approve-output', '{"approved": true}', '--history', join(dir, 'approve-all.history.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { approved: true });
    const token = /waits for its task token:\n {2}(\S+)/.exec(r.stderr)?.[1];
    assert.ok(token, r.stderr);
    assert.match(r.stderr, /Waiting: state 'Ask' \(arn:aws:states:::lambda:invoke.waitForTaskToken\)/);
    // What the handler logged went to stderr, after the call.
    assert.ok(r.stderr.includes(`please answer ${token}`), r.stderr);
    const types = (JSON.parse(readFileSync(join(dir, 'approve-all.history.json'), 'utf8')) as any[]).map((e) => e.type);
    assert.deepEqual(types.slice(2), ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  test('--reject-all fails the task with --error and --cause (here caught)', async () => {
    const r = await stepwise(['run', file('reject-all.json', callbackDef()), '--functions', fdir, '--input', '{"order": 8}', '--reject-all', '--error', 'Review.Rejected', '--cause', 'too big']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { order: 8, rejected: { Error: 'Review.Rejected', Cause: 'too big' } });
    assert.match(r.stderr, /Rejecting 'Ask' \(--reject-all\)/);
  });

  test('an activity waits too, and is answered the same way', async () => {
    const def = file('activity.json', { StartAt: 'Review', States: { Review: { Type: 'Task', Resource: ACTIVITY, End: true } } });
    const r = await stepwise(['run', def, '--input', '{"doc": 1}', '--approve-all', '--approve-output', '"ok"']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'ok');
    assert.match(r.stderr, new RegExp(`Waiting: state 'Review' \\(activity ${ACTIVITY}\\) waits for its task token:\n {2}\\S+`));
  });

  test('with nobody to answer, it says how to and gives up after --task-timeout (exit 1)', async () => {
    const r = await stepwise(['run', file('nobody.json', callbackDef(3600)), '--functions', fdir, '--input', '{"order": 9}', '--task-timeout', '1']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Waiting: state 'Ask'/);
    assert.match(r.stderr, /--approve-all/);
    assert.match(r.stderr, /--reject-all/);
    assert.match(r.stderr, /Giving up in 1 s/);
    assert.match(r.stderr, /Execution ABORTED: Stepwise.NoAnswer/);
  });

  test('answer options are checked before anything runs', async () => {
    const def = file('answer-opts.json', callbackDef());
    const cases: [string[], RegExp][] = [
      [['--approve-all', '--reject-all'], /--approve-all and --reject-all exclude each other/],
      [['--approve-output', '{}'], /--approve-output needs --approve-all/],
      [['--error', 'E'], /--error needs --reject-all/],
      [['--approve-all', '--approve-output', '{nope'], /--approve-output is not valid JSON/],
      [['--task-timeout', 'soon'], /--task-timeout must be a number of seconds/],
    ];
    const results = await Promise.all(cases.map(([extra]) => stepwise(['run', def, '--functions', fdir, ...extra], {}, 20_000)));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]![0].join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, cases[i]![1]);
    });
  });

  // A terminal: python3's pty module gives the command one (CI installs python3).
  const hasPython = (() => {
    try {
      return execFileSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }) !== undefined;
    } catch {
      return false;
    }
  })();
  /** Runs `stepwise ARGS` on a pseudo-terminal, typing `lines`; its exit code and everything it showed. */
  const onTerminal = (args: string[], lines: string[]): Promise<{ code: number | null; shown: string }> => {
    const driver = file(
      'pty-driver.py',
      [
        'import os, pty, sys, json',
        'args, lines = json.loads(sys.argv[1]), json.loads(sys.argv[2])',
        'pid, fd = pty.fork()',
        'if pid == 0:',
        '    os.execvp(args[0], args)',
        'for l in lines: os.write(fd, (l + "\\n").encode())',
        'out = b""',
        'while True:',
        '    try: chunk = os.read(fd, 4096)',
        '    except OSError: break',
        '    if not chunk: break',
        '    out += chunk',
        '_, st = os.waitpid(pid, 0)',
        'sys.stdout.write(out.decode())',
        'sys.exit(os.WEXITSTATUS(st))',
      ].join('\n'),
    );
    return new Promise((resolve) => {
      execFile('python3', [driver, JSON.stringify([process.execPath, BIN, ...args]), JSON.stringify(lines)], { timeout: 30_000 }, (err, stdout) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, shown: stdout.replace(/\r\n/g, '\n') });
      });
    });
  };

  test('at a terminal, a person is asked: approve (with an output) or reject', { skip: hasPython ? false : 'python3 (for a pseudo-terminal) not found' }, async () => {
    const def = file('prompt.json', callbackDef());
    const approved = await onTerminal(['run', def, '--functions', fdir, '--input', '{"order": 1}'], ['x', 'a', '{"approved": "yes"}']);
    assert.equal(approved.code, 0, approved.shown);
    assert.match(approved.shown, /Answer Ask: \[a\]pprove or \[r\]eject\? /);
    assert.match(approved.shown, /Type 'a' to approve or 'r' to reject/);
    assert.match(approved.shown, /\{\n {2}"approved": "yes"\n\}/);
    const rejected = await onTerminal(['run', def, '--functions', fdir, '--input', '{"order": 2}'], ['r', 'Review.Rejected', 'no budget']);
    assert.equal(rejected.code, 0, rejected.shown);
    assert.match(rejected.shown, /"Cause": "no budget"/);
  });

  test('at a terminal, a task that times out ends the question and the run', { skip: hasPython ? false : 'python3 (for a pseudo-terminal) not found' }, async () => {
    const def = file('prompt-timeout.json', {
      StartAt: 'Ask',
      States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token' } }, TimeoutSeconds: 1, End: true } },
    });
    const r = await onTerminal(['run', def, '--functions', fdir], []);
    assert.equal(r.code, 1, r.shown);
    assert.match(r.shown, /Answer Ask: /);
    assert.match(r.shown, /Execution FAILED: States.Timeout/);
  });
});
