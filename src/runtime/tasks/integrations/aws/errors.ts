/**
 * AWS SDK errors as Step Functions names them. SDK integrations (`aws-sdk:*`): `<Service>.<Error>Exception`, with
 * "Exception" appended where the service's own name lacks it (`S3.NoSuchKeyException`), errors the service
 * does not model as `<Service>.<Service>Exception` (`DynamoDb.DynamoDbException`), and the AWS SDK for Java v2's
 * cause text. Optimized integrations (`dynamodb:putItem`, `sqs:sendMessage` …): the AWS SDK for Java v1's names
 * (`DynamoDB.AmazonDynamoDBException`, `SQS.AmazonSQSException`) and cause text.
 * @module
 */
import type { LoadedService } from './clients.js';

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string> };
}

export interface TaskError {
  error: string;
  cause: string;
}

const withException = (n: string): string => (n.endsWith('Exception') ? n : `${n}Exception`);

function isModeled(e: SdkError, loaded: LoadedService): boolean {
  const cls = e.name ? loaded.mod[e.name] : undefined;
  if (typeof cls !== 'function') return false;
  return e instanceof (cls as abstract new (...a: never[]) => unknown) && (!loaded.baseException || e.constructor !== loaded.baseException);
}

const requestIdOf = (e: SdkError): string =>
  e.$metadata?.requestId ?? e.$response?.headers?.['x-amzn-requestid'] ?? e.$response?.headers?.['x-amz-request-id'] ?? 'null';

/** An error of an `aws-sdk:SERVICE:ACTION` call. */
export function sdkIntegrationError(err: unknown, loaded: LoadedService): TaskError {
  const e = (err ?? {}) as SdkError;
  const svc = loaded.service.errorName;
  const message = e.message ?? String(err);
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return { error: `${svc}.SdkClientException`, cause: message };
  const name = isModeled(e, loaded) && e.name ? withException(e.name) : `${svc}Exception`;
  let detail = `Service: ${svc}, Status Code: ${status}, Request ID: ${requestIdOf(e)}`;
  if (loaded.service.id === 's3') detail += `, Extended Request ID: ${e.$metadata?.extendedRequestId ?? 'null'}`;
  return { error: `${svc}.${name}`, cause: `${message} (${detail})` };
}

/** How the AWS SDK for Java v1 names a service in the optimized integrations' errors. */
export interface OptimizedNames {
  /** Error prefix: DynamoDB, SQS, SNS, EventBridge. */
  prefix: string;
  /** The cause's "Service:": AmazonDynamoDBv2, AmazonSQS, AmazonSNS, AmazonEventBridge. */
  label: string;
  /** The unmodeled error: AmazonDynamoDBException … */
  base: string;
}

/** An error of an optimized integration (`dynamodb:putItem`, `sqs:sendMessage`, `sns:publish`, `events:putEvents`). */
export function optimizedIntegrationError(err: unknown, loaded: LoadedService, names: OptimizedNames): TaskError {
  const e = (err ?? {}) as SdkError;
  const message = e.message ?? String(err);
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return { error: `${names.prefix}.SdkClientException`, cause: message };
  const code = e.Code ?? e.name ?? 'Unknown';
  const name = isModeled(e, loaded) && e.name ? withException(e.name) : names.base;
  return {
    error: `${names.prefix}.${name}`,
    cause: `${message} (Service: ${names.label}; Status Code: ${status}; Error Code: ${code}; Request ID: ${requestIdOf(e)}; Proxy: null)`,
  };
}
