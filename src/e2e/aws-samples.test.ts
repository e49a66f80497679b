/**
 * E2E: definitions shaped like AWS's published samples (custom `States.` error names, JSONPath filters
 * comparing with an unquoted word, integration ARNs with a region and account) pass `stepwise validate`
 * and CreateStateMachine as they do on AWS; ValidateStateMachineDefinition shows the warnings only when
 * asked (severity WARNING, AWS's default being ERROR); the filter evaluates on the real server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, StartSyncExecutionCommand, ValidateStateMachineDefinitionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ROLE, startTestServer, uniqueName, type TestServer } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/stepwise.js', import.meta.url));

const QUORUM = {
  Comment: 'Stop the other branches once enough of them have answered',
  StartAt: 'Poll',
  States: {
    Poll: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Met', States: { Met: { Type: 'Fail', Error: 'States.QuorumMet', Cause: 'two of three' } } },
        { StartAt: 'Slow', States: { Slow: { Type: 'Pass', End: true } } },
      ],
      Retry: [{ ErrorEquals: ['States.TaskFailedId'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.QuorumMet'], ResultPath: '$.quorum', Next: 'Done' }],
      End: true,
    },
    Done: { Type: 'Succeed' },
  },
};

const TRANSLATE = {
  StartAt: 'Pick',
  States: {
    Pick: {
      Type: 'Pass',
      Parameters: { 'spanish.$': '$.translations[?(@.TargetLanguageCode==es)].TranslatedText', 'receipts.$': '$.Labels[?(@.Name==Receipt)].Name' },
      Next: 'Fetch',
    },
    Fetch: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject', Parameters: { Bucket: 'b', Key: 'k' }, End: true },
  },
};

let dir: string;
let srv: TestServer;
let c: SFNClient;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-samples-'));
  srv = await startTestServer();
  c = srv.client;
});
after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

function validate(def: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `${uniqueName('def')}.json`);
  writeFileSync(file, JSON.stringify(def, null, 2));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'validate', file], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe('AWS sample shapes', () => {
  it('stepwise validate accepts them (exit 0, OK) and prints the warnings', async () => {
    const q = await validate(QUORUM);
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stdout, /: OK$/m);
    assert.match(q.stderr, /WARNING RESERVED_ERROR_NAME: 'States\.TaskFailedId' is not a predefined error name/);
    const t = await validate(TRANSLATE);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /: OK$/m);
    assert.match(t.stderr, /WARNING UNQUOTED_FILTER_VALUE: .*unquoted word 'es'/);
    assert.doesNotMatch(t.stderr, /ERROR/);
  });

  it('CreateStateMachine accepts them; ValidateStateMachineDefinition warns only with severity WARNING', async () => {
    for (const def of [QUORUM, TRANSLATE]) {
      const definition = JSON.stringify(def);
      const created = await c.send(new CreateStateMachineCommand({ name: uniqueName('sample'), definition, roleArn: ROLE }));
      assert.ok(created.stateMachineArn);
      const plain = await c.send(new ValidateStateMachineDefinitionCommand({ definition }));
      assert.equal(plain.result, 'OK');
      assert.deepEqual(plain.diagnostics, []);
      const all = await c.send(new ValidateStateMachineDefinitionCommand({ definition, severity: 'WARNING' }));
      assert.equal(all.result, 'OK');
      assert.ok(all.diagnostics!.length > 0);
      assert.ok(all.diagnostics!.every((d) => d.severity === 'WARNING'));
    }
  });

  it('the custom States. error is caught and the unquoted filter selects by string', async () => {
    const quorum = await c.send(new CreateStateMachineCommand({ name: uniqueName('q'), definition: JSON.stringify(QUORUM), roleArn: ROLE, type: 'EXPRESS' }));
    const q = await c.send(new StartSyncExecutionCommand({ stateMachineArn: quorum.stateMachineArn, input: '{}' }));
    assert.equal(q.status, 'SUCCEEDED', q.cause);
    assert.deepEqual(JSON.parse(q.output!).quorum, { Error: 'States.QuorumMet', Cause: 'two of three' });

    const pick = { StartAt: 'Pick', States: { Pick: { ...TRANSLATE.States.Pick, Next: undefined, End: true } } };
    const sm = await c.send(new CreateStateMachineCommand({ name: uniqueName('f'), definition: JSON.stringify(pick), roleArn: ROLE, type: 'EXPRESS' }));
    const input = {
      translations: [
        { TargetLanguageCode: 'fr', TranslatedText: 'bonjour' },
        { TargetLanguageCode: 'es', TranslatedText: 'hola' },
      ],
      Labels: [{ Name: 'Paper' }, { Name: 'Receipt' }],
    };
    const r = await c.send(new StartSyncExecutionCommand({ stateMachineArn: sm.stateMachineArn, input: JSON.stringify(input) }));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(JSON.parse(r.output!), { spanish: ['hola'], receipts: ['Receipt'] });
  });
});
