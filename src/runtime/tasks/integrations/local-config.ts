/**
 * The Stepwise config file: what runs locally. `connections` maps EventBridge connection ARNs to the
 * credentials a connection holds (in EventBridge's CreateConnection shape), `ecs.taskDefinitions` and
 * `batch.jobDefinitions` map task (job) definitions to a local command (or a container image). The file
 * is checked as a whole when it is loaded; every error names the file, the path inside it and what is wrong.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isObject, type Json, type JsonObject } from '../../../shared/json.js';

export interface HttpParameter {
  key: string;
  value: string;
}

export interface InvocationParameters {
  headers: HttpParameter[];
  query: HttpParameter[];
  body: HttpParameter[];
}

export type ConnectionAuth =
  | { kind: 'API_KEY'; name: string; value: string }
  | { kind: 'BASIC'; username: string; password: string }
  | {
      kind: 'OAUTH_CLIENT_CREDENTIALS';
      authorizationEndpoint: string;
      httpMethod: 'GET' | 'POST' | 'PUT';
      clientId: string;
      clientSecret: string;
      oauthParameters: InvocationParameters;
    };

export interface Connection {
  arn: string;
  auth: ConnectionAuth;
  invocation: InvocationParameters;
}

/** A task (job) definition that runs locally: a command, or a container when `image` is given. */
export interface LocalDefinition {
  /** The name as written in the config file (a family, `family:revision`, or an ARN). */
  key: string;
  command: string[];
  image?: string;
  environment: Record<string, string>;
  /**
   * A process's working directory: absolute (a relative path in the file is resolved against the file's
   * folder; default: that folder). With `image`, the container's working directory as written (`-w`), if given.
   */
  workingDirectory: string | undefined;
  /** ECS: the container's name (overrides name it); any name is accepted when unset. */
  containerName?: string;
  /** Seconds between SIGTERM and SIGKILL when the task is stopped (ECS's stopTimeout; default 30). */
  stopTimeoutSeconds: number;
}

export interface LocalConfig {
  file?: string;
  connections: Map<string, Connection>;
  ecsTaskDefinitions: Map<string, LocalDefinition>;
  batchJobDefinitions: Map<string, LocalDefinition>;
}

export const emptyLocalConfig = (): LocalConfig => ({ connections: new Map(), ecsTaskDefinitions: new Map(), batchJobDefinitions: new Map() });

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
  }
}

/** Reads and checks a config file (JSON). Throws ConfigError. */
export function loadLocalConfig(file: string): LocalConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot be read: ${(e as Error).message}`]);
  }
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (e) {
    throw new ConfigError(file, [`is not valid JSON: ${(e as Error).message}`]);
  }
  return parseLocalConfig(value, file, dirname(resolve(file)));
}

const TOP = ['connections', 'ecs', 'batch'];
const AUTH_TYPES = ['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'];

/** Checks a config value; `name` labels errors (the file), `baseDir` resolves relative working directories. */
export function parseLocalConfig(value: Json, name = 'config', baseDir = process.cwd()): LocalConfig {
  const p: string[] = [];
  const out = emptyLocalConfig();
  out.file = name;
  if (!isObject(value)) throw new ConfigError(name, ['$: must be a JSON object']);
  unknown(value, '$', TOP, p);
  if (value.connections !== undefined) {
    if (!isObject(value.connections)) p.push('$.connections: must be an object (connection ARN -> connection)');
    else
      for (const [arn, c] of Object.entries(value.connections)) {
        const at = `$.connections['${arn}']`;
        if (!/^arn:aws[\w-]*:events:[^:]*:[^:]*:connection\/.+/.test(arn)) p.push(`${at}: the key must be an EventBridge connection ARN (arn:aws:events:REGION:ACCOUNT:connection/NAME/ID)`);
        const conn = connection(arn, c, at, p);
        if (conn) out.connections.set(arn, conn);
      }
  }
  for (const [svc, field, target] of [
    ['ecs', 'taskDefinitions', out.ecsTaskDefinitions],
    ['batch', 'jobDefinitions', out.batchJobDefinitions],
  ] as const) {
    const v = value[svc];
    if (v === undefined) continue;
    if (!isObject(v)) {
      p.push(`$.${svc}: must be an object with '${field}'`);
      continue;
    }
    unknown(v, `$.${svc}`, [field], p);
    const defs = v[field];
    if (defs === undefined) continue;
    if (!isObject(defs)) {
      p.push(`$.${svc}.${field}: must be an object (definition name or ARN -> what runs)`);
      continue;
    }
    for (const [key, d] of Object.entries(defs)) {
      const def = definition(key, d, `$.${svc}.${field}['${key}']`, baseDir, svc === 'ecs', p);
      if (def) target.set(key, def);
    }
  }
  if (p.length) throw new ConfigError(name, p);
  return out;
}

function unknown(o: JsonObject, at: string, allowed: readonly string[], p: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) p.push(`${at}: unknown field '${k}' (expected ${allowed.map((a) => `'${a}'`).join(', ')})`);
}

function str(o: JsonObject, k: string, at: string, p: string[], optional = false): string | undefined {
  const v = o[k];
  if (v === undefined) {
    if (!optional) p.push(`${at}: '${k}' is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v === '') {
    p.push(`${at}.${k}: must be a non-empty string`);
    return undefined;
  }
  return v;
}

function params(v: Json | undefined, at: string, p: string[]): InvocationParameters {
  const out: InvocationParameters = { headers: [], query: [], body: [] };
  if (v === undefined) return out;
  if (!isObject(v)) {
    p.push(`${at}: must be an object`);
    return out;
  }
  const fields = { HeaderParameters: out.headers, QueryStringParameters: out.query, BodyParameters: out.body };
  unknown(v, at, Object.keys(fields), p);
  for (const [f, list] of Object.entries(fields)) {
    const arr = v[f];
    if (arr === undefined) continue;
    if (!Array.isArray(arr)) {
      p.push(`${at}.${f}: must be an array of {Key, Value, IsValueSecret}`);
      continue;
    }
    arr.forEach((e, i) => {
      const eat = `${at}.${f}[${i}]`;
      if (!isObject(e)) return void p.push(`${eat}: must be an object {Key, Value}`);
      unknown(e, eat, ['Key', 'Value', 'IsValueSecret'], p);
      if (e.IsValueSecret !== undefined && typeof e.IsValueSecret !== 'boolean') p.push(`${eat}.IsValueSecret: must be a boolean`);
      const key = str(e, 'Key', eat, p);
      const value = str(e, 'Value', eat, p);
      if (key !== undefined && value !== undefined) list.push({ key, value });
    });
  }
  return out;
}

function connection(arn: string, c: Json, at: string, p: string[]): Connection | undefined {
  if (!isObject(c)) return void p.push(`${at}: must be an object {AuthorizationType, AuthParameters}`);
  unknown(c, at, ['AuthorizationType', 'AuthParameters'], p);
  const type = c.AuthorizationType;
  if (typeof type !== 'string' || !AUTH_TYPES.includes(type)) return void p.push(`${at}.AuthorizationType: must be one of ${AUTH_TYPES.join(', ')}`);
  const ap = c.AuthParameters;
  if (!isObject(ap)) return void p.push(`${at}.AuthParameters: is required (an object, as EventBridge's CreateConnection takes it)`);
  const aat = `${at}.AuthParameters`;
  const own = type === 'API_KEY' ? 'ApiKeyAuthParameters' : type === 'BASIC' ? 'BasicAuthParameters' : 'OAuthParameters';
  unknown(ap, aat, [own, 'InvocationHttpParameters'], p);
  const invocation = params(ap.InvocationHttpParameters, `${aat}.InvocationHttpParameters`, p);
  const a = ap[own];
  if (!isObject(a)) return void p.push(`${aat}.${own}: is required for AuthorizationType ${type}`);
  const oat = `${aat}.${own}`;
  let auth: ConnectionAuth | undefined;
  if (type === 'API_KEY') {
    unknown(a, oat, ['ApiKeyName', 'ApiKeyValue'], p);
    const name = str(a, 'ApiKeyName', oat, p);
    const value = str(a, 'ApiKeyValue', oat, p);
    if (name !== undefined && value !== undefined) auth = { kind: 'API_KEY', name, value };
  } else if (type === 'BASIC') {
    unknown(a, oat, ['Username', 'Password'], p);
    const username = str(a, 'Username', oat, p);
    const password = str(a, 'Password', oat, p);
    if (username !== undefined && password !== undefined) auth = { kind: 'BASIC', username, password };
  } else {
    unknown(a, oat, ['AuthorizationEndpoint', 'HttpMethod', 'ClientParameters', 'OAuthHttpParameters'], p);
    const endpoint = str(a, 'AuthorizationEndpoint', oat, p);
    if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) p.push(`${oat}.AuthorizationEndpoint: must be an http(s) URL`);
    const method = str(a, 'HttpMethod', oat, p);
    if (method !== undefined && !['GET', 'POST', 'PUT'].includes(method)) p.push(`${oat}.HttpMethod: must be GET, POST or PUT`);
    const cp = a.ClientParameters;
    let clientId: string | undefined;
    let clientSecret: string | undefined;
    if (!isObject(cp)) p.push(`${oat}.ClientParameters: is required ({ClientID, ClientSecret})`);
    else {
      unknown(cp, `${oat}.ClientParameters`, ['ClientID', 'ClientSecret'], p);
      clientId = str(cp, 'ClientID', `${oat}.ClientParameters`, p);
      clientSecret = str(cp, 'ClientSecret', `${oat}.ClientParameters`, p);
    }
    const oauthParameters = params(a.OAuthHttpParameters, `${oat}.OAuthHttpParameters`, p);
    if (endpoint && method && clientId && clientSecret)
      auth = { kind: 'OAUTH_CLIENT_CREDENTIALS', authorizationEndpoint: endpoint, httpMethod: method as 'GET' | 'POST' | 'PUT', clientId, clientSecret, oauthParameters };
  }
  return auth ? { arn, auth, invocation } : undefined;
}

function definition(key: string, d: Json, at: string, baseDir: string, ecs: boolean, p: string[]): LocalDefinition | undefined {
  if (!isObject(d)) return void p.push(`${at}: must be an object {command, image, environment, workingDirectory}`);
  unknown(d, at, ['command', 'image', 'environment', 'workingDirectory', 'stopTimeoutSeconds', ...(ecs ? ['containerName'] : [])], p);
  const before = p.length;
  let command: string[] = [];
  const image = str(d, 'image', at, p, true);
  if (d.command !== undefined) {
    if (!Array.isArray(d.command) || d.command.some((c) => typeof c !== 'string')) p.push(`${at}.command: must be an array of strings (the program and its arguments)`);
    else if (d.command.length === 0 && image === undefined) p.push(`${at}.command: must not be empty`);
    else command = d.command as string[];
  } else if (image === undefined) p.push(`${at}: 'command' is required (or 'image', to run a container)`);
  const environment: Record<string, string> = {};
  if (d.environment !== undefined) {
    if (!isObject(d.environment)) p.push(`${at}.environment: must be an object (name -> string value)`);
    else
      for (const [k, v] of Object.entries(d.environment)) {
        if (typeof v !== 'string') p.push(`${at}.environment.${k}: must be a string`);
        else environment[k] = v;
      }
  }
  const wd = str(d, 'workingDirectory', at, p, true);
  const containerName = ecs ? str(d, 'containerName', at, p, true) : undefined;
  let stopTimeoutSeconds = 30;
  if (d.stopTimeoutSeconds !== undefined) {
    if (typeof d.stopTimeoutSeconds !== 'number' || !(d.stopTimeoutSeconds >= 0)) p.push(`${at}.stopTimeoutSeconds: must be a non-negative number`);
    else stopTimeoutSeconds = d.stopTimeoutSeconds;
  }
  if (p.length > before) return undefined;
  const def: LocalDefinition = { key, command, environment, workingDirectory: image !== undefined ? wd : resolve(baseDir, wd ?? '.'), stopTimeoutSeconds };
  if (image !== undefined) def.image = image;
  if (containerName !== undefined) def.containerName = containerName;
  return def;
}

/**
 * The definition a task names: the exact key first, then by family (or name) and revision. `ref` is what
 * the task gives (a family, `family:revision`, or an ARN `…:task-definition/family:revision`).
 */
export function findDefinition(defs: Map<string, LocalDefinition>, ref: string): LocalDefinition | undefined {
  const exact = defs.get(ref);
  if (exact) return exact;
  const short = (s: string) => (s.startsWith('arn:') ? s.slice(s.indexOf('/') + 1) : s);
  const family = (s: string) => short(s).split(':')[0];
  const want = short(ref);
  for (const [k, d] of defs) if (short(k) === want) return d;
  // A reference without a revision (the latest) matches any revision of the family; a key without one
  // matches every revision.
  for (const [k, d] of defs) if ((!want.includes(':') || !short(k).includes(':')) && family(k) === family(ref)) return d;
  return undefined;
}
