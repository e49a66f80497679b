/**
 * E2E through the real server with @aws-sdk/client-sfn: state machines, ValidateStateMachineDefinition,
 * tags, and malformed requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { passDefinition, rawRequest, rejectsAws, ROLE, smArn, startTestServer, uniqueName, type TestServer } from './helpers.js';

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

describe('CreateStateMachine / DescribeStateMachine', () => {
  it('creates, describes with AWS defaults, and is idempotent', async () => {
    const name = uniqueName('sm');
    const definition = passDefinition({ a: 1 });
    const created = await c.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }));
    assert.equal(created.stateMachineArn, smArn(name));
    assert.ok(created.creationDate instanceof Date);
    assert.equal(created.stateMachineVersionArn, undefined);

    const d = await c.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    assert.equal(d.name, name);
    assert.equal(d.status, 'ACTIVE');
    assert.equal(d.type, 'STANDARD');
    assert.equal(d.definition, definition);
    assert.equal(d.roleArn, ROLE);
    assert.deepEqual(d.loggingConfiguration, { level: 'OFF', includeExecutionData: false });
    assert.deepEqual(d.tracingConfiguration, { enabled: false });
    assert.equal(d.revisionId, undefined, 'a state machine that was never updated has no revision');

    // Same name and definition: the same state machine (a different roleArn is ignored, as by AWS).
    const again = await c.send(new CreateStateMachineCommand({ name, definition, roleArn: `${ROLE}-other` }));
    assert.equal(again.stateMachineArn, created.stateMachineArn);
    assert.equal(again.creationDate?.getTime(), created.creationDate?.getTime());

    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name, definition: passDefinition({ a: 2 }), roleArn: ROLE })),
      'StateMachineAlreadyExists',
      `State Machine Already Exists: '${smArn(name)}'`,
    );
  });

  it('rejects bad input with AWS errors', async () => {
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: 'has space', definition: passDefinition(), roleArn: ROLE })),
      'InvalidName',
      "Invalid Name: 'has space'",
    );
    const long = 'n'.repeat(81);
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: long, definition: passDefinition(), roleArn: ROLE })),
      'ValidationException',
      `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
    );
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: '{"StartAt": "A"}', roleArn: ROLE })),
      'InvalidDefinition',
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'",
    );
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: passDefinition() } as never)),
      'ValidationException',
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: passDefinition(), roleArn: ROLE, versionDescription: 'v' })),
      'ValidationException',
      'Version description can only be set when publish is true',
    );
    await rejectsAws(
      c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: passDefinition(), roleArn: ROLE, loggingConfiguration: { level: 'ALL' } })),
      'InvalidLoggingConfiguration',
      'Invalid Logging Configuration: Must specify exactly one Log Destination.',
    );
    await rejectsAws(c.send(new DescribeStateMachineCommand({ stateMachineArn: 'not_an_arn' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: not_an_arn'");
    const missing = smArn(uniqueName('missing'));
    await rejectsAws(c.send(new DescribeStateMachineCommand({ stateMachineArn: missing })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${missing}'`);
    await rejectsAws(
      c.send(new DescribeStateMachineCommand({} as never)),
      'ValidationException',
      "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it('keeps a logging configuration with its destination', async () => {
    const loggingConfiguration = {
      level: 'ERROR' as const,
      includeExecutionData: true,
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: `arn:aws:logs:us-east-1:123456789012:log-group:g:*` } }],
    };
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: passDefinition(), roleArn: ROLE, loggingConfiguration }));
    const d = await c.send(new DescribeStateMachineCommand({ stateMachineArn }));
    assert.deepEqual(d.loggingConfiguration, loggingConfiguration);
  });
});

describe('UpdateStateMachine', () => {
  it('assigns a new revision only when something changes', async () => {
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: passDefinition(1), roleArn: ROLE }));
    const u1 = await c.send(new UpdateStateMachineCommand({ stateMachineArn, definition: passDefinition(2) }));
    assert.ok(u1.updateDate instanceof Date);
    assert.match(u1.revisionId ?? '', /^[0-9a-f-]{36}$/);
    const d = await c.send(new DescribeStateMachineCommand({ stateMachineArn }));
    assert.equal(d.definition, passDefinition(2));
    assert.equal(d.revisionId, u1.revisionId);

    const same = await c.send(new UpdateStateMachineCommand({ stateMachineArn, definition: passDefinition(2) }));
    assert.equal(same.revisionId, u1.revisionId);
    const role = await c.send(new UpdateStateMachineCommand({ stateMachineArn, roleArn: `${ROLE}-2` }));
    assert.notEqual(role.revisionId, u1.revisionId);
    assert.equal((await c.send(new DescribeStateMachineCommand({ stateMachineArn }))).roleArn, `${ROLE}-2`);
  });

  it('rejects updates AWS rejects', async () => {
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('sm'), definition: passDefinition(), roleArn: ROLE }));
    await rejectsAws(
      c.send(new UpdateStateMachineCommand({ stateMachineArn })),
      'MissingRequiredParameter',
      'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
    );
    await rejectsAws(c.send(new UpdateStateMachineCommand({ stateMachineArn, definition: '{}' })), 'InvalidDefinition', /^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED/);
    await rejectsAws(
      c.send(new UpdateStateMachineCommand({ stateMachineArn, definition: passDefinition(3), versionDescription: 'x' })),
      'ValidationException',
      'Version description can only be set when publish is true',
    );
    const gone = smArn(uniqueName('gone'));
    await rejectsAws(c.send(new UpdateStateMachineCommand({ stateMachineArn: gone, definition: passDefinition() })), 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${gone}'`);
  });
});

describe('ListStateMachines / DeleteStateMachine', () => {
  it('lists by name with maxResults/nextToken pages, and deletes', async () => {
    const prefix = uniqueName('list');
    const names = ['c', 'a', 'd', 'b', 'e'].map((s) => `${prefix}-${s}`);
    for (const name of names) await c.send(new CreateStateMachineCommand({ name, definition: passDefinition(), roleArn: ROLE }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const r = await c.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
      assert.ok((r.stateMachines ?? []).length <= 2);
      for (const m of r.stateMachines ?? []) {
        assert.equal(m.type, 'STANDARD');
        assert.ok(m.creationDate instanceof Date);
        seen.push(m.name!);
      }
      nextToken = r.nextToken;
      pages++;
    } while (nextToken);
    assert.ok(pages >= 3);
    const mine = seen.filter((n) => n.startsWith(prefix));
    assert.deepEqual(mine, [...names].sort());
    assert.deepEqual(seen, [...seen].sort(), 'AWS lists state machines sorted by name');

    await c.send(new DeleteStateMachineCommand({ stateMachineArn: smArn(names[0]!) }));
    await c.send(new DeleteStateMachineCommand({ stateMachineArn: smArn(names[0]!) })); // deleting again succeeds
    const after = await c.send(new ListStateMachinesCommand({}));
    assert.ok(!after.stateMachines!.some((m) => m.name === names[0]));
    await rejectsAws(c.send(new DescribeStateMachineCommand({ stateMachineArn: smArn(names[0]!) })), 'StateMachineDoesNotExist');
  });

  it('validates pagination parameters', async () => {
    await rejectsAws(
      c.send(new ListStateMachinesCommand({ maxResults: 1001 })),
      'ValidationException',
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    const long = 'x'.repeat(1025);
    await rejectsAws(
      c.send(new ListStateMachinesCommand({ nextToken: long })),
      'ValidationException',
      `1 validation error detected: Value '${long}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024`,
    );
    await rejectsAws(c.send(new ListStateMachinesCommand({ nextToken: 'not-a-token-of-ours' })), 'InvalidToken', "Invalid Token: 'Invalid token'");
  });
});

describe('ValidateStateMachineDefinition', () => {
  it('answers OK and FAIL with diagnostics', async () => {
    const ok = await c.send(new ValidateStateMachineDefinitionCommand({ definition: passDefinition() }));
    assert.equal(ok.result, 'OK');
    assert.deepEqual(ok.diagnostics, []);
    const bad = await c.send(new ValidateStateMachineDefinitionCommand({ definition: ' ', type: 'STANDARD' }));
    assert.equal(bad.result, 'FAIL');
    assert.deepEqual(
      bad.diagnostics?.map((d) => ({ severity: d.severity, code: d.code, message: d.message })),
      [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'Definition must be a valid JSON object' }],
    );
    assert.equal(bad.truncated, false);
    const noStart = await c.send(new ValidateStateMachineDefinitionCommand({ definition: '{"States": {"A": {"Type": "Succeed"}}}' }));
    assert.equal(noStart.result, 'FAIL');
    assert.ok(noStart.diagnostics!.length >= 1);
  });
});

describe('TagResource / UntagResource / ListTagsForResource', () => {
  it('tags state machines', async () => {
    const { stateMachineArn } = await c.send(
      new CreateStateMachineCommand({ name: uniqueName('tagged'), definition: passDefinition(), roleArn: ROLE, tags: [{ key: 'team', value: 'core' }] }),
    );
    await c.send(new TagResourceCommand({ resourceArn: stateMachineArn, tags: [{ key: 'env', value: 'dev' }, { key: 'empty', value: '' }] }));
    let t = await c.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
    assert.deepEqual(t.tags, [
      { key: 'team', value: 'core' },
      { key: 'env', value: 'dev' },
      { key: 'empty', value: '' },
    ]);
    await c.send(new UntagResourceCommand({ resourceArn: stateMachineArn, tagKeys: ['team', 'empty', 'absent'] }));
    t = await c.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
    assert.deepEqual(t.tags, [{ key: 'env', value: 'dev' }]);
  });

  it('reports unknown resources and bad tags', async () => {
    const missing = smArn(uniqueName('none'));
    await rejectsAws(c.send(new TagResourceCommand({ resourceArn: missing, tags: [{ key: 'k', value: 'v' }] })), 'ResourceNotFound', `Resource not found: '${missing}'`);
    await rejectsAws(c.send(new ListTagsForResourceCommand({ resourceArn: 'bad' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: bad'");
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('tags'), definition: passDefinition(), roleArn: ROLE }));
    await rejectsAws(
      c.send(new TagResourceCommand({ resourceArn: stateMachineArn, tags: [{ key: 'k'.repeat(129), value: 'v' }] })),
      'ValidationException',
      /^1 validation error detected: Value 'k+' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128$/,
    );
  });
});

describe('malformed requests', () => {
  it('get an error while the server keeps serving', async () => {
    const badJson = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.ListStateMachines', body: '{"maxResults": ' });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body?.__type, 'SerializationException');

    const notObject = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.ListStateMachines', body: '[1, 2]' });
    assert.equal(notObject.status, 400);
    assert.equal(notObject.body?.__type, 'SerializationException');

    const unknown = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.NoSuchOperation' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body?.__type, 'UnknownOperationException');
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException');

    const otherService = await rawRequest(srv.endpoint, { target: 'DynamoDB_20120810.ListTables' });
    assert.equal(otherService.body?.__type, 'UnknownOperationException');

    const noFields = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.StartExecution', body: '{}' });
    assert.equal(noFields.status, 400);
    assert.equal(noFields.body?.__type, 'ValidationException');
    assert.equal(noFields.body?.message, "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null");

    const noTarget = await rawRequest(srv.endpoint, { method: 'GET', path: '/nothing-here' });
    assert.equal(noTarget.status, 404);

    // Still serving: a normal SDK call works and the response carries a request id.
    const ok = await rawRequest(srv.endpoint, { target: 'AWSStepFunctions.ListStateMachines', body: '' });
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(ok.body?.stateMachines));
    assert.ok(ok.headers.get('x-amzn-requestid'));
    assert.equal(ok.headers.get('content-type'), 'application/x-amz-json-1.0');
    await c.send(new ListStateMachinesCommand({}));
  });
});
