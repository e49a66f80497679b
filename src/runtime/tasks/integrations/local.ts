/**
 * The integrations that run locally from the Stepwise config file, by `service:api`: the HTTP Task,
 * ECS RunTask and Batch SubmitJob. Registered even without a config file, so that a task naming an
 * unmapped connection or definition fails saying what to add; an unmapped ECS or Batch definition goes to
 * the AWS SDK instead when the host gives a remote for it.
 * @module
 */
import type { TaskInvoker } from '../types.js';
import { BatchSubmitJob } from './batch.js';
import { EcsRunTask } from './ecs.js';
import { HttpInvoker, type HttpInvokerOptions } from './http.js';
import { emptyLocalConfig, type LocalConfig } from './local-config.js';

/** Where ECS tasks and Batch jobs whose definitions the config file does not map go (the AWS SDK, aws-jobs.ts). */
export interface RemoteJobs {
  ecs?: TaskInvoker;
  batch?: TaskInvoker;
}

export function localIntegrations(config: LocalConfig = emptyLocalConfig(), http: HttpInvokerOptions = {}, remote: RemoteJobs = {}): Record<string, TaskInvoker> {
  return {
    'http:invoke': new HttpInvoker(config, http),
    'ecs:runTask': new EcsRunTask(config, remote.ecs),
    'batch:submitJob': new BatchSubmitJob(config, remote.batch),
  };
}
