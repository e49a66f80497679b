/**
 * AWS's optimized integrations that are one SDK call: `dynamodb:getItem|putItem|updateItem|deleteItem`,
 * `sqs:sendMessage`, `sns:publish` and `events:putEvents` (the last three also `.waitForTaskToken`, wrapped by the
 * dispatcher). Request fields are the service API's; JSON that is not text where the service takes text (an SQS
 * MessageBody, an SNS Message, an event's Detail) is sent as JSON text, as AWS does. Outputs: the service response
 * with the AWS SDK for Java v1's `SdkHttpMetadata` and `SdkResponseMetadata` (DynamoDB, SQS, SNS); EventBridge's
 * `Entries` and `FailedEntryCount`, the task failing with `EventBridge.FailedEntry` when an entry failed, the
 * execution and state machine ARNs added to each entry's `Resources`. Errors as AWS names them
 * (`DynamoDB.ResourceNotFoundException`, `SQS.AmazonSQSException` …).
 * @module
 */
import type { JsonObject } from '../../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { AwsClients } from './aws/clients.js';
import { callAws, inputOf } from './aws/call.js';
import { optimizedIntegrationError, type OptimizedNames } from './aws/errors.js';
import { rawResponseOf, sdkHttpMetadata, toJson } from './aws/shapes.js';

interface Optimized {
  /** The service's id for the client (services.ts). */
  sdkService: string;
  names: OptimizedNames;
  /** Request fields AWS takes as any JSON and sends as text. */
  prepare?: (input: Record<string, unknown>, ctx: TaskContext) => void;
  /** The task's result from the service response. */
  shape: 'sdk-http-metadata' | 'put-events';
}

const textOf = (v: unknown): unknown => (v === undefined || v === null || typeof v === 'string' ? v : JSON.stringify(v));

const DYNAMODB: Optimized = {
  sdkService: 'dynamodb',
  names: { prefix: 'DynamoDB', label: 'AmazonDynamoDBv2', base: 'AmazonDynamoDBException' },
  shape: 'sdk-http-metadata',
};

/** The optimized integrations, by `service:api` as the resource names them. */
export const OPTIMIZED: Record<string, Optimized> = {
  'dynamodb:getItem': DYNAMODB,
  'dynamodb:putItem': DYNAMODB,
  'dynamodb:updateItem': DYNAMODB,
  'dynamodb:deleteItem': DYNAMODB,
  'sqs:sendMessage': {
    sdkService: 'sqs',
    names: { prefix: 'SQS', label: 'AmazonSQS', base: 'AmazonSQSException' },
    prepare: (i) => {
      if ('MessageBody' in i) i.MessageBody = textOf(i.MessageBody);
    },
    shape: 'sdk-http-metadata',
  },
  'sns:publish': {
    sdkService: 'sns',
    names: { prefix: 'SNS', label: 'AmazonSNS', base: 'AmazonSNSException' },
    prepare: (i) => {
      if ('Message' in i) i.Message = textOf(i.Message);
    },
    shape: 'sdk-http-metadata',
  },
  'events:putEvents': {
    sdkService: 'eventbridge',
    names: { prefix: 'EventBridge', label: 'AmazonEventBridge', base: 'AmazonEventBridgeException' },
    prepare: (i, ctx) => {
      if (!Array.isArray(i.Entries)) return;
      i.Entries = i.Entries.map((e: unknown) => {
        if (!e || typeof e !== 'object' || Array.isArray(e)) return e;
        const entry = { ...(e as Record<string, unknown>) };
        if ('Detail' in entry) entry.Detail = textOf(entry.Detail);
        const own = Array.isArray(entry.Resources) ? entry.Resources : [];
        entry.Resources = [...own, ctx.executionArn, ctx.stateMachineArn];
        return entry;
      });
    },
    shape: 'put-events',
  },
};

export class AwsOptimizedInvoker implements TaskInvoker {
  constructor(readonly clients: AwsClients = new AwsClients()) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    const res = cmd.resource;
    const spec = res.kind === 'service' ? OPTIMIZED[`${res.service}:${res.api}`] : undefined;
    if (!spec || res.kind !== 'service') {
      cb.failed('States.Runtime', `The resource '${res.arn}' is not supported by this engine.`);
      return;
    }
    if (res.pattern === 'sync' || res.pattern === 'sync2' || (res.pattern === 'callback' && spec.sdkService === 'dynamodb')) {
      cb.failed('States.Runtime', `The resource '${res.arn}' is not supported: ${res.service}:${res.api} has no such integration pattern.`);
      return;
    }
    const input = inputOf(cmd);
    if (input instanceof Error) {
      cb.failed('States.Runtime', input.message);
      return;
    }
    spec.prepare?.(input, ctx);
    void callAws(this.clients, spec.sdkService, res.api, input, cmd, ctx).then(async (r) => {
      if (ctx.cancel.cancelled) return;
      if (!r.ok) {
        if (r.kind === 'setup') cb.failed(r.error, r.cause);
        else {
          const e = optimizedIntegrationError(r.err, r.loaded, spec.names);
          cb.failed(e.error, e.cause);
        }
        return;
      }
      const body = ((await toJson(r.output)) ?? {}) as JsonObject;
      if (ctx.cancel.cancelled) return;
      if (spec.shape === 'put-events') {
        const failed = typeof body.FailedEntryCount === 'number' ? body.FailedEntryCount : 0;
        if (failed > 0) cb.failed('EventBridge.FailedEntry', JSON.stringify(body));
        else cb.succeeded(body);
        return;
      }
      const meta = (r.output as { $metadata?: { requestId?: string } }).$metadata;
      cb.succeeded({ ...body, ...sdkHttpMetadata(rawResponseOf(r.output), meta?.requestId) });
    });
  }
}
