/**
 * Routes a Task to the invoker for its resource, in this order: Lambda function ARNs, activities, the
 * integration registered under the exact `'<service>:<api>'` (`lambda:invoke`, `states:startExecution`,
 * `aws-sdk:s3:getObject` …), then, for AWS SDK integrations, the service's
 * `'aws-sdk:<service>:*'` and the catch-all `'aws-sdk:*'`. Anything else fails the task with a clear
 * error. A Distributed Map's reader and writer (a command with a `purpose`) go to
 * `'<purpose>:<service>:<api>'` only. `registry.ts` builds the one dispatcher each host uses.
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from './types.js';

export interface DispatcherOptions {
  /** Lambda function ARNs (`arn:aws:lambda:…:function:NAME`). */
  lambda?: TaskInvoker;
  activity?: TaskInvoker;
  /**
   * Service integrations by `'<service>:<api>'` (e.g. `states:startExecution`, `aws-sdk:s3:getObject`),
   * and AWS SDK fallbacks by `'aws-sdk:<service>:*'` and `'aws-sdk:*'`.
   */
  services?: Record<string, TaskInvoker>;
}

export class TaskDispatcher implements TaskInvoker {
  readonly #services: Record<string, TaskInvoker>;

  constructor(private readonly opts: DispatcherOptions) {
    // Own keys only: a resource named after an Object.prototype member finds nothing.
    this.#services = Object.assign(Object.create(null) as Record<string, TaskInvoker>, opts.services);
  }

  #service(service: string, api: string): TaskInvoker | undefined {
    const s = this.#services;
    const exact = s[`${service}:${api}`];
    if (exact || !service.startsWith('aws-sdk:')) return exact;
    return s[`${service}:*`] ?? s['aws-sdk:*'];
  }

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    let target: TaskInvoker | undefined;
    // A Distributed Map's item reader and result writer are registered apart from Task integrations
    // (`itemReader:s3:getObject`, `resultWriter:s3:putObject`): a Task cannot name them.
    if (cmd.purpose !== undefined) target = res.kind === 'service' ? this.#services[`${cmd.purpose}:${res.service}:${res.api}`] : undefined;
    else if (res.kind === 'lambda-function') target = this.opts.lambda;
    else if (res.kind === 'activity') target = this.opts.activity;
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
