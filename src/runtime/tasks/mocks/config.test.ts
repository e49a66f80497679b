import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DOCS_MOCK_CONFIG } from '../../../e2e/mocks-docs-example.js';
import { answerFor, loadMockConfig, MockConfigError, parseMockConfig } from './config.js';
import { invocationCounts } from './invoker.js';
import type { HistoryEvent } from '../../../interpreter/history.js';
import * as stepwise from '../../../index.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The message for `v` as the mock configuration `src`, which must be refused. */
function refused(v: unknown, path: string, problem: RegExp): void {
  assert.throws(
    () => parseMockConfig(v, 'cfg.json'),
    (e: unknown) => {
      assert.ok(e instanceof MockConfigError, String(e));
      assert.equal(e.source, 'cfg.json');
      assert.equal(e.path, path);
      assert.match(e.problem, problem);
      assert.equal(e.message, `cfg.json: ${path}: ${e.problem}`);
      return true;
    },
  );
}

describe('mock configuration file', () => {
  it("reads AWS's documented example: test cases by state machine, answers by invocation range", () => {
    const cfg = parseMockConfig(DOCS_MOCK_CONFIG, 'MockConfigFile.json');
    const cases = cfg.stateMachines.get('LambdaSQSIntegration')!;
    assert.deepEqual([...cases.keys()], ['HappyPath', 'RetryPath', 'HybridPath']);
    assert.deepEqual([...cases.get('HybridPath')!], [['LambdaState', 'MockedLambdaSuccess']]);
    const retry = cfg.mockedResponses.get('MockedLambdaRetry')!;
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((n) => answerFor(retry, n)),
      [
        { k: 'throw', error: 'Lambda.ResourceNotReadyException', cause: 'Lambda resource is not ready.' },
        { k: 'throw', error: 'Lambda.TimeoutException', cause: 'Lambda timed out.' },
        { k: 'throw', error: 'Lambda.TimeoutException', cause: 'Lambda timed out.' },
        { k: 'return', value: { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } } },
        undefined,
      ],
    );
  });

  it('Return may be any JSON value; Throw needs an Error (Cause optional); an empty response answers nothing', () => {
    const cfg = parseMockConfig({ MockedResponses: { A: { '0': { Return: 'text' }, '1': { Return: null } }, B: { '0': { Throw: { Error: 'E' } } }, C: {} } }, 'x');
    assert.deepEqual(answerFor(cfg.mockedResponses.get('A')!, 1), { k: 'return', value: null });
    assert.deepEqual(answerFor(cfg.mockedResponses.get('B')!, 0), { k: 'throw', error: 'E' });
    assert.equal(answerFor(cfg.mockedResponses.get('C')!, 0), undefined);
  });

  it('refuses what is not the documented shape, naming the JSON path and the problem', () => {
    refused([], '$', /must be an object with the fields StateMachines and MockedResponses, but is an array/);
    refused({ StateMachine: {} }, '$.StateMachine', /unknown field/);
    refused({ MockedResponses: [] }, '$.MockedResponses', /must be an object of mocked responses by name, but is an array/);
    refused({ MockedResponses: { R: { first: { Return: 1 } } } }, '$.MockedResponses.R.first', /a number \("0"\) or an inclusive range \("1-3"\)/);
    refused({ MockedResponses: { R: { '01': { Return: 1 } } } }, '$.MockedResponses.R["01"]', /a number/);
    refused({ MockedResponses: { R: { '3-1': { Return: 1 } } } }, '$.MockedResponses.R["3-1"]', /the range ends \(1\) before it starts \(3\)/);
    refused({ MockedResponses: { R: { '0-2': { Return: 1 }, '2': { Return: 2 } } } }, '$.MockedResponses.R["0-2"]', /invocations 2-2 are also answered by the key "2"/);
    refused({ MockedResponses: { R: { '0': { Return: 1, Throw: { Error: 'E' } } } } }, '$.MockedResponses.R["0"]', /exactly one field, Return or Throw, but has 'Return', 'Throw'/);
    refused({ MockedResponses: { R: { '0': {} } } }, '$.MockedResponses.R["0"]', /has none/);
    refused({ MockedResponses: { R: { '0': { Throw: { Cause: 'c' } } } } }, '$.MockedResponses.R["0"].Throw.Error', /the field Error is missing/);
    refused({ MockedResponses: { R: { '0': { Throw: { Error: 1 } } } } }, '$.MockedResponses.R["0"].Throw.Error', /must be a string, but is a number/);
    refused({ MockedResponses: { R: { '0': { Throw: { Error: 'E', Cause: 'c', Code: 3 } } } } }, '$.MockedResponses.R["0"].Throw.Code', /unknown field/);
    const bad = clone(DOCS_MOCK_CONFIG) as { StateMachines: { LambdaSQSIntegration: { TestCases: Record<string, Record<string, unknown>> } } };
    bad.StateMachines.LambdaSQSIntegration.TestCases.HappyPath!.SQSState = 'MockedSQSFailure';
    refused(bad, '$.StateMachines.LambdaSQSIntegration.TestCases.HappyPath.SQSState', /names the mocked response 'MockedSQSFailure', which MockedResponses does not define/);
    refused({ StateMachines: { 'My machine': { TestCases: { T: { 'Do it': 3 } } } } }, '$.StateMachines["My machine"].TestCases.T["Do it"]', /must be the name of a mocked response \(a string\), but is a number/);
    refused({ StateMachines: { M: {} } }, '$.StateMachines.M', /the field TestCases is missing/);
    refused({ StateMachines: { M: { TestCases: {}, Extra: 1 } } }, '$.StateMachines.M.Extra', /unknown field/);
  });

  it('the package entry point exports the checks', () => {
    assert.equal(stepwise.parseMockConfig, parseMockConfig);
    assert.equal(stepwise.loadMockConfig, loadMockConfig);
    assert.equal(stepwise.MockConfigError, MockConfigError);
  });

  it('a file: read errors and JSON errors name the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-mocks-'));
    try {
      const file = join(dir, 'MockConfigFile.json');
      writeFileSync(file, '{"StateMachines": {');
      assert.throws(() => loadMockConfig(file), (e: unknown) => e instanceof MockConfigError && e.message.startsWith(`${file}: $: is not valid JSON:`));
      assert.throws(() => loadMockConfig(join(dir, 'none.json')), (e: unknown) => e instanceof MockConfigError && e.message.startsWith(`${join(dir, 'none.json')}: $: cannot be read:`));
      writeFileSync(file, JSON.stringify(DOCS_MOCK_CONFIG));
      assert.equal(loadMockConfig(file).source, file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('invocation counts from a history', () => {
  const ev = (id: number, previousEventId: number, type: string, details?: Record<string, unknown>): HistoryEvent => ({ id, previousEventId, timestamp: 0, type, ...(details ? { details } : {}) });

  it('counts the ended invocations of each state, following each thread’s chain of events', () => {
    const events = [
      ev(1, 0, 'ExecutionStarted'),
      ev(2, 1, 'ParallelStateEntered', { name: 'P' }),
      ev(3, 2, 'ParallelStateStarted'),
      // Two branches, interleaved.
      ev(4, 3, 'TaskStateEntered', { name: 'A' }),
      ev(5, 3, 'TaskStateEntered', { name: 'B' }),
      ev(6, 4, 'TaskScheduled'),
      ev(7, 5, 'LambdaFunctionScheduled'),
      ev(8, 6, 'TaskStarted'),
      ev(9, 7, 'LambdaFunctionStarted'),
      ev(10, 8, 'TaskFailed'),
      ev(11, 9, 'LambdaFunctionSucceeded'),
      // A retried: scheduled again after its failure; still running.
      ev(12, 10, 'TaskScheduled'),
      ev(13, 12, 'TaskStarted'),
    ];
    assert.deepEqual([...invocationCounts(events)].sort(), [
      ['A', 1],
      ['B', 1],
    ]);
    assert.deepEqual([...invocationCounts([...events, ev(14, 13, 'TaskSucceeded')])].sort(), [
      ['A', 2],
      ['B', 1],
    ]);
  });
});
