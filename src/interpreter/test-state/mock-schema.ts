/**
 * Field validation of a mocked Task result against the output shape of the service API it stands for
 * (TestState `mock.fieldValidationMode`): STRICT checks required fields and the types of the fields it
 * knows, PRESENT only the types of the fields present, NONE nothing. Fields the API does not define are
 * accepted (forward compatibility). Field names are as Step Functions writes them (first letter upper
 * case). The shape is given by the caller (the server reads it from the installed AWS SDK client:
 * `runtime/tasks/integrations/aws/output-shapes.ts`); the table here is the fallback for a few APIs
 * whose client is not installed, and adds the enums and ranges the clients' schemas do not carry.
 * Without a shape, any JSON value is accepted.
 * @module
 */
import { isObject, type Json } from '../../shared/json.js';
import type { TaskResource } from '../../asl/resources.js';
import type { FieldValidationMode } from './request.js';

export type Shape =
  | { t: 'struct'; members: Readonly<Record<string, Shape>>; required?: readonly string[] }
  | { t: 'list'; member: Shape }
  | { t: 'map'; value: Shape }
  | { t: 'string'; enum?: readonly string[]; min?: number }
  | { t: 'blob'; min?: number }
  | { t: 'integer'; min?: number; max?: number }
  | { t: 'double' }
  | { t: 'boolean' }
  | { t: 'timestamp' }
  | { t: 'document' };

const str: Shape = { t: 'string' };
const int: Shape = { t: 'integer' };
const dbl: Shape = { t: 'double' };
const ts: Shape = { t: 'timestamp' };
const doc: Shape = { t: 'document' };
const struct = (members: Record<string, Shape>, required?: string[]): Shape => (required ? { t: 'struct', members, required } : { t: 'struct', members });

const capacity = struct({ CapacityUnits: dbl, ReadCapacityUnits: dbl, WriteCapacityUnits: dbl });
const consumedCapacity = struct({
  TableName: str,
  CapacityUnits: dbl,
  ReadCapacityUnits: dbl,
  WriteCapacityUnits: dbl,
  Table: capacity,
  LocalSecondaryIndexes: { t: 'map', value: capacity },
  GlobalSecondaryIndexes: { t: 'map', value: capacity },
});
const attributeMap: Shape = { t: 'map', value: doc };
const itemCollectionMetrics = struct({ ItemCollectionKey: attributeMap, SizeEstimateRangeGB: { t: 'list', member: dbl } });
const dynamoWrite = struct({ Attributes: attributeMap, ConsumedCapacity: consumedCapacity, ItemCollectionMetrics: itemCollectionMetrics });

const STORAGE_CLASSES = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE', 'FSX_OPENZFS'];

/** Output shapes by `service:api` (the resource's service as Step Functions names it). */
const OUTPUT_SHAPES: Readonly<Record<string, Shape>> = {
  'lambda:invoke': struct({ StatusCode: int, FunctionError: str, LogResult: str, Payload: { t: 'blob' }, ExecutedVersion: str }),
  'sqs:sendMessage': struct({ MD5OfMessageBody: str, MD5OfMessageAttributes: str, MD5OfMessageSystemAttributes: str, MessageId: str, SequenceNumber: str }),
  'sns:publish': struct({ MessageId: str, SequenceNumber: str }),
  'events:putEvents': struct({
    FailedEntryCount: int,
    Entries: { t: 'list', member: struct({ EventId: str, ErrorCode: str, ErrorMessage: str }) },
  }),
  'states:startExecution': struct({ ExecutionArn: str, StartDate: ts }, ['ExecutionArn', 'StartDate']),
  'dynamodb:getItem': struct({ Item: attributeMap, ConsumedCapacity: consumedCapacity }),
  'dynamodb:putItem': dynamoWrite,
  'dynamodb:updateItem': dynamoWrite,
  'dynamodb:deleteItem': dynamoWrite,
  'aws-sdk:s3:getObject': struct({
    Body: { t: 'blob' },
    ContentLength: int,
    ContentType: str,
    ETag: str,
    LastModified: ts,
    VersionId: str,
    StorageClass: { t: 'string', enum: STORAGE_CLASSES },
    Metadata: { t: 'map', value: str },
  }),
  'aws-sdk:kms:encrypt': struct({
    CiphertextBlob: { t: 'blob', min: 1 },
    KeyId: str,
    EncryptionAlgorithm: { t: 'string', enum: ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] },
  }),
  'aws-sdk:lambda:getFunction': struct({
    Configuration: struct({
      FunctionName: str,
      FunctionArn: str,
      Runtime: str,
      Role: str,
      Handler: str,
      CodeSize: int,
      Description: str,
      Timeout: { t: 'integer', min: 1 },
      MemorySize: { t: 'integer', min: 128, max: 10240 },
      LastModified: str,
      Version: str,
    }),
    Tags: { t: 'map', value: str },
  }),
};

/** The hand-written output shape for a service resource (its request-response call), if the table has it. */
export function outputShape(res: Extract<TaskResource, { kind: 'service' }>): Shape | undefined {
  return OUTPUT_SHAPES[`${res.service}:${res.api}`];
}

class Problem extends Error {}

const must = (field: string | undefined, what: string): never => {
  throw new Problem(`Field '${field ?? ''}' must be ${what}`);
};

function check(v: Json, shape: Shape, field: string | undefined, mode: FieldValidationMode): void {
  switch (shape.t) {
    case 'document':
      return;
    case 'struct': {
      if (!isObject(v)) {
        if (field === undefined) throw new Problem('Mock result must be a JSON object');
        return must(field, 'an object');
      }
      if (mode === 'STRICT') for (const r of shape.required ?? []) if (!Object.hasOwn(v, r)) throw new Problem(`Required field '${r}' is missing`);
      for (const [k, val] of Object.entries(v)) {
        const m = shape.members[k];
        if (m) check(val, m, k, mode);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(v)) return must(field, 'an array');
      for (const item of v) check(item, shape.member, field, mode);
      return;
    case 'map':
      if (!isObject(v)) return must(field, 'an object');
      for (const item of Object.values(v)) check(item, shape.value, field, mode);
      return;
    case 'string':
    case 'blob':
      if (typeof v !== 'string') return must(field, 'a string');
      if (shape.min !== undefined && v.length < shape.min) throw new Problem(`Field '${field}' is smaller than the minimum length`);
      if (shape.t === 'string' && shape.enum && !shape.enum.includes(v)) throw new Problem(`Field '${field}' is not an expected value`);
      return;
    case 'timestamp':
      // ISO-8601 text (AWS SDK integrations) or epoch time (the optimized ECS, Batch and Step Functions results).
      if (typeof v !== 'string' && typeof v !== 'number') return must(field, 'a string');
      return;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return must(field, 'a number');
      if (shape.min !== undefined && v < shape.min) throw new Problem(`Field '${field}' is less than the minimum value`);
      if (shape.max !== undefined && v > shape.max) throw new Problem(`Field '${field}' exceeds the maximum value`);
      return;
    case 'double':
      if (typeof v !== 'number') return must(field, 'a number');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') return must(field, 'a boolean');
      return;
  }
}

/**
 * Checks a mocked result against a shape (by default the table's, for request-response calls); returns the
 * problem (AWS's wording, without its prefix) or undefined.
 */
export function validateMockResult(
  res: Extract<TaskResource, { kind: 'service' }>,
  result: Json,
  mode: FieldValidationMode,
  shape: Shape | undefined = res.pattern === 'request-response' ? outputShape(res) : undefined,
): string | undefined {
  if (mode === 'NONE') return undefined;
  if (!shape) return undefined;
  try {
    check(result, shape, undefined, mode);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return e.message;
    throw e;
  }
}
