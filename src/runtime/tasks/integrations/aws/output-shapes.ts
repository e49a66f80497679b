/**
 * The output shape of a Task's service call, read from the installed AWS SDK v3 client: its operation schema
 * (`@smithy/core/schema`, the static schemas the client ships) turned into the shape TestState checks a mocked
 * result against (`interpreter/test-state/mock-schema.ts`). Member names as Step Functions presents them (first
 * letter upper case: ECS's `taskArn` is `TaskArn`), required members, and the types the schema has (structure,
 * union, list, map, string, number, boolean, blob, timestamp, document). The clients' schemas carry no enums
 * nor ranges: where the hand-written table knows some for the same member, they are kept.
 *
 * Resources: `aws-sdk:SERVICE:ACTION` (the action's output), the optimized integrations as the SDK call they are
 * (sqs:sendMessage, sns:publish, events:putEvents, dynamodb:*, states:startExecution, lambda:invoke with its
 * Payload as any JSON, as Step Functions gives it parsed), ecs:runTask and batch:submitJob (request-response:
 * RunTask's and SubmitJob's output; `.sync`: the task and the job as DescribeTasks and DescribeJobs describe
 * them). Anything else, or a client that is not installed, has no shape here.
 * @module
 */
import { createRequire } from 'node:module';
import type { TaskResource } from '../../../../asl/resources.js';
import { outputShape as tableShape, type Shape } from '../../../../interpreter/test-state/mock-schema.js';
import { awsService } from './services.js';

type ServiceResource = Extract<TaskResource, { kind: 'service' }>;

/** The part of @smithy/core/schema's NormalizedSchema read here. */
interface SchemaView {
  getSchema(): unknown;
  isStructSchema(): boolean;
  isUnionSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isStringSchema(): boolean;
  isNumericSchema(): boolean;
  isBigIntegerSchema(): boolean;
  isBigDecimalSchema(): boolean;
  isBooleanSchema(): boolean;
  isBlobSchema(): boolean;
  isTimestampSchema(): boolean;
  isDocumentSchema(): boolean;
  isUnitSchema(): boolean;
  structIterator(): Iterable<[string, SchemaView]>;
  getValueSchema(): SchemaView;
}
type SchemaOf = (s: unknown) => SchemaView;

/** Where a resource's output shape is in the SDK: the client's service id and the operation, or a named structure. */
type Source = { service: string; operation: string } | { service: string; structure: string };

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const OPTIMIZED: Readonly<Record<string, string>> = {
  sqs: 'sqs',
  sns: 'sns',
  events: 'eventbridge',
  dynamodb: 'dynamodb',
  states: 'sfn',
  lambda: 'lambda',
  ecs: 'ecs',
  batch: 'batch',
};

/** `.sync` results that are a described resource rather than the call's own output. */
const SYNC_STRUCTURES: Readonly<Record<string, Source>> = {
  'ecs:runTask': { service: 'ecs', structure: 'Task' },
  'batch:submitJob': { service: 'batch', structure: 'JobDetail' },
  'states:startExecution': { service: 'sfn', operation: 'DescribeExecution' },
};

/** Where the output shape of a resource comes from, if the SDK has it. */
export function sourceOf(res: ServiceResource): Source | undefined {
  if (res.service.startsWith('aws-sdk:')) {
    if (res.pattern !== 'request-response') return undefined;
    return { service: res.service.slice('aws-sdk:'.length), operation: pascal(res.api) };
  }
  const service = OPTIMIZED[res.service];
  if (!service) return undefined;
  if (res.pattern === 'request-response') return { service, operation: pascal(res.api) };
  if (res.pattern === 'sync') return SYNC_STRUCTURES[`${res.service}:${res.api}`];
  return undefined;
}

/** Reads the client's static schemas with the @smithy/core/schema the client itself resolves. */
function schemaReaderOf(pkg: string): SchemaOf | undefined {
  try {
    const req = createRequire(import.meta.url);
    const fromClient = createRequire(req.resolve(pkg));
    const { NormalizedSchema } = fromClient('@smithy/core/schema') as { NormalizedSchema?: { of(s: unknown): SchemaView } };
    return NormalizedSchema ? (s) => NormalizedSchema.of(s) : undefined;
  } catch {
    return undefined;
  }
}

/** The number of leading members a static structure schema marks required (`[3, ns, name, traits, names, members, required?]`). */
function requiredCount(ns: SchemaView): number {
  const raw = ns.getSchema();
  return Array.isArray(raw) && typeof raw[6] === 'number' ? raw[6] : 0;
}

/** An SDK schema as a Shape; structures are shared, so recursive ones (DynamoDB's AttributeValue) stay finite. */
export function shapeOfSchema(root: SchemaView): Shape {
  const seen = new Map<unknown, Shape>();
  const walk = (ns: SchemaView): Shape => {
    if (ns.isStructSchema() || ns.isUnionSchema()) {
      const key = ns.getSchema();
      const known = seen.get(key);
      if (known) return known;
      const members: Record<string, Shape> = {};
      const names: string[] = [];
      const shape: Shape = { t: 'struct', members };
      seen.set(key, shape);
      for (const [name, m] of ns.structIterator()) {
        names.push(pascal(name));
        members[pascal(name)] = walk(m);
      }
      const n = ns.isUnionSchema() ? 0 : requiredCount(ns);
      if (n > 0) (shape as { required?: readonly string[] }).required = names.slice(0, n);
      return shape;
    }
    if (ns.isListSchema()) return { t: 'list', member: walk(ns.getValueSchema()) };
    if (ns.isMapSchema()) return { t: 'map', value: walk(ns.getValueSchema()) };
    if (ns.isBlobSchema()) return { t: 'blob' };
    if (ns.isTimestampSchema()) return { t: 'timestamp' };
    if (ns.isBooleanSchema()) return { t: 'boolean' };
    if (ns.isNumericSchema() || ns.isBigIntegerSchema() || ns.isBigDecimalSchema()) return { t: 'double' };
    if (ns.isStringSchema()) return { t: 'string' };
    return { t: 'document' };
  };
  return walk(root);
}

/**
 * Constraints of the hand-written table laid over the SDK's shape where both have the member: enums, lengths and
 * ranges (which the clients' schemas do not carry), and whole numbers where the table says integer.
 */
export function refine(sdk: Shape, table: Shape | undefined, seen = new Set<Shape>()): Shape {
  if (!table || seen.has(sdk)) return sdk;
  if (sdk.t === 'struct' && table.t === 'struct') {
    seen.add(sdk);
    for (const [k, m] of Object.entries(table.members)) {
      const own = sdk.members[k];
      if (own) (sdk.members as Record<string, Shape>)[k] = refine(own, m, seen);
    }
    return sdk;
  }
  if (sdk.t === 'list' && table.t === 'list') return { t: 'list', member: refine(sdk.member, table.member, seen) };
  if (sdk.t === 'map' && table.t === 'map') return { t: 'map', value: refine(sdk.value, table.value, seen) };
  if (sdk.t === 'double' && table.t === 'integer') return table;
  if ((sdk.t === 'string' && table.t === 'string') || (sdk.t === 'blob' && table.t === 'blob')) return table;
  return sdk;
}

type Module = Record<string, unknown>;

/** The operation's output schema (`<Op>$` export, else the command's own `schema`), or a named structure's. */
function schemaIn(mod: Module, src: Source): unknown {
  if ('structure' in src) return mod[`${src.structure}$`];
  const op = mod[`${src.operation}$`] ?? commandSchema(mod, src.operation);
  if (!Array.isArray(op) || op[0] !== 9) return undefined;
  const out = op[5];
  return typeof out === 'function' ? (out as () => unknown)() : out;
}

function commandSchema(mod: Module, operation: string): unknown {
  const Ctor = mod[`${operation}Command`];
  if (typeof Ctor !== 'function') return undefined;
  try {
    return (new (Ctor as new (i: object) => { schema?: unknown })({})).schema;
  } catch {
    return undefined;
  }
}

/** Per-resource adjustments where Step Functions presents the result differently from the SDK. */
function adjust(res: ServiceResource, shape: Shape): Shape {
  if (res.service === 'lambda' && res.api === 'invoke' && shape.t === 'struct') {
    // The optimized Lambda integration gives the function's result parsed: any JSON.
    return { ...shape, members: { ...shape.members, Payload: { t: 'document' } } };
  }
  return shape;
}

/** Output shapes from the installed SDK clients, loaded on demand and kept. */
export class SdkOutputShapes {
  readonly #cache = new Map<string, Promise<Shape | undefined>>();

  /** The output shape of a resource: the SDK's where a client has it, else the table's (request-response); undefined if neither. */
  async of(res: ServiceResource): Promise<Shape | undefined> {
    return (await this.fromSdk(res)) ?? (res.pattern === 'request-response' ? tableShape(res) : undefined);
  }

  /** The SDK's shape only (refined by the table), or undefined. */
  fromSdk(res: ServiceResource): Promise<Shape | undefined> {
    const src = sourceOf(res);
    if (!src) return Promise.resolve(undefined);
    const key = `${res.service}:${res.api}:${res.pattern}`;
    let p = this.#cache.get(key);
    if (!p) {
      p = this.#load(res, src);
      this.#cache.set(key, p);
    }
    return p;
  }

  async #load(res: ServiceResource, src: Source): Promise<Shape | undefined> {
    const { pkg } = awsService(src.service);
    let mod: Module;
    try {
      mod = (await import(pkg)) as Module;
    } catch {
      return undefined;
    }
    const schemaOf = schemaReaderOf(pkg);
    const schema = schemaIn(mod, src);
    if (!schemaOf || schema === undefined) return undefined;
    try {
      const ns = schemaOf(schema);
      if (!ns.isStructSchema() && !ns.isUnionSchema()) return undefined;
      return refine(adjust(res, shapeOfSchema(ns)), res.pattern === 'request-response' ? tableShape(res) : undefined);
    } catch {
      return undefined;
    }
  }
}
