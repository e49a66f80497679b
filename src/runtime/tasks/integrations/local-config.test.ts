import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, findDefinition, loadLocalConfig, parseLocalConfig } from './local-config.js';

const ARN = 'arn:aws:events:us-east-1:123456789012:connection/api/1';

test('a bad config file: every problem named with the file and the path inside it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-config-'));
  try {
    const file = join(dir, 'stepwise.json');
    writeFileSync(
      file,
      JSON.stringify({
        connections: {
          [ARN]: { AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key' } } },
          'not-an-arn': { AuthorizationType: 'DIGEST', AuthParameters: {} },
        },
        ecs: { taskDefinitions: { web: { command: 'node index.js', enviroment: {} } } },
        lambda: {},
      }),
    );
    let err: unknown;
    try {
      loadLocalConfig(file);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError);
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    const want = [
      "$: unknown field 'lambda' (expected 'connections', 'ecs', 'batch')",
      `$.connections['${ARN}'].AuthParameters.ApiKeyAuthParameters: 'ApiKeyValue' is required`,
      "$.connections['not-an-arn']: the key must be an EventBridge connection ARN (arn:aws:events:REGION:ACCOUNT:connection/NAME/ID)",
      "$.connections['not-an-arn'].AuthorizationType: must be one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS",
      "$.ecs.taskDefinitions['web']: unknown field 'enviroment' (expected 'command', 'image', 'environment', 'workingDirectory', 'stopTimeoutSeconds', 'containerName')",
      "$.ecs.taskDefinitions['web'].command: must be an array of strings (the program and its arguments)",
    ];
    assert.deepEqual([...err.problems].sort(), [...want].sort());
    writeFileSync(file, '{ "connections": ');
    assert.throws(() => loadLocalConfig(file), (e: Error) => e instanceof ConfigError && e.message.startsWith(`${file}: is not valid JSON`));
    assert.throws(() => loadLocalConfig(join(dir, 'none.json')), (e: Error) => e instanceof ConfigError && /none\.json: cannot be read/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a good config: relative working directories from the file, definitions by family, revision or ARN', () => {
  const c = parseLocalConfig(
    {
      ecs: { taskDefinitions: { web: { command: ['node', 'index.js'], workingDirectory: 'app' }, 'job:2': { command: ['true'] }, box: { image: 'alpine', command: ['echo'], workingDirectory: '/srv' } } },
    },
    'f.json',
    '/base',
  );
  const web = findDefinition(c.ecsTaskDefinitions, 'arn:aws:ecs:us-east-1:1:task-definition/web:7')!;
  assert.equal(web.workingDirectory, '/base/app');
  assert.equal(findDefinition(c.ecsTaskDefinitions, 'job:2')?.key, 'job:2');
  assert.equal(findDefinition(c.ecsTaskDefinitions, 'job')?.key, 'job:2', 'no revision: the latest');
  assert.equal(findDefinition(c.ecsTaskDefinitions, 'job:3'), undefined);
  assert.equal(findDefinition(c.ecsTaskDefinitions, 'box')?.workingDirectory, '/srv', "a container's working directory is its own");
});
