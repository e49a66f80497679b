import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine, type ExecutionResult } from '../../library/state-machine.js';
import type { Json, JsonObject } from '../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../../runtime/tasks/types.js';
import { batchItems } from './map-run-io.js';

/**
 * The Distributed Map's side of reading and writing: what it asks the runtime (the commands' inputs) and
 * what it does with the answers. The S3 readers and writer themselves are tested against s3rver beside
 * their modules; here a recording invoker answers in their place.
 */
class Recorder implements TaskInvoker {
  calls: InvokeTask[] = [];
  constructor(private readonly answer: (cmd: InvokeTask) => { ok: Json } | { error: string; cause: string }) {}
  invoke(cmd: InvokeTask, _ctx: TaskContext, cb: TaskCallbacks): void {
    this.calls.push(cmd);
    const a = this.answer(cmd);
    if ('ok' in a) cb.succeeded(a.ok);
    else cb.failed(a.error, a.cause);
  }
}

const types = (r: ExecutionResult) => r.events.map((e) => e.type);

function distributed(map: JsonObject, processor?: JsonObject): JsonObject {
  return {
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, ...(processor ?? { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) },
        End: true,
        ...map,
      },
    },
  };
}

const READER = { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON', MaxItemsPath: '$.max' }, Parameters: { 'Bucket.$': '$.b', Key: 'k.json' } };

describe('Distributed Map: ItemReader', () => {
  test('the reader gets the evaluated request; its items are the iterations', async () => {
    const reader = new Recorder(() => ({ ok: ['x', 'y'] }));
    const sm = new StateMachine(distributed({ ItemReader: READER, ItemsPath: '$.ignored' }), { services: { 'itemReader:s3:getObject': reader } });
    const r = await sm.run({ b: 'bucket', max: '2', ignored: 'not an array' });
    assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r));
    assert.deepEqual(r.output, ['x', 'y']);
    assert.equal(reader.calls.length, 1);
    const c = reader.calls[0]!;
    assert.equal(c.purpose, 'itemReader');
    assert.deepEqual(c.input, { Parameters: { Bucket: 'bucket', Key: 'k.json' }, ReaderConfig: { InputType: 'JSON', MaxItems: 2 } });
    assert.deepEqual(types(r), ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  test('a failed read fails the Map Run with States.ItemReaderFailed, which Catch can handle', async () => {
    const reader = new Recorder(() => ({ error: 'States.ItemReaderFailed', cause: 'CSV headers cannot contain duplicates.' }));
    const def = distributed({ ItemReader: READER });
    const r = await new StateMachine(def, { services: { 'itemReader:s3:getObject': reader } }).run({ b: 'bucket' });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.ItemReaderFailed');
    assert.equal(r.cause, 'CSV headers cannot contain duplicates.');
    assert.deepEqual(types(r), ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
    const caught = distributed({ ItemReader: READER, Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], Next: 'C' }] });
    const states = caught.States as JsonObject;
    delete (states.M as JsonObject).End;
    (states.M as JsonObject).Next = 'C';
    states.C = { Type: 'Pass', End: true };
    const r2 = await new StateMachine(caught, { services: { 'itemReader:s3:getObject': reader } }).run({ b: 'bucket' });
    assert.equal(r2.status, 'SUCCEEDED');
    assert.deepEqual(r2.output, { Error: 'States.ItemReaderFailed', Cause: 'CSV headers cannot contain duplicates.' });
  });

  test('a Task state cannot name the reader (only the Map’s ItemReader reaches it)', async () => {
    const reader = new Recorder(() => ({ ok: [] }));
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::s3:getObject', End: true } } };
    const r = await new StateMachine(def, { services: { 'itemReader:s3:getObject': reader }, validate: false } as never).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(reader.calls.length, 0);
  });

  test('JSONata: Arguments and a ReaderConfig expression', async () => {
    const reader = new Recorder(() => ({ ok: [1, 2, 3] }));
    const def = {
      QueryLanguage: 'JSONata',
      ...distributed({
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL', MaxItems: '{% $states.input.n %}' }, Arguments: { Bucket: '{% $states.input.b %}', Key: 'a.jsonl' } },
      }),
    };
    const r = await new StateMachine(def, { services: { 'itemReader:s3:getObject': reader } }).run({ b: 'bk', n: 3 });
    assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r));
    assert.deepEqual(r.output, [1, 2, 3]);
    assert.deepEqual(reader.calls[0]!.input, { Parameters: { Bucket: 'bk', Key: 'a.jsonl' }, ReaderConfig: { InputType: 'JSONL', MaxItems: 3 } });
  });
});

describe('Distributed Map: ItemBatcher', () => {
  test('MaxItemsPerBatch 2 over [1,2,3]: two child executions, [1,2] and [3]', async () => {
    const r = await new StateMachine(distributed({ ItemBatcher: { MaxItemsPerBatch: 2 } })).run([1, 2, 3]);
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, [{ Items: [1, 2] }, { Items: [3] }]);
  });

  test('BatchInput in every batch; ItemSelector applied to each item first; paths to the limits', async () => {
    const def = distributed({
      ItemsPath: '$.items',
      ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
      ItemBatcher: { MaxItemsPerBatchPath: '$.per', BatchInput: { 'run.$': '$.run' } },
    });
    const r = await new StateMachine(def).run({ items: ['a', 'b', 'c'], per: 2, run: 7 });
    assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r));
    assert.deepEqual(r.output, [
      { BatchInput: { run: 7 }, Items: [{ v: 'a', i: 0 }, { v: 'b', i: 1 }] },
      { BatchInput: { run: 7 }, Items: [{ v: 'c', i: 2 }] },
    ]);
  });

  test('MaxInputBytesPerBatch bounds the JSON text of each batch', () => {
    const items = ['aaaa', 'bbbb', 'cccc'];
    // {"Items":["aaaa","bbbb"]} is 25 bytes; with a third item, 32.
    assert.deepEqual(batchItems(items, { maxItems: 0, maxBytes: 25 }), [{ Items: ['aaaa', 'bbbb'] }, { Items: ['cccc'] }]);
    assert.deepEqual(batchItems(items, { maxItems: 0, maxBytes: 32 }), [{ Items: items }]);
    assert.throws(() => batchItems(['x'.repeat(50)], { maxItems: 0, maxBytes: 20 }), /does not fit in a batch/);
  });

  test('a negative MaxItemsPerBatch fails the state', async () => {
    const r = await new StateMachine(distributed({ ItemBatcher: { MaxItemsPerBatchPath: '$.n' }, ItemsPath: '$.items' })).run({ items: [1], n: -1 });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause ?? '', /MaxItemsPerBatch cannot be negative/);
  });
});

describe('Distributed Map: ResultWriter', () => {
  test('with a Resource: the writer gets the Map Run ARN and every child execution’s record; its answer is the result', async () => {
    const writer = new Recorder((cmd) => ({ ok: { MapRunArn: (cmd.input as JsonObject).MapRunArn!, ResultWriterDetails: { Bucket: 'out', Key: 'p/x/manifest.json' } } }));
    const def = distributed({ Label: 'L', ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', 'Prefix.$': '$.prefix' } }, ItemsPath: '$.items' }, {
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [{ Variable: '$', StringEquals: 'bad', Next: 'F' }], Default: 'P' }, P: { Type: 'Pass', End: true }, F: { Type: 'Fail', Error: 'Bad', Cause: 'bad item' } },
    });
    ((def.States as JsonObject).M as JsonObject).ToleratedFailureCount = 1;
    const r = await new StateMachine(def, { services: { 'resultWriter:s3:putObject': writer } }).run({ items: ['ok', 'bad'], prefix: 'p' });
    assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r));
    assert.equal(writer.calls.length, 1);
    const input = writer.calls[0]!.input as JsonObject;
    assert.match(String(input.MapRunArn), /^arn:aws:states:[^:]+:\d+:mapRun:[^/]+\/L:[0-9a-f-]{36}$/);
    assert.deepEqual(input.Parameters, { Bucket: 'out', Prefix: 'p' });
    const results = input.Results as JsonObject[];
    assert.equal(results.length, 2);
    assert.equal(results[0]!.Status, 'SUCCEEDED');
    assert.equal(results[0]!.Input, '"ok"');
    assert.equal(results[0]!.Output, '"ok"');
    assert.match(String(results[0]!.ExecutionArn), /:execution:[^/]+\/L:[0-9a-f-]{36}$/);
    assert.equal(results[1]!.Status, 'FAILED');
    assert.equal(results[1]!.Error, 'Bad');
    assert.equal(results[1]!.Cause, 'bad item');
    assert.deepEqual((r.output as JsonObject).ResultWriterDetails, { Bucket: 'out', Key: 'p/x/manifest.json' });
    assert.deepEqual(types(r), ['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  test('a failed write is States.ResultWriterFailed', async () => {
    const writer = new Recorder(() => ({ error: 'States.ResultWriterFailed', cause: 'The specified bucket does not exist' }));
    const def = distributed({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'nope', Prefix: 'p' } } });
    const r = await new StateMachine(def, { services: { 'resultWriter:s3:putObject': writer } }).run([1]);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.ResultWriterFailed');
    assert.equal(r.cause, 'The specified bucket does not exist');
    assert.ok(types(r).includes('MapRunFailed'));
  });

  test('WriterConfig alone: the transformed results are the output, nothing is written', async () => {
    const proc = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'pair.$': 'States.Array($, $)' }, OutputPath: '$.pair', End: true } } };
    const run = (t: string) => new StateMachine(distributed({ ResultWriter: { WriterConfig: { Transformation: t, OutputType: 'JSON' } } }, proc)).run([1, 2]);
    assert.deepEqual((await run('COMPACT')).output, [
      [1, 1],
      [2, 2],
    ]);
    assert.deepEqual((await run('FLATTEN')).output, [1, 1, 2, 2]);
    const none = (await run('NONE')).output as JsonObject[];
    assert.equal(none.length, 2);
    assert.equal(none[0]!.Status, 'SUCCEEDED');
    assert.equal(none[0]!.Output, '[1,1]');
    const bad = await new StateMachine(distributed({ ResultWriter: { WriterConfig: { Transformation: 'SQUASH' } } })).run([1]);
    assert.equal(bad.status, 'FAILED');
    assert.match(bad.cause ?? '', /Transformation must be one of NONE, COMPACT, FLATTEN/);
  });
});
