/**
 * One AWS SDK call for a task: the client (with the task's role, if any), the command by name, cancellation.
 * @module
 */
import { isObject, type Json } from '../../../../shared/json.js';
import type { InvokeTask, TaskContext } from '../../types.js';
import { ClientLoadError, type AwsClients, type LoadedService } from './clients.js';
import { commandName } from './services.js';
import { toSdkInput, UnknownMemberError, type MemberSchema } from './members.js';

export type CallResult =
  | { ok: true; output: Record<string, unknown>; loaded: LoadedService; outputSchema?: MemberSchema }
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
  const Ctor = Command as new (i: unknown) => { schema?: unknown[] };
  const schemas = commandSchemas(Ctor, loaded);
  let sdkInput: unknown = input;
  try {
    // Parameters are PascalCase in Step Functions, whatever the API's case; timestamps become Dates.
    if (schemas.input) sdkInput = toSdkInput(schemas.input, input, '');
  } catch (e) {
    if (e instanceof UnknownMemberError) return { ok: false, kind: 'setup', error: 'States.Runtime', cause: `${serviceId}:${action}: ${e.message}` };
    sdkInput = input; // a schema this code cannot read: the parameters as they are
  }
  try {
    const output = await loaded.client.send(new Ctor(sdkInput), { abortSignal: ctx.cancel.signal });
    return { ok: true, output, loaded, outputSchema: schemas.output };
  } catch (err) {
    return { ok: false, kind: 'service', err, loaded };
  }
}

/** A task's parameters as an SDK command input (the SDK takes AWS's PascalCase member names as they are). */
export function inputOf(cmd: InvokeTask): Record<string, unknown> | Error {
  const p: Json = cmd.input;
  if (p === null || p === undefined) return {};
  if (!isObject(p)) return new Error(`The parameters of '${cmd.resource.arn}' must be an object.`);
  return { ...p };
}

/** A command's input and output schemas (schema-based clients), read as NormalizedSchema; none for other clients. */
export function commandSchemas(Ctor: new (i: unknown) => { schema?: unknown[] }, loaded: LoadedService): { input?: MemberSchema; output?: MemberSchema } {
  if (!loaded.schemaOf) return {};
  try {
    const s = new Ctor({}).schema;
    if (!Array.isArray(s)) return {};
    const resolve = (x: unknown) => (typeof x === 'function' ? (x as () => unknown)() : x);
    const of = loaded.schemaOf;
    return { input: s[4] === undefined ? undefined : of(resolve(s[4])), output: s[5] === undefined ? undefined : of(resolve(s[5])) };
  } catch {
    return {};
  }
}
