/**
 * The AWS integrations as a host registers them: the optimized ones by `service:api`, every other
 * `aws-sdk:SERVICE:ACTION` under `aws-sdk:*`, and a Distributed Map's ItemReader (`itemReader:s3:getObject`,
 * `itemReader:s3:listObjectsV2`) and ResultWriter (`resultWriter:s3:putObject`; the dispatcher routes only
 * their commands there, never a Task); all on one set of cached clients.
 * @module
 */
import type { TaskInvoker } from '../types.js';
import { AwsClients, type AwsClientsOptions } from './aws/clients.js';
import { AwsOptimizedInvoker, OPTIMIZED } from './aws-optimized.js';
import { AwsSdkInvoker } from './aws-sdk.js';
import { S3ItemReader } from './s3-item-reader.js';
import { S3ResultWriter } from './s3-result-writer.js';

export function awsIntegrations(opts: AwsClientsOptions | AwsClients = {}): Record<string, TaskInvoker> {
  const clients = opts instanceof AwsClients ? opts : new AwsClients(opts);
  const optimized = new AwsOptimizedInvoker(clients);
  const out: Record<string, TaskInvoker> = { 'aws-sdk:*': new AwsSdkInvoker(clients) };
  for (const key of Object.keys(OPTIMIZED)) out[key] = optimized;
  const reader = new S3ItemReader(clients);
  out['itemReader:s3:getObject'] = reader;
  out['itemReader:s3:listObjectsV2'] = reader;
  out['resultWriter:s3:putObject'] = new S3ResultWriter(clients);
  return out;
}
