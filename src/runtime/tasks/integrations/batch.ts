/**
 * `arn:aws:states:::batch:submitJob` (request-response and `.sync`) as a local process (or container) for
 * a job definition mapped in the Stepwise config file. `ContainerOverrides` `Command` and `Environment`
 * apply, and `Parameters` fill `Ref::NAME` in the command as Batch does. Request-response returns
 * SubmitJob's answer (JobArn, JobId, JobName) once the process runs; `.sync` records it as TaskSubmitted,
 * waits for the exit and returns the job as DescribeJobs describes it (`States.TaskFailed` with that
 * description when it fails). `Timeout.AttemptDurationSeconds` stops the process as Batch does; stopping
 * the execution, TimeoutSeconds and HeartbeatSeconds stop it too (SIGTERM, then SIGKILL).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { isObject, type JsonObject } from '../../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { findDefinition, type LocalConfig } from './local-config.js';
import { runLocal, type ProcessEnd } from './local-process.js';
import { environmentOverrides, refuseUnknown, stringList } from './overrides.js';

const SUBMIT_FIELDS = ['JobName', 'JobQueue', 'JobDefinition', 'ContainerOverrides', 'Parameters', 'Tags', 'PropagateTags', 'Timeout'];
const CONTAINER_OVERRIDE_FIELDS = ['Command', 'Environment', 'ResourceRequirements', 'InstanceType', 'Vcpus', 'Memory'];

export class BatchSubmitJob implements TaskInvoker {
  /** `remote`: where a job definition the config file does not map goes (AWS Batch through the SDK). */
  constructor(
    private readonly config: LocalConfig,
    private readonly remote?: TaskInvoker,
  ) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    if (this.remote && isObject(cmd.input) && typeof cmd.input.JobDefinition === 'string' && !findDefinition(this.config.batchJobDefinitions, cmd.input.JobDefinition))
      return this.remote.invoke(cmd, ctx, cb);
    const pattern = res.kind === 'service' ? res.pattern : 'request-response';
    if (pattern !== 'request-response' && pattern !== 'sync')
      return cb.failed('States.Runtime', `The resource '${res.arn}' is not supported: batch:submitJob has request-response and .sync.`);
    const p = cmd.input;
    if (!isObject(p)) return cb.failed('States.Runtime', 'batch:submitJob needs its Parameters (Arguments) to be an object with JobName, JobQueue and JobDefinition.');
    const bad = refuseUnknown(p, SUBMIT_FIELDS, 'batch:submitJob');
    if (bad) return cb.failed('States.Runtime', bad);
    for (const f of ['JobName', 'JobQueue', 'JobDefinition'])
      if (typeof p[f] !== 'string' || p[f] === '') return cb.failed('Batch.ClientException', `${f} is required (a non-empty string).`);
    const jobName = p.JobName as string;
    const jobDefinition = p.JobDefinition as string;
    const def = findDefinition(this.config.batchJobDefinitions, jobDefinition);
    if (!def)
      return cb.failed(
        'States.Runtime',
        `The job definition '${jobDefinition}' is not mapped in the Stepwise config file${this.config.file ? ` (${this.config.file})` : ''}: add it under 'batch.jobDefinitions' with the command to run. (Or configure AWS access, e.g. AWS_ENDPOINT_URL_BATCH or credentials, to run it on AWS Batch.)`,
      );
    let command = def.command;
    const environment = { ...def.environment };
    const co = p.ContainerOverrides;
    if (co !== undefined) {
      if (!isObject(co)) return cb.failed('Batch.ClientException', 'ContainerOverrides must be an object.');
      const b = refuseUnknown(co, CONTAINER_OVERRIDE_FIELDS, 'batch:submitJob ContainerOverrides');
      if (b) return cb.failed('States.Runtime', b);
      if (co.Command !== undefined) {
        const c = stringList(co.Command);
        if (!c) return cb.failed('Batch.ClientException', 'ContainerOverrides.Command must be an array of strings.');
        command = c;
      }
      if (co.Environment !== undefined) {
        const env = environmentOverrides(co.Environment);
        if (typeof env === 'string') return cb.failed('Batch.ClientException', `ContainerOverrides.Environment ${env}`);
        Object.assign(environment, env);
      }
    }
    const parameters: Record<string, string> = {};
    if (p.Parameters !== undefined) {
      if (!isObject(p.Parameters) || Object.values(p.Parameters).some((v) => typeof v !== 'string')) return cb.failed('Batch.ClientException', 'Parameters must be an object of strings.');
      Object.assign(parameters, p.Parameters);
    }
    command = command.map((a) => (a.startsWith('Ref::') && a.slice(5) in parameters ? parameters[a.slice(5)]! : a));
    if (command.length === 0) return cb.failed('States.Runtime', `The job definition '${def.key}' has no command to run (give 'command' in the config file or ContainerOverrides.Command).`);
    let attemptSeconds: number | undefined;
    if (p.Timeout !== undefined) {
      const t = p.Timeout;
      if (!isObject(t) || Object.keys(t).some((k) => k !== 'AttemptDurationSeconds') || typeof t.AttemptDurationSeconds !== 'number' || t.AttemptDurationSeconds < 60)
        return cb.failed('Batch.ClientException', 'Timeout must be {AttemptDurationSeconds} with at least 60 seconds.');
      attemptSeconds = t.AttemptDurationSeconds;
    }

    const jobId = randomUUID();
    const jobArn = `arn:aws:batch:${ctx.region}:${ctx.accountId}:job/${jobId}`;
    const queueArn = (p.JobQueue as string).startsWith('arn:') ? (p.JobQueue as string) : `arn:aws:batch:${ctx.region}:${ctx.accountId}:job-queue/${p.JobQueue as string}`;
    const defArn = jobDefinition.startsWith('arn:') ? jobDefinition : `arn:aws:batch:${ctx.region}:${ctx.accountId}:job-definition/${jobDefinition.includes(':') ? jobDefinition : `${jobDefinition}:1`}`;
    const createdAt = Date.now();
    let startedAt = createdAt;
    let timedOut = false;
    const proc = runLocal({ definition: def, command, environment });
    const job = (end: ProcessEnd): JsonObject => {
      const stoppedAt = Date.now();
      const container: JsonObject = { Command: command, Environment: Object.entries(environment).map(([Name, Value]) => ({ Name, Value })), ResourceRequirements: [], Volumes: [], MountPoints: [], Ulimits: [], Secrets: [] };
      if (def.image) container.Image = def.image;
      let ok = false;
      let reason: string;
      if (end.kind === 'failedToStart') {
        container.Reason = end.reason;
        reason = end.reason;
      } else {
        if (end.code !== null) container.ExitCode = end.code;
        else container.Reason = `The process was ended by ${end.signal}`;
        ok = end.code === 0;
        reason = timedOut ? 'Job attempt duration exceeded timeout' : end.stopped ? 'Job stopped by Step Functions' : 'Essential container in task exited';
      }
      const attemptContainer: JsonObject = {};
      if (container.ExitCode !== undefined) attemptContainer.ExitCode = container.ExitCode;
      if (container.Reason !== undefined) attemptContainer.Reason = container.Reason;
      const j: JsonObject = {
        Attempts: end.kind === 'failedToStart' ? [] : [{ Container: attemptContainer, StartedAt: startedAt, StoppedAt: stoppedAt, StatusReason: reason }],
        Container: container,
        CreatedAt: createdAt,
        DependsOn: [],
        JobArn: jobArn,
        JobDefinition: defArn,
        JobId: jobId,
        JobName: jobName,
        JobQueue: queueArn,
        Parameters: parameters,
        PlatformCapabilities: [],
        PropagateTags: p.PropagateTags === true,
        StartedAt: startedAt,
        Status: ok ? 'SUCCEEDED' : 'FAILED',
        StatusReason: reason,
        StoppedAt: stoppedAt,
        Tags: isObject(p.Tags) ? p.Tags : {},
      };
      if (attemptSeconds !== undefined) j.Timeout = { AttemptDurationSeconds: attemptSeconds };
      return j;
    };
    if (pattern === 'sync') ctx.cancel.onCancel(() => proc.stop());
    void proc.started.then(async (s) => {
      if (!s.ok) {
        if (!ctx.cancel.cancelled) cb.failed('States.TaskFailed', JSON.stringify(job(await proc.ended)));
        return;
      }
      startedAt = Date.now();
      let timer: NodeJS.Timeout | undefined;
      if (attemptSeconds !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          proc.stop();
        }, attemptSeconds * 1000);
        timer.unref();
      }
      void proc.ended.then(() => timer && clearTimeout(timer));
      const submitted: JsonObject = { JobArn: jobArn, JobId: jobId, JobName: jobName };
      if (pattern === 'request-response') return cb.succeeded(submitted);
      cb.submitted(submitted);
      const end = await proc.ended;
      if (ctx.cancel.cancelled) return;
      const j = job(end);
      if (j.Status === 'SUCCEEDED') cb.succeeded(j);
      else cb.failed('States.TaskFailed', JSON.stringify(j));
    });
  }
}
