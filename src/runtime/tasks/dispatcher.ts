/**
 * Routes a Task to the invoker for its resource: Lambda (both forms), activities, or a service
 * integration registered by the host. Anything else fails the task with a clear error.
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from './types.js';

export interface DispatcherOptions {
  lambda?: TaskInvoker;
  activity?: TaskInvoker;
  /** Service integrations by `service:api` (e.g. `states:startExecution`); `aws-sdk:SERVICE:*` and `aws-sdk:*` as fallbacks. */
  services?: Record<string, TaskInvoker>;
}

export class TaskDispatcher implements TaskInvoker {
  constructor(private readonly opts: DispatcherOptions) {}

  /** `service:api` exactly, then the service's fallback `service:*`, then `aws-sdk:*` for any AWS SDK service. */
  #service(service: string, api: string): TaskInvoker | undefined {
    const s = this.opts.services;
    if (!s) return undefined;
    return s[`${service}:${api}`] ?? s[`${service}:*`] ?? (service.startsWith('aws-sdk:') ? s['aws-sdk:*'] : undefined);
  }

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    let target: TaskInvoker | undefined;
    if (res.kind === 'lambda-function') target = this.opts.lambda;
    else if (res.kind === 'activity') target = this.opts.activity;
    else if (res.service === 'lambda' && res.api === 'invoke') target = this.opts.lambda;
    else target = this.#service(res.service, res.api);
    if (!target) {
      cb.failed('States.Runtime', `The resource '${res.arn}' is not supported by this engine.`);
      return;
    }
    target.invoke(cmd, ctx, res.kind === 'service' && res.pattern === 'callback' ? new CallbackTask(cb) : cb);
  }
}

/**
 * `.waitForTaskToken`: the call only hands the token over; the task's outcome comes later with the token
 * (SendTaskSuccess / SendTaskFailure). A failed call fails the task at once.
 */
class CallbackTask implements TaskCallbacks {
  constructor(private readonly cb: TaskCallbacks) {}
  started(workerName?: string): void {
    this.cb.started(workerName);
  }
  heartbeat(): void {
    this.cb.heartbeat();
  }
  succeeded(output: Json): void {
    this.cb.submitted(output);
    this.cb.detach();
  }
  submitted(output: Json): void {
    this.cb.submitted(output);
  }
  failed(error: string | undefined, cause: string | undefined): void {
    this.cb.failed(error, cause);
  }
  detach(): void {
    this.cb.detach();
  }
}
