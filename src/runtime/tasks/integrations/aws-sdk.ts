/**
 * `arn:aws:states:::aws-sdk:SERVICE:ACTION` for any service: the action's `<Action>Command` of the service's
 * AWS SDK v3 client, the parameters as its input (PascalCase as Step Functions takes them, mapped to the API's
 * member names by the command's schema; a field the API lacks is refused), the response without the SDK's
 * metadata and with PascalCase member names as the result, and errors named as AWS names them for SDK
 * integrations. Registered as `aws-sdk:*`.
 * @module
 */
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { AwsClients } from './aws/clients.js';
import { callAws, inputOf } from './aws/call.js';
import { sdkIntegrationError } from './aws/errors.js';
import { pascalMembers } from './aws/members.js';
import { toJson } from './aws/shapes.js';

/**
 * What AWS's integration does with parameters before the call: an S3 object body is the JSON value's text
 * (a string too is sent JSON-encoded, with its quotes, as AWS records it), `text/plain; charset=UTF-8` unless
 * the task gives a ContentType.
 */
function prepare(serviceId: string, action: string, input: Record<string, unknown>): void {
  if (serviceId === 's3' && (action === 'putObject' || action === 'uploadPart') && 'Body' in input) {
    input.Body = JSON.stringify(input.Body);
    if (action === 'putObject' && input.ContentType === undefined) input.ContentType = 'text/plain; charset=UTF-8';
  }
}

export class AwsSdkInvoker implements TaskInvoker {
  constructor(readonly clients: AwsClients = new AwsClients()) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    if (res.kind !== 'service' || !res.service.startsWith('aws-sdk:')) {
      cb.failed('States.Runtime', `The resource '${res.arn}' is not an AWS SDK integration.`);
      return;
    }
    if (res.pattern === 'sync' || res.pattern === 'sync2') {
      cb.failed('States.Runtime', `The resource '${res.arn}': AWS SDK integrations support request-response and .waitForTaskToken only.`);
      return;
    }
    const serviceId = res.service.slice('aws-sdk:'.length);
    const input = inputOf(cmd);
    if (input instanceof Error) {
      cb.failed('States.Runtime', input.message);
      return;
    }
    prepare(serviceId, res.api, input);
    void callAws(this.clients, serviceId, res.api, input, cmd, ctx).then(async (r) => {
      if (ctx.cancel.cancelled) return;
      if (r.ok) {
        let out;
        try {
          out = await toJson(r.output);
        } catch (e) {
          if (!ctx.cancel.cancelled) cb.failed(`${r.loaded.service.errorName}.SdkClientException`, (e as Error)?.message ?? String(e));
          return;
        }
        if (!ctx.cancel.cancelled) cb.succeeded(pascalMembers(r.outputSchema, out ?? {}));
      } else if (r.kind === 'setup') cb.failed(r.error, r.cause);
      else {
        const e = sdkIntegrationError(r.err, r.loaded);
        cb.failed(e.error, e.cause);
      }
    });
  }
}
