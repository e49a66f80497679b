/**
 * E2E: Step Functions Local's mocked service integrations through the real server, with
 * `@aws-sdk/client-sfn` and the AWS CLI: AWS's documented example, `ARN#TestCase` on StartExecution and
 * StartSyncExecution, unknown test cases, bad mock files at start-up, a mocked Standard execution
 * resumed after a restart, and `stepwise mocks record` → an offline re-run with the same outcome.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { DOCS_DEFINITION, DOCS_MOCK_CONFIG } from './mocks-docs-example.js';
import { ACCOUNT, cliBatch, hasCli, AWS_CLI, REGION, rejectsAws, ROLE, smArn, startTestServer, waitForEnd, type TestServer } from './helpers.js';
import { startServer } from '../cli/serve.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'stepwise.js');
const skipCli = hasCli() ? false : `AWS CLI v2 not found at ${AWS_CLI}`;

/** The mock configuration of these tests: AWS's example, plus machines of our own. */
const CONFIG = {
  StateMachines: {
    ...DOCS_MOCK_CONFIG.StateMachines,
    ExpressDocs: DOCS_MOCK_CONFIG.StateMachines.LambdaSQSIntegration,
    Durable: { TestCases: { FailThenSucceed: { Work: 'FailOnce' } } },
    Tokens: { TestCases: { Answered: { Act: 'ActDone', Cb: 'CbDone', Job: 'JobFailed' } } },
  },
  MockedResponses: {
    ...DOCS_MOCK_CONFIG.MockedResponses,
    FailOnce: { '0': { Throw: { Error: 'Flaky', Cause: 'first call' } }, '1': { Return: { ok: 1 } } },
    ActDone: { '0': { Return: { act: true } } },
    CbDone: { '0': { Return: { approved: true } } },
    JobFailed: { '0': { Throw: { Error: 'States.TaskFailed', Cause: 'exit code 1' } } },
  },
};

const execOf = (sm: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${sm}:${name}`;
const types = (events: HistoryEvent[]): string[] => events.map((e) => e.type ?? '');

async function history(srv: TestServer, executionArn: string): Promise<HistoryEvent[]> {
  return (await srv.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

/** `stepwise ARGS` as a process: exit code, stdout, stderr. */
function stepwise(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
}

describe('mocked service integrations (server)', { concurrency: true }, () => {
  let dir: string;
  let file: string;
  let srv: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-mocks-e2e-'));
    file = join(dir, 'MockConfigFile.json');
    writeFileSync(file, JSON.stringify(CONFIG));
    srv = await startTestServer({ mockConfig: file, waitTimeScale: 0.01 });
    await srv.client.send(new CreateStateMachineCommand({ name: 'LambdaSQSIntegration', definition: JSON.stringify(DOCS_DEFINITION), roleArn: ROLE }));
    await srv.client.send(new CreateStateMachineCommand({ name: 'ExpressDocs', definition: JSON.stringify(DOCS_DEFINITION), roleArn: ROLE, type: 'EXPRESS' }));
  });
  after(async () => {
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("AWS's example through the SDK: HappyPath and RetryPath on ARN#TestCase; the execution is the state machine's", async () => {
    const sm = smArn('LambdaSQSIntegration');
    const started = await srv.client.send(new StartExecutionCommand({ stateMachineArn: `${sm}#HappyPath`, name: 'executionWithHappyPathMockedServices' }));
    assert.equal(started.executionArn, execOf('LambdaSQSIntegration', 'executionWithHappyPathMockedServices'));
    const d = await waitForEnd(srv.client, started.executionArn!);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.stateMachineArn, sm);
    assert.equal(d.name, 'executionWithHappyPathMockedServices');
    assert.deepEqual(JSON.parse(d.output!), DOCS_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
    const events = await history(srv, started.executionArn!);
    const sqsDone = events.filter((e) => e.type === 'TaskSucceeded').at(-1)!;
    assert.equal(sqsDone.taskSucceededEventDetails?.resourceType, 'sqs');
    assert.equal(sqsDone.taskSucceededEventDetails?.resource, 'sendMessage');
    assert.deepEqual(JSON.parse(sqsDone.taskSucceededEventDetails!.output!), DOCS_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
    const sqsEntered = events.find((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'SQSState')!;
    assert.deepEqual(JSON.parse(sqsEntered.stateEnteredEventDetails!.input!), DOCS_MOCK_CONFIG.MockedResponses.MockedLambdaSuccess['0'].Return);

    const retry = await srv.client.send(new StartExecutionCommand({ stateMachineArn: `${sm}#RetryPath`, name: 'retry' }));
    assert.equal((await waitForEnd(srv.client, retry.executionArn!)).status, 'SUCCEEDED');
    const retried = await history(srv, retry.executionArn!);
    assert.deepEqual(
      retried.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error),
      ['Lambda.ResourceNotReadyException', 'Lambda.TimeoutException', 'Lambda.TimeoutException'],
    );
  });

  it('an activity, a .waitForTaskToken and a .sync task mocked on a Standard execution: nothing is left waiting', async () => {
    const def = {
      StartAt: 'Act',
      States: {
        Act: { Type: 'Task', Resource: `arn:aws:states:${REGION}:${ACCOUNT}:activity:mocked-activity`, ResultPath: '$.act', Next: 'Cb' },
        Cb: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, ResultPath: '$.cb', Next: 'Job' },
        Job: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: { TaskDefinition: 'td' }, Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.job', Next: 'Done' }], End: true },
        Done: { Type: 'Pass', End: true },
      },
    };
    // The activity must exist (as on AWS); no worker ever takes its task.
    await srv.client.send(new CreateActivityCommand({ name: 'mocked-activity' }));
    await srv.client.send(new CreateStateMachineCommand({ name: 'Tokens', definition: JSON.stringify(def), roleArn: ROLE }));
    const arn = (await srv.client.send(new StartExecutionCommand({ stateMachineArn: `${smArn('Tokens')}#Answered`, input: '{}' }))).executionArn!;
    const d = await waitForEnd(srv.client, arn);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.deepEqual(JSON.parse(d.output!), { act: { act: true }, cb: { approved: true }, job: { Error: 'States.TaskFailed', Cause: 'exit code 1' } });
    const t = types(await history(srv, arn)).filter((x) => /^(Activity|Task)(Scheduled|Started|Submitted|Succeeded|Failed)$/.test(x));
    assert.deepEqual(t, ['ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskScheduled', 'TaskStarted', 'TaskFailed']);
    assert.deepEqual(await srv.running.store.openTasks(arn), []);
  });

  it('StartSyncExecution on ARN#TestCase (Express)', async () => {
    const r = await srv.client.send(new StartSyncExecutionCommand({ stateMachineArn: `${smArn('ExpressDocs')}#RetryPath`, name: 'sync-retry' }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(r.stateMachineArn, smArn('ExpressDocs'));
    assert.deepEqual(JSON.parse(r.output!), DOCS_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
  });

  it('an unknown test case is InvalidArn; without a mock configuration the ARN is taken as it is (AWS: no such state machine)', async () => {
    await rejectsAws(srv.client.send(new StartExecutionCommand({ stateMachineArn: `${smArn('LambdaSQSIntegration')}#SadPath` })), 'InvalidArn', /no test case 'SadPath' for the state machine 'LambdaSQSIntegration'/);
    await rejectsAws(srv.client.send(new StartSyncExecutionCommand({ stateMachineArn: `${smArn('ExpressDocs')}#SadPath` })), 'InvalidArn', /no test case 'SadPath'/);
    await rejectsAws(srv.client.send(new StartExecutionCommand({ stateMachineArn: `${smArn('NotThere')}#HappyPath` })), 'StateMachineDoesNotExist');
    const plain = await startTestServer({ db: ':memory:' });
    try {
      await plain.client.send(new CreateStateMachineCommand({ name: 'LambdaSQSIntegration', definition: JSON.stringify(DOCS_DEFINITION), roleArn: ROLE }));
      await rejectsAws(plain.client.send(new StartExecutionCommand({ stateMachineArn: `${smArn('LambdaSQSIntegration')}#HappyPath` })), 'StateMachineDoesNotExist', /LambdaSQSIntegration#HappyPath/);
    } finally {
      await plain.close();
    }
  });

  it('the AWS CLI: start-execution on ARN#TestCase, describe-execution, get-execution-history; an unknown test case', { skip: skipCli }, async () => {
    const sm = smArn('LambdaSQSIntegration');
    const arn = execOf('LambdaSQSIntegration', 'cli-happy');
    const [start, bad] = await cliBatch(srv.endpoint, [
      ['start-execution', '--state-machine-arn', `${sm}#HappyPath`, '--name', 'cli-happy'],
      ['start-execution', '--state-machine-arn', `${sm}#Nope`],
    ]);
    assert.equal(start!.code, 0, start!.stderr);
    assert.equal(start!.json?.executionArn, arn);
    assert.equal(bad!.code, 254);
    assert.match(bad!.stderr, /An error occurred \(InvalidArn\) when calling the StartExecution operation: .*Nope/);
    await waitForEnd(srv.client, arn);
    const [described, hist] = await cliBatch(srv.endpoint, [
      ['describe-execution', '--execution-arn', arn],
      ['get-execution-history', '--execution-arn', arn],
    ]);
    assert.equal(described!.json?.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(described!.json?.output as string), DOCS_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
    const events = hist!.json?.events as HistoryEvent[];
    assert.deepEqual(types(events).filter((t) => t.startsWith('Task') && !t.endsWith('StateEntered') && !t.endsWith('StateExited')), [
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
    ]);
  });
});

describe('mocked service integrations: start-up, restart, record', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-mocks-e2e2-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad mock file stops the start-up, naming the file, the path inside it and what is wrong', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ StateMachines: { M: { TestCases: { T: { S: 'Missing' } } } }, MockedResponses: {} }));
    await assert.rejects(startServer({ port: 0, host: '127.0.0.1', region: REGION, accountId: ACCOUNT, db: ':memory:', mockConfig: bad }, () => {}), {
      message: `${bad}: $.StateMachines.M.TestCases.T.S: names the mocked response 'Missing', which MockedResponses does not define`,
    });
    // The command: SFN_MOCK_CONFIG, exit code 1, the message on stderr.
    const r = await stepwise(['serve', '--port', '0', '--db', ':memory:'], { env: { SFN_MOCK_CONFIG: bad } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.json: \$\.StateMachines\.M\.TestCases\.T\.S: names the mocked response 'Missing'/);
  });

  it('--mock-config, else SFN_MOCK_CONFIG, else MockConfigFile.json in the working directory', async () => {
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'MockConfigFile.json'), JSON.stringify(DOCS_MOCK_CONFIG));
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ StateMachines: { Other: { TestCases: { Only: {} } } } }));
    const served = async (args: string[], env: NodeJS.ProcessEnv): Promise<string> => {
      const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', ':memory:', ...args], { cwd, env: { ...process.env, SFN_MOCK_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      try {
        return await new Promise<string>((resolve, reject) => {
          proc.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /Mocked service integrations: .*\n/.exec(out);
            if (m) resolve(m[0].trim());
          });
          proc.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
        });
      } finally {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
    };
    assert.equal(await served([], {}), 'Mocked service integrations: MockConfigFile.json (test cases: LambdaSQSIntegration#HappyPath, LambdaSQSIntegration#RetryPath, LambdaSQSIntegration#HybridPath)');
    assert.equal(await served([], { SFN_MOCK_CONFIG: other }), `Mocked service integrations: ${other} (test cases: Other#Only)`);
    assert.equal(await served(['--mock-config', other], { SFN_MOCK_CONFIG: join(cwd, 'MockConfigFile.json') }), `Mocked service integrations: ${other} (test cases: Other#Only)`);
  });

  it('a mocked Standard execution resumed after a restart: its test case and invocation counts survive', async () => {
    const file = join(dir, 'durable.json');
    writeFileSync(file, JSON.stringify(CONFIG));
    const db = join(dir, 'durable.db');
    const def = {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'nowhere' }, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 3, MaxAttempts: 1 }], End: true } },
    };
    let srv = await startTestServer({ db, mockConfig: file });
    let arn: string;
    try {
      await srv.client.send(new CreateStateMachineCommand({ name: 'Durable', definition: JSON.stringify(def), roleArn: ROLE }));
      arn = (await srv.client.send(new StartExecutionCommand({ stateMachineArn: `${smArn('Durable')}#FailThenSucceed`, name: 'survivor' }))).executionArn!;
      // Invocation 0 failed; the retry waits on its timer when the server stops.
      for (let i = 0; i < 200 && !types(await history(srv, arn)).includes('TaskFailed'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await srv.client.send(new DescribeExecutionCommand({ executionArn: arn }))).status, 'RUNNING');
      assert.equal((await srv.running.store.getExecution(arn))?.testCase, 'FailThenSucceed');
    } finally {
      await srv.close();
    }
    srv = await startTestServer({ db, mockConfig: file });
    try {
      const d = await waitForEnd(srv.client, arn, 20000);
      assert.equal(d.status, 'SUCCEEDED', d.cause);
      assert.deepEqual(JSON.parse(d.output!), { ok: 1 });
      const events = await history(srv, arn);
      assert.deepEqual(types(events).filter((t) => t === 'TaskFailed' || t === 'TaskSucceeded'), ['TaskFailed', 'TaskSucceeded']);
    } finally {
      await srv.close();
    }
  });

  it('stepwise mocks record: a run against real functions becomes a test case; re-run offline, the outcome is the same', async () => {
    const fns = join(dir, 'functions');
    mkdirSync(fns);
    writeFileSync(join(fns, 'greet.mjs'), 'export const handler = async (e) => ({ msg: `hello ${e.who}` });\n');
    // Fails the first time it is called for an item in an execution, then succeeds.
    writeFileSync(
      join(fns, 'flaky.mjs'),
      'const seen = new Set();\nexport const handler = async (e, ctx) => {\n  const key = `${ctx.executionArn}/${e.n}`;\n  if (!seen.has(key)) { seen.add(key); const err = new Error("not yet"); err.name = "Flaky"; throw err; }\n  return { n: e.n + 1 };\n};\n',
    );
    writeFileSync(join(fns, 'broken.mjs'), 'export const handler = async () => { const err = new Error("always"); err.name = "Broken"; throw err; };\n');
    const def = {
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'greet', 'Payload.$': '$' }, ResultSelector: { 'msg.$': '$.Payload.msg' }, ResultPath: '$.greeting', Next: 'Each' },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Flaky', States: { Flaky: { Type: 'Task', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:flaky`, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }], End: true } } },
          ResultPath: '$.results',
          Next: 'Broken',
        },
        Broken: { Type: 'Task', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:broken`, Catch: [{ ErrorEquals: ['Broken'], ResultPath: '$.error', Next: 'Done' }], End: true },
        Done: { Type: 'Pass', End: true },
      },
    };
    const input = JSON.stringify({ who: 'world', items: [{ n: 1 }, { n: 2 }] });
    const real = await startTestServer({ db: ':memory:', functionsDir: fns, waitTimeScale: 0.01 });
    let recorded: { status?: string; output?: string };
    let realTasks: string[];
    const out = join(dir, 'recorded.json');
    try {
      await real.client.send(new CreateStateMachineCommand({ name: 'Recordable', definition: JSON.stringify(def), roleArn: ROLE }));
      const arn = (await real.client.send(new StartExecutionCommand({ stateMachineArn: smArn('Recordable'), name: 'real-run', input }))).executionArn!;
      recorded = await waitForEnd(real.client, arn);
      assert.equal(recorded.status, 'SUCCEEDED');
      realTasks = types(await history(real, arn)).filter((t) => /^(Task|LambdaFunction)(Scheduled|Succeeded|Failed)$/.test(t));
      const r = await stepwise(['mocks', 'record', arn, '--endpoint', real.endpoint, '--test-case', 'Recorded', '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Recorded test case 'Recorded' of state machine 'Recordable' \(3 states\)/);
      // Printed when no --out is given: the same file.
      const printed = await stepwise(['mocks', 'record', arn, '--endpoint', real.endpoint, '--test-case', 'Recorded']);
      assert.deepEqual(JSON.parse(printed.stdout), JSON.parse(readFileSync(out, 'utf8')));
      const cfg = JSON.parse(readFileSync(out, 'utf8')) as { StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>; MockedResponses: Record<string, Record<string, unknown>> };
      assert.deepEqual(Object.keys(cfg.StateMachines.Recordable!.TestCases.Recorded!), ['Greet', 'Flaky', 'Broken']);
      // flaky: fails, succeeds, fails, succeeds (two Map items).
      assert.deepEqual(Object.keys(cfg.MockedResponses['Recorded.Flaky']!), ['0', '1', '2', '3']);
      const missing = await stepwise(['mocks', 'record', execOf('Recordable', 'none'), '--endpoint', real.endpoint]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /ExecutionDoesNotExist/);
    } finally {
      await real.close();
    }
    // Offline: no functions at all, only the recorded mocks.
    const offline = await startTestServer({ db: ':memory:', mockConfig: out, waitTimeScale: 0.01 });
    try {
      await offline.client.send(new CreateStateMachineCommand({ name: 'Recordable', definition: JSON.stringify(def), roleArn: ROLE }));
      const arn = (await offline.client.send(new StartExecutionCommand({ stateMachineArn: `${smArn('Recordable')}#Recorded`, name: 'replay', input }))).executionArn!;
      const replayed = await waitForEnd(offline.client, arn);
      assert.equal(replayed.status, recorded.status);
      assert.deepEqual(JSON.parse(replayed.output!), JSON.parse(recorded.output!));
      assert.deepEqual(types(await history(offline, arn)).filter((t) => /^(Task|LambdaFunction)(Scheduled|Succeeded|Failed)$/.test(t)), realTasks);
      // Without the test case the functions are missing: the mocks are what made it pass.
      const plain = (await offline.client.send(new StartExecutionCommand({ stateMachineArn: smArn('Recordable'), input }))).executionArn!;
      assert.equal((await waitForEnd(offline.client, plain)).status, 'FAILED');
    } finally {
      await offline.close();
    }
  });
});
