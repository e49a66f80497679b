/**
 * E2E with the real AWS CLI v2 (`/usr/bin/aws`, not the pip v1 shim on PATH) against the server: every
 * operation the server offers, error output (`An error occurred (X) when calling the Y operation: msg`,
 * exit code 254), and StartSyncExecution through the CLI's `sync-` host prefix.
 *
 * A CLI process costs about a second of CPU before it sends anything, so most calls run in batches: one
 * Python process runs the /usr/bin/aws script once per call (see `cliBatch`); a few run as processes of
 * their own (exit code and stderr of the real process, the sync- host prefix).
 * Skipped (with the reason) when /usr/bin/aws is absent; CI installs it (Debian `awscli`). The sync test
 * reaches `sync-localhost` as the README says, with the server as the CLI's HTTP proxy (no /etc/hosts entry).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { cliDataPath } from './cli-model.js';
import { activityArnOf, AWS_CLI, assertCliError, cli, cliBatch, hasCli, passDefinition, ROLE, smArn, startTestServer, uniqueName, waitForEnd, type CliResult, type TestServer } from './helpers.js';

const skipCli = hasCli() ? false : `AWS CLI v2 not found at ${AWS_CLI} (CI installs the Debian awscli package)`;

const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });

describe('AWS CLI v2', { skip: skipCli, concurrency: true }, () => {
  let srv: TestServer;
  let dataDir: string;
  let env: NodeJS.ProcessEnv = {};
  /** `aws stepfunctions <args>` for each argument list, in order, against the server on 127.0.0.1. */
  const batch = (...calls: string[][]) => cliBatch(srv.endpoint, calls, env);
  const ok = (r: CliResult): Record<string, unknown> => {
    assert.equal(r.code, 0, `CLI failed (${r.code}): ${r.stderr}`);
    return r.json ?? {};
  };

  before(async () => {
    srv = await startTestServer();
    dataDir = mkdtempSync(join(tmpdir(), 'stepwise-cli-model-'));
    const dataPath = cliDataPath(dataDir);
    if (dataPath) env = { AWS_DATA_PATH: dataPath };
  });
  after(async () => {
    await srv.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('state machines, executions, versions, aliases, tags and validation', async () => {
    const name = uniqueName('cli-sm');
    const arn = smArn(name);
    const def1 = passDefinition({ v: 1 });
    const def2 = passDefinition({ v: 2 });
    const missing = smArn(uniqueName('cli-missing'));
    const routeTo = (version: number) => JSON.stringify([{ stateMachineVersionArn: `${arn}:${version}`, weight: 100 }]);

    // One call as a process of its own: the exit code and stderr of /usr/bin/aws itself.
    const [alone, first] = await Promise.all([
      cli(srv.endpoint, ['describe-state-machine', '--state-machine-arn', missing], env),
      batch(
        ['create-state-machine', '--name', name, '--definition', def1, '--role-arn', ROLE, '--publish', '--version-description', 'first'],
        ['validate-state-machine-definition', '--definition', ' '],
        ['describe-state-machine', '--state-machine-arn', `${arn}:1`],
        ['create-state-machine-alias', '--name', 'live', '--description', 'prod', '--routing-configuration', routeTo(1)],
        ['create-state-machine-alias', '--name', 'bad alias', '--routing-configuration', routeTo(1)],
        ['tag-resource', '--resource-arn', arn, '--tags', JSON.stringify([{ key: 'env', value: 'dev' }, { key: 'team', value: 'core' }])],
        ['start-execution', '--state-machine-arn', `${arn}:1`, '--name', 'run1', '--input', '{"a": 1}'],
        ['start-execution', '--state-machine-arn', arn, '--input', 'not json'],
        ['update-state-machine', '--state-machine-arn', arn, '--definition', def2],
        ['list-state-machines'],
      ),
    ]);
    assertCliError(alone, 'StateMachineDoesNotExist', 'DescribeStateMachine', `State Machine Does Not Exist: '${missing}'`);
    const [created, validFail, descV1, alias, badAlias, tagged, started, badInput, updated, listed] = first;
    const c = ok(created!);
    assert.equal(c.stateMachineArn, arn);
    assert.equal(c.stateMachineVersionArn, `${arn}:1`);
    assert.match(String(c.creationDate), /^\d{4}-\d\d-\d\dT/);
    const vf = ok(validFail!);
    assert.equal(vf.result, 'FAIL');
    assert.deepEqual(
      (vf.diagnostics as { code: string }[]).map((d) => d.code),
      ['SCHEMA_VALIDATION_FAILED'],
    );
    const dv = ok(descV1!);
    assert.equal(dv.stateMachineArn, `${arn}:1`);
    assert.equal(dv.description, 'first');
    assert.equal(dv.definition, def1);
    assert.equal(ok(alias!).stateMachineAliasArn, `${arn}:live`);
    assertCliError(
      badAlias!,
      'ValidationException',
      'CreateStateMachineAlias',
      "1 validation error detected: Value 'bad alias' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    );
    assert.equal(tagged!.code, 0, tagged!.stderr);
    const execArn = String(ok(started!).executionArn);
    assert.equal(execArn, `${arn.replace(':stateMachine:', ':execution:')}:run1`);
    assertCliError(
      badInput!,
      'InvalidExecutionInput',
      'StartExecution',
      "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')'",
    );
    assert.match(String(ok(updated!).revisionId), /^[0-9a-f-]{36}$/);
    assert.ok((ok(listed!).stateMachines as { name: string }[]).some((m) => m.name === name));

    await waitForEnd(srv.client, execArn);
    const waitSm = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('cli-wait'), definition: WAIT, roleArn: ROLE }));
    const running = await srv.client.send(new StartExecutionCommand({ stateMachineArn: waitSm.stateMachineArn }));

    const [published, described, history, executions, forExec, aliasDesc, aliases, tags, versionInUse, versions, aliasUpdated, untagged, tagsAfter, stopped, aliasDeleted, versionDeleted, smDeleted] =
      await batch(
        ['publish-state-machine-version', '--state-machine-arn', arn, '--description', 'second'],
        ['describe-execution', '--execution-arn', execArn],
        ['get-execution-history', '--execution-arn', execArn, '--reverse-order'],
        ['list-executions', '--state-machine-arn', arn],
        ['describe-state-machine-for-execution', '--execution-arn', execArn],
        ['describe-state-machine-alias', '--state-machine-alias-arn', `${arn}:live`],
        ['list-state-machine-aliases', '--state-machine-arn', arn],
        ['list-tags-for-resource', '--resource-arn', arn],
        ['delete-state-machine-version', '--state-machine-version-arn', `${arn}:1`],
        ['list-state-machine-versions', '--state-machine-arn', arn],
        ['update-state-machine-alias', '--state-machine-alias-arn', `${arn}:live`, '--routing-configuration', routeTo(2)],
        ['untag-resource', '--resource-arn', arn, '--tag-keys', 'team'],
        ['list-tags-for-resource', '--resource-arn', arn],
        ['stop-execution', '--execution-arn', running.executionArn!, '--error', 'Cli.Stop', '--cause', 'from the CLI'],
        ['delete-state-machine-alias', '--state-machine-alias-arn', `${arn}:live`],
        ['delete-state-machine-version', '--state-machine-version-arn', `${arn}:1`],
        ['delete-state-machine', '--state-machine-arn', arn],
      );
    assert.equal(ok(published!).stateMachineVersionArn, `${arn}:2`);
    const d = ok(described!);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.output, '{"v":1}');
    assert.equal(d.input, '{"a": 1}');
    assert.equal(d.stateMachineVersionArn, `${arn}:1`);
    const events = ok(history!).events as { type: string }[];
    assert.equal(events[0]!.type, 'ExecutionSucceeded');
    assert.equal(events[events.length - 1]!.type, 'ExecutionStarted');
    assert.deepEqual(
      (ok(executions!).executions as { executionArn: string; status: string }[]).map((e) => [e.executionArn, e.status]),
      [[execArn, 'SUCCEEDED']],
    );
    const fe = ok(forExec!);
    assert.equal(fe.stateMachineArn, arn);
    assert.equal(fe.definition, def1);
    const ad = ok(aliasDesc!);
    assert.equal(ad.name, 'live');
    assert.equal(ad.description, 'prod');
    assert.deepEqual(ad.routingConfiguration, [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }]);
    assert.deepEqual(
      (ok(aliases!).stateMachineAliases as { stateMachineAliasArn: string }[]).map((a) => a.stateMachineAliasArn),
      [`${arn}:live`],
    );
    assert.deepEqual(ok(tags!).tags, [
      { key: 'env', value: 'dev' },
      { key: 'team', value: 'core' },
    ]);
    assertCliError(
      versionInUse!,
      'ConflictException',
      'DeleteStateMachineVersion',
      'Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [live]',
    );
    assert.deepEqual(
      (ok(versions!).stateMachineVersions as { stateMachineVersionArn: string }[]).map((v) => v.stateMachineVersionArn),
      [`${arn}:2`, `${arn}:1`],
    );
    assert.match(String(ok(aliasUpdated!).updateDate), /^\d{4}-/);
    assert.equal(untagged!.code, 0, untagged!.stderr);
    assert.deepEqual(ok(tagsAfter!).tags, [{ key: 'env', value: 'dev' }]);
    assert.match(String(ok(stopped!).stopDate), /^\d{4}-/);
    for (const r of [aliasDeleted!, versionDeleted!, smDeleted!]) assert.equal(r.code, 0, r.stderr);

    const aborted = await srv.client.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
    assert.equal(aborted.status, 'ABORTED');
    assert.equal(aborted.error, 'Cli.Stop');
    assert.equal(aborted.cause, 'from the CLI');
    const left = await srv.client.send(new ListStateMachinesCommand({}));
    assert.ok(!left.stateMachines!.some((m) => m.name === name));
  });

  it('activities and task tokens', async () => {
    const actName = uniqueName('cli-act');
    const activityArn = activityArnOf(actName);
    const [created] = await batch(['create-activity', '--name', actName]);
    assert.equal(ok(created!).activityArn, activityArn);
    const definition = JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 600, End: true } } });
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('cli-act-sm'), definition, roleArn: ROLE }));
    const e1 = await srv.client.send(new StartExecutionCommand({ stateMachineArn, input: '{"n": 1}' }));
    const e2 = await srv.client.send(new StartExecutionCommand({ stateMachineArn, input: '{"n": 2}' }));

    const [t1, t2, described, listed, badToken] = await batch(
      ['get-activity-task', '--activity-arn', activityArn, '--worker-name', 'cli-worker'],
      ['get-activity-task', '--activity-arn', activityArn],
      ['describe-activity', '--activity-arn', activityArn],
      ['list-activities'],
      ['send-task-success', '--task-token', 'not-a-token', '--task-output', '{}'],
    );
    const tasks = [ok(t1!), ok(t2!)].map((t) => ({ token: String(t.taskToken), n: (JSON.parse(String(t.input)) as { n: number }).n }));
    assert.deepEqual(tasks.map((t) => t.n).sort(), [1, 2]);
    assert.equal(ok(described!).name, actName);
    assert.ok((ok(listed!).activities as { activityArn: string }[]).some((a) => a.activityArn === activityArn));
    assertCliError(badToken!, 'InvalidToken', 'SendTaskSuccess');

    const one = tasks.find((t) => t.n === 1)!;
    const two = tasks.find((t) => t.n === 2)!;
    const results = await batch(
      ['send-task-heartbeat', '--task-token', one.token],
      ['send-task-failure', '--task-token', two.token, '--error', 'Cli.Failure', '--cause', 'worker gave up'],
      ['send-task-success', '--task-token', one.token, '--task-output', '{"done": true}'],
      ['delete-activity', '--activity-arn', activityArn],
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);

    const d1 = await waitForEnd(srv.client, e1.executionArn!);
    assert.equal(d1.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d1.output!), { done: true });
    const d2 = await waitForEnd(srv.client, e2.executionArn!);
    assert.equal(d2.status, 'FAILED');
    assert.equal(d2.error, 'Cli.Failure');
    assert.equal(d2.cause, 'worker gave up');
  });

  it('StartSyncExecution through the sync- host prefix', async () => {
    const { stateMachineArn } = await srv.client.send(new CreateStateMachineCommand({ name: uniqueName('cli-express'), definition: passDefinition({ fast: true }), roleArn: ROLE, type: 'EXPRESS' }));
    // CLI v2 sends StartSyncExecution to sync-<host>: with the server as its HTTP proxy, sync-localhost
    // reaches it without resolving (the README's setting for CLIs without disable_host_prefix_injection).
    const viaLocalhost = `http://localhost:${srv.port}`;
    const r = await cli(viaLocalhost, ['start-sync-execution', '--state-machine-arn', stateMachineArn!, '--input', '{"x": 1}', '--name', 'sync-run'], { ...env, HTTP_PROXY: viaLocalhost });
    const out = ok(r);
    assert.equal(out.status, 'SUCCEEDED');
    assert.equal(out.output, '{"fast":true}');
    assert.equal(out.name, 'sync-run');
    assert.match(String(out.executionArn), /:express:/);
  });
});
