/**
 * The one place the integrations a Task can use are put together. The server's Engine, `stepwise run`
 * and the library's StateMachine all build their task runtime here, from the same configuration:
 *
 *   createTaskRegistry({ functions, lambdaEndpoint, local, services }, { activity, executions })
 *
 * The configuration says what the user gives (local Lambda handlers, a Lambda endpoint, more
 * integrations); the host says what only it has: how activity tasks reach workers (the engine's queue,
 * or in process) and, where state machines are kept, how a Task starts other executions. Each
 * integration is a module of `integrations/`; `TaskDispatcher` routes a Task to one (see its order).
 * @module
 */
import { TaskDispatcher } from './dispatcher.js';
import type { FunctionSource } from './functions.js';
import { awsIntegrations } from './integrations/aws.js';
import { AwsClients } from './integrations/aws/clients.js';
import { AwsJobInvoker } from './integrations/aws-jobs.js';
import { lambdaViaSdk } from './integrations/aws-lambda.js';
import { LambdaInvoker } from './integrations/lambda.js';
import { localIntegrations } from './integrations/local.js';
import type { LocalConfig } from './integrations/local-config.js';
import { StartExecutionIntegration } from './integrations/states.js';
import type { NestedExecutions } from '../executions.js';
import type { TaskInvoker } from './types.js';

/** What a user configures, the same for the server, `stepwise run` and the library. */
export interface TaskConfig {
  /** Local Lambda handlers, by function name. */
  functions?: FunctionSource;
  /** An AWS Lambda Invoke API (Step Functions Local's LAMBDA_ENDPOINT) for functions not found locally. */
  lambdaEndpoint?: string;
  /** The config file's connections (HTTP Task) and ECS / Batch definitions (local processes). */
  local?: LocalConfig;
  /**
   * More integrations, by `'<service>:<api>'` (exact, e.g. `sqs:sendMessage`), `'aws-sdk:<service>:*'`
   * or `'aws-sdk:*'` (AWS SDK fallbacks); they take the place of a built-in one of the same key.
   */
  services?: Record<string, TaskInvoker>;
}

/** What only the host has. */
export interface TaskHost {
  /** How activity tasks reach their workers; without it, activity Tasks are not supported. */
  activity?: TaskInvoker;
  /** Where other executions are started (`states:startExecution`); without it, that integration is not supported. */
  executions?: NestedExecutions;
}

export function createTaskRegistry(config: TaskConfig, host: TaskHost = {}): TaskInvoker {
  // Functions not found locally (and with no LAMBDA_ENDPOINT) go to AWS Lambda through the SDK, when the environment configures AWS.
  const lambda = new LambdaInvoker({ functions: config.functions, endpoint: config.lambdaEndpoint, remote: lambdaViaSdk() });
  const clients = new AwsClients();
  // ECS tasks and Batch jobs the config file does not map go to AWS through the SDK when the environment configures AWS.
  const jobs = new AwsJobInvoker(clients);
  const remote = { ecs: clients.configuredFor('ecs') ? jobs : undefined, batch: clients.configuredFor('batch') ? jobs : undefined };
  const services: Record<string, TaskInvoker> = { ...awsIntegrations(clients), ...localIntegrations(config.local, {}, remote), 'lambda:invoke': lambda };
  if (host.executions) services['states:startExecution'] = new StartExecutionIntegration(host.executions);
  Object.assign(services, config.services);
  return new TaskDispatcher({
    lambda,
    activity: host.activity,
    services,
  });
}
