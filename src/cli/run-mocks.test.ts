/** `stepwise run FILE --mock-config F --test-case C`, as installed (bin/stepwise.js), on AWS's documented example. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DOCS_DEFINITION, DOCS_MOCK_CONFIG } from '../e2e/mocks-docs-example.js';

const BIN = fileURLToPath(new URL('../../bin/stepwise.js', import.meta.url));

function stepwise(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const k of ['LAMBDA_ENDPOINT', 'WAIT_TIME_SCALE', 'SFN_MOCK_CONFIG', 'STEPWISE_FUNCTIONS']) delete base[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe('stepwise run with mocks', () => {
  let dir: string;
  let def: string;
  let cfg: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-run-mocks-'));
    def = join(dir, 'LambdaSQSIntegration.asl.json');
    writeFileSync(def, JSON.stringify(DOCS_DEFINITION));
    cfg = join(dir, 'MockConfigFile.json');
    writeFileSync(cfg, JSON.stringify({ ...DOCS_MOCK_CONFIG, StateMachines: { ...DOCS_MOCK_CONFIG.StateMachines, Twin: DOCS_MOCK_CONFIG.StateMachines.LambdaSQSIntegration, Solo: { TestCases: { Only: { LambdaState: 'LambdaMockedResourceNotReady' } } } } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--test-case MACHINE#CASE runs the test case: the mocked failures and retries are in the history', async () => {
    const r = await stepwise(['run', def, '--mock-config', cfg, '--test-case', 'LambdaSQSIntegration#RetryPath', '--history', '-'], { WAIT_TIME_SCALE: '0.001' });
    assert.equal(r.code, 0, r.stderr);
    const events = JSON.parse(r.stdout) as { type: string; taskFailedEventDetails?: { error: string } }[];
    assert.deepEqual(
      events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error),
      ['Lambda.ResourceNotReadyException', 'Lambda.TimeoutException', 'Lambda.TimeoutException'],
    );
  });

  test('--test-case CASE when one state machine of the file defines it; SFN_MOCK_CONFIG names the file', async () => {
    const r = await stepwise(['run', def, '--test-case', 'Only'], { SFN_MOCK_CONFIG: cfg, WAIT_TIME_SCALE: '0.001' });
    assert.equal(r.code, 1);
    // LambdaState retries on States.ALL, and the mocked response answers invocation 0 only (AWS: the execution fails).
    assert.match(r.stderr, /Execution FAILED: States\.Runtime\nThe mocked response 'LambdaMockedResourceNotReady' of test case 'Only' has no answer for invocation 1 of state 'LambdaState'/);
  });

  test('usage errors: ambiguous or unknown test cases, a test case without a file, a file without a test case, a bad file', async () => {
    let r = await stepwise(['run', def, '--mock-config', cfg, '--test-case', 'HappyPath']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /several state machines of .* define the test case 'HappyPath' \(LambdaSQSIntegration, Twin\): give --test-case MACHINE#HappyPath/);
    r = await stepwise(['run', def, '--mock-config', cfg, '--test-case', 'Nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /defines no test case 'Nope'/);
    r = await stepwise(['run', def, '--test-case', 'HappyPath']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--test-case needs --mock-config FILE/);
    r = await stepwise(['run', def, '--mock-config', cfg]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--mock-config needs --test-case NAME/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ MockedResponses: { R: { '0': { Retrun: 1 } } } }));
    r = await stepwise(['run', def, '--mock-config', bad, '--test-case', 'X']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${bad}: $.MockedResponses.R["0"]: must have exactly one field, Return or Throw, but has 'Retrun'`), r.stderr);
  });

  test('stepwise mocks: usage errors name the subcommand and what is missing', async () => {
    let r = await stepwise(['mocks']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mocks: missing the subcommand \(record\)[\s\S]*Usage: stepwise mocks record EXECUTION_ARN/);
    r = await stepwise(['mocks', 'replay', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown subcommand 'replay'/);
    r = await stepwise(['mocks', 'record']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mocks record: missing the execution ARN/);
    r = await stepwise(['mocks', 'record', 'arn', '--test-case', 'a#b']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--test-case must be a name without '#'/);
    r = await stepwise(['mocks', 'record', 'arn', '--ot', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --ot \(did you mean --out\?\)/);
  });
});
