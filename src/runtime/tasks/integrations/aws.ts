/**
 * The AWS integrations as a host registers them: the optimized ones by `service:api` (with `apigateway:invoke`,
 * `glue:startJobRun` and `athena:startQueryExecution`), every other `aws-sdk:SERVICE:ACTION` under `aws-sdk:*`,
 * and a Distributed Map's ItemReader (`itemReader:s3:getObject`, `itemReader:s3:listObjectsV2`) and
 * ResultWriter (`resultWriter:s3:putObject`; the dispatcher routes only their commands there, never a Task);
 * all on one set of cached clients.
 * @module
 */
import type { TaskInvoker } from '../types.js';
import { AwsClients, type AwsClientsOptions } from './aws/clients.js';
import { AwsOptimizedInvoker, OPTIMIZED } from './aws-optimized.js';
import { AwsSdkInvoker } from './aws-sdk.js';
import { ApiGatewayInvoker } from './apigateway.js';
import { AwsJobInvoker } from './aws-jobs.js';
import { S3ItemReader } from './s3-item-reader.js';
import { S3ResultWriter } from './s3-result-writer.js';

export function awsIntegrations(opts: AwsClientsOptions | AwsClients = {}): Record<string, TaskInvoker> {
  const clients = opts instanceof AwsClients ? opts : new AwsClients(opts);
  const optimized = new AwsOptimizedInvoker(clients);
  const out: Record<string, TaskInvoker> = { 'aws-sdk:*': new AwsSdkInvoker(clients) };
  for (const key of Object.keys(OPTIMIZED)) out[key] = optimized;
  out['apigateway:invoke'] = new ApiGatewayInvoker(clients);
  // ECS and Batch run locally first (local.ts), with the SDK for what the config file does not map.
  const jobs = new AwsJobInvoker(clients);
  out['glue:startJobRun'] = jobs;
  out['athena:startQueryExecution'] = jobs;
  const reader = new S3ItemReader(clients);
  out['itemReader:s3:getObject'] = reader;
  out['itemReader:s3:listObjectsV2'] = reader;
  out['resultWriter:s3:putObject'] = new S3ResultWriter(clients);
  return out;
}
