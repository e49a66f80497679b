import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StateMachine } from '../../../library/state-machine.js';
import type { JsonObject } from '../../../shared/json.js';

/**
 * ECS tasks and Batch jobs whose definition names an `image` run in a container through the `docker` (or
 * `podman`) command. No container can start on this machine (no Docker daemon; Podman installs, but its
 * OCI runtime cannot create cgroups in this sandbox), so a stand-in `docker` first on PATH plays the
 * container runtime's command line: `info` answers, `run --rm --name N [-e K=V]… [-w DIR] IMAGE CMD…` runs
 * CMD as a local process with that environment and working directory (recording its arguments), and
 * `stop --time T N` stops it as `docker stop` does (SIGTERM, SIGKILL after T seconds). What is checked is
 * Stepwise's side: the arguments it builds from the definition and AWS's overrides, the exit and stop.
 */
let dir = '';
const log = () => join(dir, 'docker.log');
const calls = (): string[][] => (existsSync(log()) ? readFileSync(log(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]) : []);

const STANDIN = `#!/usr/bin/env node
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const dir = path.dirname(process.argv[1]);
fs.appendFileSync(path.join(dir, 'docker.log'), JSON.stringify(args) + '\\n');
if (args[0] === 'info') process.exit(0);
if (args[0] === 'stop') {
  const name = args[args.length - 1];
  const time = Number(args[args.indexOf('--time') + 1] || 10);
  const pid = Number(fs.readFileSync(path.join(dir, name + '.pid'), 'utf8'));
  try { process.kill(pid, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }, time * 1000).unref();
  const wait = setInterval(() => { try { process.kill(pid, 0); } catch { clearInterval(wait); process.exit(0); } }, 20);
  return;
}
if (args[0] !== 'run') process.exit(125);
let i = 1, name = '', cwd = process.cwd();
const env = { ...process.env };
for (; i < args.length; i++) {
  if (args[i] === '--rm') continue;
  if (args[i] === '--name') name = args[++i];
  else if (args[i] === '-e') { const kv = args[++i]; const at = kv.indexOf('='); env[kv.slice(0, at)] = kv.slice(at + 1); }
  else if (args[i] === '-w') cwd = args[++i];
  else break;
}
const image = args[i];
const [cmd, ...rest] = args.slice(i + 1);
env.IMAGE = image;
const child = spawn(cmd, rest, { cwd, env, stdio: 'inherit' });
fs.writeFileSync(path.join(dir, name + '.pid'), String(child.pid));
child.on('exit', (code, signal) => process.exit(code === null ? 128 + (signal === 'SIGKILL' ? 9 : 15) : code));
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-container-'));
  writeFileSync(join(dir, 'docker'), STANDIN);
  chmodSync(join(dir, 'docker'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
  writeFileSync(
    join(dir, 'report.js'),
    `require('fs').writeFileSync(process.env.OUT, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), image: process.env.IMAGE, greeting: process.env.GREETING }) + '\\n');
process.exit(Number(process.env.CODE || 0));`,
  );
  writeFileSync(join(dir, 'linger.js'), `require('fs').writeFileSync(process.env.OUT, String(process.pid) + '\\n'); setInterval(() => {}, 1000);`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const config = () => ({
  ecs: {
    taskDefinitions: {
      app: { image: 'registry.local/app:1', command: [process.execPath, join(dir, 'report.js'), 'from-definition'], workingDirectory: dir, environment: { GREETING: 'hello' }, containerName: 'app' },
      linger: { image: 'registry.local/app:1', command: [process.execPath, join(dir, 'linger.js')], stopTimeoutSeconds: 1, containerName: 'app' },
    },
  },
  batch: { jobDefinitions: { report: { image: 'registry.local/batch:2', command: [process.execPath, join(dir, 'report.js'), 'batch'], workingDirectory: dir } } },
});

const one = (resource: string, params: JsonObject) => new StateMachine({ StartAt: 'Run', States: { Run: { Type: 'Task', Resource: resource, Parameters: params, End: true } } }, { config: config() });

async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    if (existsSync(file) && readFileSync(file, 'utf8').endsWith('\n')) return readFileSync(file, 'utf8');
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} was never written`);
}

describe('ECS and Batch definitions with an image run in a container (stand-in container CLI)', () => {
  test('ecs:runTask.sync: `docker run` with the image, the environment (definition, then overrides), the working directory and the command override', async () => {
    const out = join(dir, 'run.json');
    const r = await one('arn:aws:states:::ecs:runTask.sync', {
      TaskDefinition: 'app',
      Overrides: { ContainerOverrides: [{ Name: 'app', Command: [process.execPath, join(dir, 'report.js'), 'overridden'], Environment: [{ Name: 'OUT', Value: out }, { Name: 'GREETING', Value: 'hi' }] }] },
    }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as JsonObject;
    assert.deepEqual(seen, { argv: ['overridden'], cwd: dir, image: 'registry.local/app:1', greeting: 'hi' });
    const run = calls().find((c) => c[0] === 'run')!;
    assert.equal(run[1], '--rm');
    assert.equal(run[2], '--name');
    assert.match(run[3]!, /^stepwise-[0-9a-f]{16}$/);
    assert.ok(run.includes(`OUT=${out}`) && run.includes('GREETING=hi'), run.join(' '));
    assert.equal(run[run.indexOf('-w') + 1], dir);
    assert.deepEqual(run.slice(run.indexOf('registry.local/app:1')), ['registry.local/app:1', process.execPath, join(dir, 'report.js'), 'overridden']);
    const task = r.output as JsonObject;
    assert.equal((task.Containers as JsonObject[])[0]!.ExitCode, 0);
  });

  test('a non-zero exit of the container fails the task with the stopped task as the cause', async () => {
    const r = await one('arn:aws:states:::ecs:runTask.sync', {
      TaskDefinition: 'app',
      Overrides: { ContainerOverrides: [{ Name: 'app', Environment: [{ Name: 'OUT', Value: join(dir, 'fail.json') }, { Name: 'CODE', Value: '4' }] }] },
    }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.TaskFailed');
    assert.equal(((JSON.parse(r.cause!) as JsonObject).Containers as JsonObject[])[0]!.ExitCode, 4);
  });

  test('StopExecution stops the container with `docker stop --time <stopTimeout>`', async () => {
    const out = join(dir, 'linger.pid');
    const running = one('arn:aws:states:::ecs:runTask.sync', { TaskDefinition: 'linger', Overrides: { ContainerOverrides: [{ Name: 'app', Environment: [{ Name: 'OUT', Value: out }] }] } }).start({});
    const pid = Number(await waitForFile(out));
    const name = calls().filter((c) => c[0] === 'run').at(-1)![3]!;
    running.stop('Stopped', 'by the test');
    const r = await running.done;
    assert.equal(r.status, 'ABORTED');
    for (let i = 0; i < 250 && calls().every((c) => !(c[0] === 'stop' && c.at(-1) === name)); i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(calls().find((c) => c[0] === 'stop' && c.at(-1) === name), ['stop', '--time', '1', name]);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 250 && alive(); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(alive(), false, 'the process in the container was stopped');
  });

  test('batch:submitJob.sync runs the job definition’s image', async () => {
    const out = join(dir, 'batch.json');
    const r = await one('arn:aws:states:::batch:submitJob.sync', { JobName: 'j', JobQueue: 'q', JobDefinition: 'report', ContainerOverrides: { Environment: [{ Name: 'OUT', Value: out }] } }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as JsonObject;
    assert.equal(seen.image, 'registry.local/batch:2');
    assert.deepEqual(seen.argv, ['batch']);
  });
});
