/**
 * For the tests of the S3 item reader and result writer: the integrations registered as a host does
 * (`itemReader:s3:getObject`, `itemReader:s3:listObjectsV2`, `resultWriter:s3:putObject`, reached only by
 * a Distributed Map's commands), also under the Task keys `s3:getObject` …, so that a test's Task state
 * hands them exactly the command a Map would (its `{ Parameters, ReaderConfig }` or `{ Parameters,
 * MapRunArn, Results }` input) and the suite sees their history events and cancellation.
 * @module
 */
import type { TaskInvoker } from '../types.js';

export function mapIoAsTasks(services: Record<string, TaskInvoker>): Record<string, TaskInvoker> {
  return {
    ...services,
    's3:getObject': services['itemReader:s3:getObject']!,
    's3:listObjectsV2': services['itemReader:s3:listObjectsV2']!,
    's3:putObject': services['resultWriter:s3:putObject']!,
  };
}
