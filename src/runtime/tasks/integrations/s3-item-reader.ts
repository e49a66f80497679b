/**
 * A Distributed Map's ItemReader over S3: `s3:getObject` (JSON, JSONL, CSV, Parquet, S3 Inventory and Athena
 * manifests) and `s3:listObjectsV2`, registered under those keys. The command's input is
 * `{ Parameters, ReaderConfig }` as the interpreter evaluated them; the task succeeds with the items (an array)
 * or fails with `States.ItemReaderFailed`. S3 is reached with the task runtime's S3 client (its endpoint
 * settings, and the role of the state's `Credentials`); items stream from `readItems` (src/runtime/items).
 * @module
 */
import type { Json } from '../../../shared/json.js';
import { readItems } from '../../items/read-items.js';
import { ItemReaderError, itemReaderRequest, type ItemReaderRequest } from '../../items/request.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';
import { AwsClients, type LoadedService } from './aws/clients.js';
import { roleOf } from './aws/call.js';
import { sdkIntegrationError } from './aws/errors.js';

export const ITEM_READER_FAILED = 'States.ItemReaderFailed';

/** The SDK command whose input the Parameters of each way of reading are. */
const COMMAND = { getObject: 'GetObjectCommand', listObjectsV2: 'ListObjectsV2Command' } as const;
/** Fields the reader sets itself. */
const OWN_FIELDS: Record<keyof typeof COMMAND, string[]> = { getObject: ['Range'], listObjectsV2: [] };

/** Parameters the S3 API does not take would be dropped by the SDK without a word: refused instead. */
function checkFields(loaded: LoadedService, api: keyof typeof COMMAND, params: Record<string, unknown>): void {
  const Ctor = loaded.mod[COMMAND[api]] as (new (i: unknown) => { schema?: unknown[] }) | undefined;
  if (!Ctor || !loaded.schemaOf) return;
  const s = new Ctor({}).schema;
  const input = Array.isArray(s) ? s[4] : undefined;
  if (input === undefined) return;
  const members = new Set<string>();
  try {
    for (const [k] of loaded.schemaOf(typeof input === 'function' ? (input as () => unknown)() : input).structIterator()) members.add(k);
  } catch {
    return;
  }
  for (const k of Object.keys(params)) {
    if (OWN_FIELDS[api].includes(k)) throw new ItemReaderError(`The ItemReader sets '${k}' itself; it cannot be given in Parameters.`);
    if (!members.has(k)) throw new ItemReaderError(`The field '${k}' is not a parameter of S3 ${api}.`);
  }
}

export class S3ItemReader implements TaskInvoker {
  constructor(readonly clients: AwsClients = new AwsClients()) {}

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    void this.#read(cmd, ctx).then((r) => {
      if (ctx.cancel.cancelled) return;
      if (r.ok) cb.succeeded(r.items);
      else cb.failed(ITEM_READER_FAILED, r.cause);
    });
  }

  async #read(cmd: InvokeTask, ctx: TaskContext): Promise<{ ok: true; items: Json[] } | { ok: false; cause: string }> {
    const res = cmd.resource;
    let loaded: LoadedService | undefined;
    try {
      if (res.kind !== 'service' || res.service !== 's3' || (res.api !== 'getObject' && res.api !== 'listObjectsV2'))
        throw new ItemReaderError(`The resource '${res.arn}' is not an item reader (s3:getObject or s3:listObjectsV2).`);
      if (res.pattern !== 'request-response') throw new ItemReaderError(`An ItemReader's resource takes no integration pattern: '${res.arn}'.`);
      const request: ItemReaderRequest = itemReaderRequest(res.api, cmd.input);
      const role = roleOf(cmd);
      if (role instanceof Error) throw new ItemReaderError(role.message);
      loaded = await this.clients.get('s3', ctx.region, role);
      checkFields(loaded, res.api, request.source.params);
      const items: Json[] = [];
      for await (const item of readItems(request, loaded.client, ctx.cancel.signal)) items.push(item);
      return { ok: true, items };
    } catch (e) {
      if (e instanceof ItemReaderError) return { ok: false, cause: e.message };
      if (loaded && (e as { $metadata?: unknown })?.$metadata !== undefined) return { ok: false, cause: sdkIntegrationError(e, loaded).cause };
      return { ok: false, cause: (e as Error)?.message ?? String(e) };
    }
  }
}
