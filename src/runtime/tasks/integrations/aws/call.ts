/**
 * One AWS SDK call for a task: the client (with the task's role, if any), the command by name, cancellation.
 * @module
 */
import { isObject, type Json } from '../../../../shared/json.js';
import type { InvokeTask, TaskContext } from '../../types.js';
import { ClientLoadError, type AwsClients, type LoadedService } from './clients.js';
import { commandName } from './services.js';
import { withSdkMemberNames, withTypedTimestamps } from './shapes.js';

export type CallResult =
  | { ok: true; output: Record<string, unknown>; loaded: LoadedService; /** The operation's output schema, where the client has one. */ outputSchema?: unknown }
  | { ok: false; kind: 'setup'; error: string; cause: string }
  | { ok: false; kind: 'service'; err: unknown; loaded: LoadedService };

/** The role a task's `Credentials` field names (the interpreter has evaluated it already). */
export function roleOf(cmd: InvokeTask): string | undefined | Error {
  const c = cmd.credentials;
  if (c === undefined || c === null) return undefined;
  if (!isObject(c) || typeof c.RoleArn !== 'string' || !c.RoleArn)
    return new Error("The field 'Credentials' must hold a 'RoleArn' string naming the role to assume.");
  return c.RoleArn;
}

export async function callAws(clients: AwsClients, serviceId: string, action: string, input: Record<string, unknown>, cmd: InvokeTask, ctx: TaskContext): Promise<CallResult> {
  const role = roleOf(cmd);
  if (role instanceof Error) return { ok: false, kind: 'setup', error: 'States.Runtime', cause: role.message };
  let loaded: LoadedService;
  try {
    loaded = await clients.get(serviceId, ctx.region, role);
  } catch (e) {
    const msg = e instanceof ClientLoadError ? e.message : `The AWS SDK client for '${serviceId}' could not be created: ${(e as Error)?.message ?? String(e)}`;
    return { ok: false, kind: 'setup', error: 'States.Runtime', cause: msg };
  }
  const name = commandName(action);
  const Command = loaded.mod[name];
  if (typeof Command !== 'function')
    return { ok: false, kind: 'setup', error: 'States.Runtime', cause: `The API action '${action}' of '${serviceId}' is not in ${loaded.service.pkg} (it has no ${name}).` };
  try {
    const Ctor = Command as new (i: unknown) => { schema?: unknown[] };
    let command = new Ctor(input);
    const resolve = (s: unknown) => (typeof s === 'function' ? (s as () => unknown)() : s);
    const inSchema = Array.isArray(command.schema) ? resolve(command.schema[4]) : undefined;
    const outputSchema = Array.isArray(command.schema) ? resolve(command.schema[5]) : undefined;
    if (loaded.schemaOf && inSchema !== undefined) {
      const named = withSdkMemberNames(loaded.schemaOf, inSchema, input);
      command = new Ctor(withTypedTimestamps(loaded.schemaOf, inSchema, named));
    }
    const output = await loaded.client.send(command, { abortSignal: ctx.cancel.signal });
    return { ok: true, output, loaded, outputSchema };
  } catch (err) {
    return { ok: false, kind: 'service', err, loaded };
  }
}

/** A task's parameters as an SDK command input (PascalCase names become the SDK's own in callAws). */
export function inputOf(cmd: InvokeTask): Record<string, unknown> | Error {
  const p: Json = cmd.input;
  if (p === null || p === undefined) return {};
  if (!isObject(p)) return new Error(`The parameters of '${cmd.resource.arn}' must be an object.`);
  return { ...p };
}
