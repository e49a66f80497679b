/**
 * E2E through the real server with @aws-sdk/client-sfn: versions (publish on create/update,
 * PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion), aliases
 * (Create/Describe/Update/Delete/ListStateMachineAlias(es)), routing StartExecution through them,
 * and what DeleteStateMachine takes with it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  StartExecutionCommand,
  TagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { passDefinition, rejectsAws, ROLE, smArn, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

const NAME_PATTERN = '^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$';

/** A state machine with versions 1 and 2 (outputs {"v": 1} and {"v": 2}). */
async function twoVersions(): Promise<{ sm: string; v1: string; v2: string }> {
  const created = await c.send(new CreateStateMachineCommand({ name: uniqueName('ver'), definition: passDefinition({ v: 1 }), roleArn: ROLE, publish: true }));
  const updated = await c.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: passDefinition({ v: 2 }), publish: true }));
  return { sm: created.stateMachineArn!, v1: created.stateMachineVersionArn!, v2: updated.stateMachineVersionArn! };
}

describe('versions', () => {
  it('publish on create and update; describe a version', async () => {
    const name = uniqueName('ver');
    const created = await c.send(
      new CreateStateMachineCommand({ name, definition: passDefinition({ v: 1 }), roleArn: ROLE, publish: true, versionDescription: 'first' }),
    );
    assert.equal(created.stateMachineVersionArn, `${smArn(name)}:1`);
    const v1 = await c.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineVersionArn }));
    assert.equal(v1.stateMachineArn, `${smArn(name)}:1`);
    assert.equal(v1.name, name);
    assert.equal(v1.description, 'first');
    assert.equal(v1.definition, passDefinition({ v: 1 }));
    assert.equal(v1.status, 'ACTIVE');
    assert.equal(v1.revisionId, undefined);

    const up = await c.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: passDefinition({ v: 2 }), publish: true }));
    assert.equal(up.stateMachineVersionArn, `${smArn(name)}:2`);
    assert.ok(up.revisionId);
    const v2 = await c.send(new DescribeStateMachineCommand({ stateMachineArn: up.stateMachineVersionArn }));
    assert.equal(v2.revisionId, up.revisionId);
    assert.equal(v2.description, undefined);
    // The base keeps its own description-less view and the current revision.
    const base = await c.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    assert.equal(base.revisionId, up.revisionId);
    assert.equal(base.description, undefined);

    // Nothing changed since version 2: publishing again gives version 2.
    const same = await c.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: passDefinition({ v: 2 }), publish: true }));
    assert.equal(same.stateMachineVersionArn, up.stateMachineVersionArn);

    const listed = await c.send(new ListStateMachineVersionsCommand({ stateMachineArn: created.stateMachineArn }));
    assert.deepEqual(
      listed.stateMachineVersions!.map((v) => v.stateMachineVersionArn),
      [`${smArn(name)}:2`, `${smArn(name)}:1`],
    );
    assert.ok(listed.stateMachineVersions!.every((v) => v.creationDate instanceof Date));
  });

  it('PublishStateMachineVersion: idempotent per revision, revisionId checks, numbers never reused', async () => {
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('pub'), definition: passDefinition(0), roleArn: ROLE }));
    const p1 = await c.send(new PublishStateMachineVersionCommand({ stateMachineArn, description: 'one' }));
    assert.equal(p1.stateMachineVersionArn, `${stateMachineArn}:1`);
    assert.ok(p1.creationDate instanceof Date);
    const p1again = await c.send(new PublishStateMachineVersionCommand({ stateMachineArn }));
    assert.equal(p1again.stateMachineVersionArn, p1.stateMachineVersionArn);
    assert.equal(p1again.creationDate?.getTime(), p1.creationDate?.getTime());
    await c.send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId: 'INITIAL' }));

    const r2 = (await c.send(new UpdateStateMachineCommand({ stateMachineArn, definition: passDefinition(2) }))).revisionId!;
    const p2 = await c.send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId: r2 }));
    assert.equal(p2.stateMachineVersionArn, `${stateMachineArn}:2`);
    const r3 = (await c.send(new UpdateStateMachineCommand({ stateMachineArn, definition: passDefinition(3) }))).revisionId!;
    await rejectsAws(
      c.send(new PublishStateMachineVersionCommand({ stateMachineArn, revisionId: r2 })),
      'ConflictException',
      `Failed to publish the State Machine version for revision ${r2}. The current State Machine revision is ${r3}.`,
    );

    await c.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: p2.stateMachineVersionArn }));
    await c.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: p2.stateMachineVersionArn })); // gone: still fine
    await rejectsAws(c.send(new DescribeStateMachineCommand({ stateMachineArn: p2.stateMachineVersionArn })), 'StateMachineDoesNotExist');
    const p3 = await c.send(new PublishStateMachineVersionCommand({ stateMachineArn }));
    assert.equal(p3.stateMachineVersionArn, `${stateMachineArn}:3`, 'version numbers are not reused');
  });

  it('versions run their own definition; ListExecutions filters by version', async () => {
    const { sm, v1 } = await twoVersions();
    const viaVersion = await c.send(new StartExecutionCommand({ stateMachineArn: v1 }));
    const viaBase = await c.send(new StartExecutionCommand({ stateMachineArn: sm }));
    const dv = await waitForEnd(c, viaVersion.executionArn!);
    assert.equal(dv.output, '{"v":1}');
    assert.equal(dv.stateMachineVersionArn, v1);
    assert.equal(dv.stateMachineArn, sm);
    assert.equal((await waitForEnd(c, viaBase.executionArn!)).output, '{"v":2}');

    const byVersion = await c.send(new ListExecutionsCommand({ stateMachineArn: v1 }));
    assert.deepEqual(
      byVersion.executions!.map((e) => e.executionArn),
      [viaVersion.executionArn],
    );
    assert.equal(byVersion.executions![0]!.stateMachineVersionArn, v1);
    assert.equal((await c.send(new ListExecutionsCommand({ stateMachineArn: sm }))).executions!.length, 2);

    const forExec = await c.send(new DescribeStateMachineForExecutionCommand({ executionArn: viaVersion.executionArn }));
    assert.equal(forExec.stateMachineArn, sm, 'AWS names the state machine, not the version');
    assert.equal(forExec.definition, passDefinition({ v: 1 }));
  });

  it('reports AWS errors', async () => {
    await rejectsAws(c.send(new PublishStateMachineVersionCommand({ stateMachineArn: 'invalid_arn' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: invalid_arn'");
    const missing = smArn(uniqueName('none'));
    await rejectsAws(c.send(new PublishStateMachineVersionCommand({ stateMachineArn: missing })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${missing}'`);
    await rejectsAws(c.send(new ListStateMachineVersionsCommand({ stateMachineArn: missing })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${missing}'`);
    const { sm, v2 } = await twoVersions();
    // Updating a version ARN: AWS answers that no such state machine exists.
    await rejectsAws(c.send(new UpdateStateMachineCommand({ stateMachineArn: v2, definition: passDefinition(9) })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${v2}'`);
    await rejectsAws(c.send(new TagResourceCommand({ resourceArn: v2, tags: [{ key: 'k', value: 'v' }] })), 'ResourceNotFound', `Resource not found: '${v2}'`);
    await rejectsAws(c.send(new ListStateMachineVersionsCommand({ stateMachineArn: sm, maxResults: 1001 })), 'ValidationException', /at 'maxResults'/);
    const page = await c.send(new ListStateMachineVersionsCommand({ stateMachineArn: sm, maxResults: 1 }));
    assert.equal(page.stateMachineVersions!.length, 1);
    const rest = await c.send(new ListStateMachineVersionsCommand({ stateMachineArn: sm, maxResults: 1, nextToken: page.nextToken }));
    assert.equal(rest.stateMachineVersions!.length, 1);
    assert.equal(rest.nextToken, undefined);
    assert.notEqual(rest.stateMachineVersions![0]!.stateMachineVersionArn, page.stateMachineVersions![0]!.stateMachineVersionArn);
  });
});

describe('aliases', () => {
  it('create (idempotent), describe, update, list, delete', async () => {
    const { sm, v1, v2 } = await twoVersions();
    const routing = [{ stateMachineVersionArn: v1, weight: 100 }];
    const a = await c.send(new CreateStateMachineAliasCommand({ name: 'live', description: 'production', routingConfiguration: routing }));
    assert.equal(a.stateMachineAliasArn, `${sm}:live`);
    assert.ok(a.creationDate instanceof Date);
    const again = await c.send(new CreateStateMachineAliasCommand({ name: 'live', description: 'production', routingConfiguration: routing }));
    assert.equal(again.creationDate?.getTime(), a.creationDate?.getTime());
    const conflictMsg = 'Failed to create alias because an alias with the same name and a different routing configuration already exists.';
    await rejectsAws(c.send(new CreateStateMachineAliasCommand({ name: 'live', description: 'other', routingConfiguration: routing })), 'ConflictException', conflictMsg);
    await rejectsAws(
      c.send(new CreateStateMachineAliasCommand({ name: 'live', description: 'production', routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }] })),
      'ConflictException',
      conflictMsg,
    );

    let d = await c.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: a.stateMachineAliasArn }));
    assert.equal(d.name, 'live');
    assert.equal(d.description, 'production');
    assert.deepEqual(d.routingConfiguration, routing);
    assert.ok(d.creationDate instanceof Date && d.updateDate instanceof Date);

    const u1 = await c.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: a.stateMachineAliasArn, description: 'new description' }));
    assert.ok(u1.updateDate instanceof Date);
    const split = [
      { stateMachineVersionArn: v1, weight: 50 },
      { stateMachineVersionArn: v2, weight: 50 },
    ];
    await c.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: a.stateMachineAliasArn, routingConfiguration: split }));
    d = await c.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: a.stateMachineAliasArn }));
    assert.equal(d.description, 'new description');
    assert.deepEqual(d.routingConfiguration, split);

    await c.send(new CreateStateMachineAliasCommand({ name: 'beta', routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }] }));
    const all = await c.send(new ListStateMachineAliasesCommand({ stateMachineArn: sm }));
    assert.deepEqual(
      all.stateMachineAliases!.map((x) => x.stateMachineAliasArn),
      [`${sm}:beta`, `${sm}:live`],
    );
    const onlyV1 = await c.send(new ListStateMachineAliasesCommand({ stateMachineArn: v1 }));
    assert.deepEqual(
      onlyV1.stateMachineAliases!.map((x) => x.stateMachineAliasArn),
      [`${sm}:live`],
    );
    const page1 = await c.send(new ListStateMachineAliasesCommand({ stateMachineArn: sm, maxResults: 1 }));
    assert.equal(page1.stateMachineAliases!.length, 1);
    assert.ok(page1.nextToken);
    await rejectsAws(c.send(new ListStateMachineAliasesCommand({ stateMachineArn: sm, nextToken: 'InvalidToken' })), 'InvalidToken', "Invalid Token: 'Invalid token'");

    // A version an alias routes to cannot be deleted.
    await rejectsAws(
      c.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: v2 })),
      'ConflictException',
      'Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [beta, live]',
    );

    await c.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: `${sm}:beta` }));
    await c.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: `${sm}:beta` })); // again: fine
    await rejectsAws(c.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${sm}:beta` })), 'ResourceNotFound', 'Request references a resource that does not exist.');
    await rejectsAws(
      c.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: `${sm}:beta`, description: 'x' })),
      'ResourceNotFound',
      'Request references a resource that does not exist.',
    );
    assert.equal((await c.send(new ListStateMachineAliasesCommand({ stateMachineArn: sm }))).stateMachineAliases!.length, 1);
  });

  it('route StartExecution by weight and show in executions', async () => {
    const { sm, v1, v2 } = await twoVersions();
    const { stateMachineAliasArn } = await c.send(
      new CreateStateMachineAliasCommand({
        name: 'canary',
        routingConfiguration: [
          { stateMachineVersionArn: v1, weight: 50 },
          { stateMachineVersionArn: v2, weight: 50 },
        ],
      }),
    );
    const seen = new Set<string>();
    const arns: string[] = [];
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn }));
      arns.push(executionArn!);
      const d = await waitForEnd(c, executionArn!);
      assert.equal(d.stateMachineAliasArn, stateMachineAliasArn);
      assert.equal(d.stateMachineArn, sm);
      assert.equal(d.output, d.stateMachineVersionArn === v1 ? '{"v":1}' : '{"v":2}');
      seen.add(d.stateMachineVersionArn!);
    }
    assert.deepEqual([...seen].sort(), [v1, v2].sort(), 'both versions receive executions');

    // A single-version alias always routes to that version.
    await c.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }] }));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn }));
    assert.equal((await waitForEnd(c, executionArn!)).stateMachineVersionArn, v2);

    const byAlias = await c.send(new ListExecutionsCommand({ stateMachineArn: stateMachineAliasArn }));
    assert.equal(byAlias.executions!.length, arns.length + 1);
    assert.ok(byAlias.executions!.every((e) => e.stateMachineAliasArn === stateMachineAliasArn));
    const d = await c.send(new DescribeExecutionCommand({ executionArn }));
    assert.equal(d.redriveCount, 0);
  });

  it('validate names and routing configurations as AWS does', async () => {
    const { sm, v1, v2 } = await twoVersions();
    const one = [{ stateMachineVersionArn: v1, weight: 100 }];
    for (const name of ['123', 'INVALID ALIAS', '!INVALID', 'ALIAS@']) {
      await rejectsAws(
        c.send(new CreateStateMachineAliasCommand({ name, routingConfiguration: one })),
        'ValidationException',
        `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN}`,
      );
    }
    const long = 'A'.repeat(81);
    await rejectsAws(
      c.send(new CreateStateMachineAliasCommand({ name: long, routingConfiguration: one })),
      'ValidationException',
      `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
    );
    const three = await c.send(new PublishStateMachineVersionCommand({ stateMachineArn: sm }));
    assert.equal(three.stateMachineVersionArn, v2, 'nothing changed since version 2');
    await c.send(new UpdateStateMachineCommand({ stateMachineArn: sm, definition: passDefinition({ v: 3 }) }));
    const v3 = (await c.send(new PublishStateMachineVersionCommand({ stateMachineArn: sm }))).stateMachineVersionArn!;
    await rejectsAws(
      c.send(
        new CreateStateMachineAliasCommand({
          name: 'a',
          routingConfiguration: [
            { stateMachineVersionArn: v1, weight: 50 },
            { stateMachineVersionArn: v2, weight: 30 },
            { stateMachineVersionArn: v3, weight: 20 },
          ],
        }),
      ),
      'ValidationException',
      `1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=${v1}, weight=50), RoutingConfigurationListItem(stateMachineVersionArn=${v2}, weight=30), RoutingConfigurationListItem(stateMachineVersionArn=${v3}, weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2`,
    );
    await rejectsAws(
      c.send(new CreateStateMachineAliasCommand({ name: 'a', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 101 }] })),
      'ValidationException',
      "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    await rejectsAws(
      c.send(
        new CreateStateMachineAliasCommand({
          name: 'a',
          routingConfiguration: [
            { stateMachineVersionArn: v1, weight: 50 },
            { stateMachineVersionArn: v1, weight: 50 },
          ],
        }),
      ),
      'ValidationException',
      `Routing configuration must contain distinct state machine version ARNs. Received: [${v1}, ${v1}]`,
    );
    await rejectsAws(
      c.send(
        new CreateStateMachineAliasCommand({
          name: 'a',
          routingConfiguration: [
            { stateMachineVersionArn: sm, weight: 70 },
            { stateMachineVersionArn: v2, weight: 30 },
          ],
        }),
      ),
      'ValidationException',
      `Routing configuration must contain state machine version ARNs. Received: [${sm}, ${v2}]`,
    );
    for (const [w1, w2] of [
      [70, 29],
      [70, 31],
    ] as const) {
      await rejectsAws(
        c.send(
          new CreateStateMachineAliasCommand({
            name: 'a',
            routingConfiguration: [
              { stateMachineVersionArn: v1, weight: w1 },
              { stateMachineVersionArn: v2, weight: w2 },
            ],
          }),
        ),
        'ValidationException',
        `Sum of routing configuration weights must equal 100. Received: [${w1}, ${w2}]`,
      );
    }
    await rejectsAws(c.send(new CreateStateMachineAliasCommand({ name: 'a', routingConfiguration: [{ stateMachineVersionArn: `${sm}:99`, weight: 100 }] })), 'ResourceNotFound');
    await rejectsAws(c.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: 'nope' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: nope'");
  });

  it('DeleteStateMachine removes versions and aliases', async () => {
    const { sm, v1, v2 } = await twoVersions();
    const { stateMachineAliasArn } = await c.send(new CreateStateMachineAliasCommand({ name: 'prod', routingConfiguration: [{ stateMachineVersionArn: v1, weight: 100 }] }));
    await c.send(new DeleteStateMachineCommand({ stateMachineArn: sm }));
    for (const arn of [sm, v1, v2]) await rejectsAws(c.send(new DescribeStateMachineCommand({ stateMachineArn: arn })), 'StateMachineDoesNotExist');
    await rejectsAws(c.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn })), 'ResourceNotFound');
    await rejectsAws(c.send(new StartExecutionCommand({ stateMachineArn: stateMachineAliasArn })), 'StateMachineDoesNotExist');
  });
});
