/**
 * The integrations that run locally from the Stepwise config file, by `service:api`: the HTTP Task,
 * ECS RunTask and Batch SubmitJob. Registered even without a config file, so that a task naming an
 * unmapped connection or definition fails saying what to add.
 * @module
 */
import type { TaskInvoker } from '../types.js';
import { BatchSubmitJob } from './batch.js';
import { EcsRunTask } from './ecs.js';
import { HttpInvoker, type HttpInvokerOptions } from './http.js';
import { emptyLocalConfig, type LocalConfig } from './local-config.js';

export function localIntegrations(config: LocalConfig = emptyLocalConfig(), http: HttpInvokerOptions = {}): Record<string, TaskInvoker> {
  return {
    'http:invoke': new HttpInvoker(config, http),
    'ecs:runTask': new EcsRunTask(config),
    'batch:submitJob': new BatchSubmitJob(config),
  };
}
