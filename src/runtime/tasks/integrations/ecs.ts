/**
 * `arn:aws:states:::ecs:runTask` (request-response, `.sync`, `.waitForTaskToken`) as a local process (or
 * container) for a task definition mapped in the Stepwise config file. `Overrides.ContainerOverrides[]`
 * `Command` and `Environment` apply. Request-response returns RunTask's answer as soon as the process
 * runs; `.sync` records it as TaskSubmitted and waits for the exit, returning the task as DescribeTasks
 * describes it (`States.TaskFailed` with that description when the container exits non-zero);
 * `.waitForTaskToken` records it as TaskSubmitted and waits for the token (pass `$$.Task.Token` in the
 * overrides' Environment); the process goes on by itself, as the ECS task does on AWS, whatever ends the
 * state. For `.sync`, stopping the execution, TimeoutSeconds and HeartbeatSeconds stop the process
 * (SIGTERM, then SIGKILL after `stopTimeoutSeconds`).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { isObject, type JsonObject } from '../../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { findDefinition, type LocalConfig } from './local-config.js';
import { runLocal, type ProcessEnd } from './local-process.js';
import { environmentOverrides, refuseUnknown, stringList } from './overrides.js';

const RUN_TASK_FIELDS = [
  'TaskDefinition', 'Cluster', 'Overrides', 'LaunchType', 'NetworkConfiguration', 'PlatformVersion', 'Count', 'Group', 'StartedBy',
  'Tags', 'PropagateTags', 'EnableECSManagedTags', 'EnableExecuteCommand', 'CapacityProviderStrategy', 'PlacementConstraints',
  'PlacementStrategy', 'ReferenceId', 'ClientToken',
];
const OVERRIDE_FIELDS = ['ContainerOverrides', 'Cpu', 'Memory', 'TaskRoleArn', 'ExecutionRoleArn'];
const CONTAINER_OVERRIDE_FIELDS = ['Name', 'Command', 'Environment', 'Cpu', 'Memory', 'MemoryReservation'];

const fail = (cb: TaskCallbacks, error: string, cause: string): void => cb.failed(error, cause);

export class EcsRunTask implements TaskInvoker {
  /** `remote`: where a task definition the config file does not map goes (Amazon ECS through the SDK). */
  constructor(
    private readonly config: LocalConfig,
    private readonly remote?: TaskInvoker,
  ) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    if (this.remote && isObject(cmd.input) && typeof cmd.input.TaskDefinition === 'string' && !findDefinition(this.config.ecsTaskDefinitions, cmd.input.TaskDefinition))
      return this.remote.invoke(cmd, ctx, cb);
    const pattern = res.kind === 'service' ? res.pattern : 'request-response';
    if (pattern === 'sync2') return fail(cb, 'States.Runtime', `The resource '${res.arn}' is not supported: ecs:runTask has request-response, .sync and .waitForTaskToken.`);
    const p = cmd.input;
    if (!isObject(p)) return fail(cb, 'States.Runtime', 'ecs:runTask needs its Parameters (Arguments) to be an object with TaskDefinition.');
    const bad = refuseUnknown(p, RUN_TASK_FIELDS, 'ecs:runTask');
    if (bad) return fail(cb, 'States.Runtime', bad);
    if (typeof p.TaskDefinition !== 'string' || p.TaskDefinition === '') return fail(cb, 'ECS.InvalidParameterException', 'TaskDefinition can not be blank.');
    if (p.Count !== undefined && p.Count !== 1) return fail(cb, 'States.Runtime', `ecs:runTask runs one local process per task: Count ${JSON.stringify(p.Count)} is not supported locally.`);
    const def = findDefinition(this.config.ecsTaskDefinitions, p.TaskDefinition);
    if (!def)
      return fail(
        cb,
        'States.Runtime',
        `The task definition '${p.TaskDefinition}' is not mapped in the Stepwise config file${this.config.file ? ` (${this.config.file})` : ''}: add it under 'ecs.taskDefinitions' with the command to run. (Or configure AWS access, e.g. AWS_ENDPOINT_URL_ECS or credentials, to run it on Amazon ECS.)`,
      );

    let command = def.command;
    const environment = { ...def.environment };
    let containerName = def.containerName ?? family(p.TaskDefinition);
    const recorded: JsonObject[] = [];
    if (p.Overrides !== undefined) {
      if (!isObject(p.Overrides)) return fail(cb, 'ECS.InvalidParameterException', 'Overrides must be an object.');
      const b = refuseUnknown(p.Overrides, OVERRIDE_FIELDS, 'ecs:runTask Overrides');
      if (b) return fail(cb, 'States.Runtime', b);
      const cos = p.Overrides.ContainerOverrides;
      if (cos !== undefined) {
        if (!Array.isArray(cos)) return fail(cb, 'ECS.InvalidParameterException', 'Overrides.ContainerOverrides must be an array.');
        for (const [i, co] of cos.entries()) {
          if (!isObject(co)) return fail(cb, 'ECS.InvalidParameterException', `Overrides.ContainerOverrides[${i}] must be an object.`);
          const b2 = refuseUnknown(co, CONTAINER_OVERRIDE_FIELDS, `ecs:runTask Overrides.ContainerOverrides[${i}]`);
          if (b2) return fail(cb, 'States.Runtime', b2);
          if (typeof co.Name !== 'string') return fail(cb, 'ECS.InvalidParameterException', `Overrides.ContainerOverrides[${i}].Name is required.`);
          if (def.containerName !== undefined && co.Name !== def.containerName)
            return fail(cb, 'ECS.InvalidParameterException', `Override for container named ${co.Name} is not a container in the TaskDefinition.`);
          containerName = co.Name;
          if (co.Command !== undefined) {
            const c = stringList(co.Command);
            if (!c || c.length === 0) return fail(cb, 'ECS.InvalidParameterException', `Overrides.ContainerOverrides[${i}].Command must be a non-empty array of strings.`);
            command = c;
          }
          if (co.Environment !== undefined) {
            const env = environmentOverrides(co.Environment);
            if (typeof env === 'string') return fail(cb, 'ECS.InvalidParameterException', `Overrides.ContainerOverrides[${i}].Environment ${env}`);
            Object.assign(environment, env);
          }
          recorded.push(co);
        }
      }
    }
    if (command.length === 0) return fail(cb, 'States.Runtime', `The task definition '${def.key}' has no command to run (give 'command' in the config file or Overrides.ContainerOverrides[].Command).`);

    const region = ctx.region;
    const acct = ctx.accountId;
    const cluster = typeof p.Cluster === 'string' ? (p.Cluster.startsWith('arn:') ? p.Cluster.slice(p.Cluster.indexOf('/') + 1) : p.Cluster) : 'default';
    const id = randomBytes(16).toString('hex');
    const taskArn = `arn:aws:ecs:${region}:${acct}:task/${cluster}/${id}`;
    const tdArn = p.TaskDefinition.startsWith('arn:') ? p.TaskDefinition : `arn:aws:ecs:${region}:${acct}:task-definition/${p.TaskDefinition.includes(':') ? p.TaskDefinition : `${p.TaskDefinition}:1`}`;
    const createdAt = Date.now();
    const overrides: JsonObject = { ContainerOverrides: recorded, InferenceAcceleratorOverrides: [] };
    for (const k of ['Cpu', 'Memory', 'TaskRoleArn', 'ExecutionRoleArn']) if (isObject(p.Overrides) && p.Overrides[k] !== undefined) overrides[k] = p.Overrides[k]!;
    const task = (status: string, desired: string, container: JsonObject, extra: JsonObject = {}): JsonObject => {
      const t: JsonObject = {
        Attachments: [],
        ClusterArn: `arn:aws:ecs:${region}:${acct}:cluster/${cluster}`,
        Containers: [{ ContainerArn: `arn:aws:ecs:${region}:${acct}:container/${cluster}/${id}/${containerName}`, Name: containerName, TaskArn: taskArn, NetworkBindings: [], NetworkInterfaces: [], ...(def.image ? { Image: def.image } : {}), ...container }],
        CreatedAt: createdAt,
        DesiredStatus: desired,
        Group: typeof p.Group === 'string' ? p.Group : `family:${family(p.TaskDefinition as string)}`,
        LastStatus: status,
        LaunchType: typeof p.LaunchType === 'string' ? p.LaunchType : 'FARGATE',
        Overrides: overrides,
        TaskArn: taskArn,
        TaskDefinitionArn: tdArn,
        Version: status === 'STOPPED' ? 3 : 1,
        ...extra,
      };
      if (typeof p.StartedBy === 'string') t.StartedBy = p.StartedBy;
      return t;
    };

    const proc = runLocal({ definition: def, command, environment });
    let startedAt = Date.now();
    let runtimeId = '';
    const stopped = (end: ProcessEnd): JsonObject => {
      const stoppedAt = Date.now();
      if (end.kind === 'failedToStart')
        return task('STOPPED', 'STOPPED', { LastStatus: 'STOPPED', Reason: end.reason }, { StopCode: 'TaskFailedToStart', StoppedReason: end.reason, StoppingAt: stoppedAt, StoppedAt: stoppedAt });
      const c: JsonObject = { LastStatus: 'STOPPED', RuntimeId: runtimeId };
      if (end.code !== null) c.ExitCode = end.code;
      else c.Reason = `The process was ended by ${end.signal}`;
      const base = { StartedAt: startedAt, StoppingAt: stoppedAt, StoppedAt: stoppedAt, ExecutionStoppedAt: stoppedAt };
      return end.stopped
        ? task('STOPPED', 'STOPPED', c, { ...base, StopCode: 'UserInitiated', StoppedReason: 'Task stopped by Step Functions' })
        : task('STOPPED', 'STOPPED', c, { ...base, StopCode: 'EssentialContainerExited', StoppedReason: 'Essential container in task exited' });
    };
    // Only `.sync` tasks are stopped with their state (StopTask): AWS does not follow a `.waitForTaskToken` task
    // after RunTask, so the token, a stop or a timeout leaves it running until it ends by itself.
    if (pattern === 'sync') ctx.cancel.onCancel(() => proc.stop());
    void proc.started.then(async (s) => {
      if (!s.ok) {
        if (!ctx.cancel.cancelled) cb.failed('States.TaskFailed', JSON.stringify(stopped(await proc.ended)));
        return;
      }
      startedAt = Date.now();
      runtimeId = s.runtimeId;
      const runResponse: JsonObject = { Failures: [], Tasks: [task('PROVISIONING', 'RUNNING', { LastStatus: 'PENDING' })] };
      if (pattern === 'request-response') return cb.succeeded(runResponse);
      cb.submitted(runResponse);
      const end = await proc.ended;
      if (ctx.cancel.cancelled || pattern === 'callback') return;
      const t = stopped(end);
      if (end.kind === 'exited' && end.code === 0) cb.succeeded(t);
      else cb.failed('States.TaskFailed', JSON.stringify(t));
    });
  }
}

function family(ref: string): string {
  const s = ref.startsWith('arn:') ? ref.slice(ref.indexOf('/') + 1) : ref;
  return s.split(':')[0]!;
}
