/**
 * AWS SDK for JavaScript v3 clients for Task states: loaded on demand (the shipped `@aws-sdk/client-*` packages and
 * any other installed one), one client per service, region, endpoint and role, with the SDK's standard credential
 * chain. Endpoints: `AWS_ENDPOINT_URL_<SERVICE>`, then Step Functions Local's `<SERVICE>_ENDPOINT` (SQS_ENDPOINT,
 * DYNAMODB_ENDPOINT …), then `AWS_ENDPOINT_URL`; none means the service's own AWS endpoint. The `Credentials`
 * field of a Task (a role to assume) is honoured through STS (`AssumeRole`, itself with the standard chain).
 * @module
 */
import { createRequire } from 'node:module';
import { awsService, type AwsService } from './services.js';
import type { SchemaOf } from './members.js';

/** What a client call answered on the wire, kept for the optimized integrations' SdkHttpMetadata. */
export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
}

export const RAW_RESPONSE = Symbol('stepwise.rawResponse');

type Module = Record<string, unknown>;
interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>>;
  middlewareStack: { add(mw: unknown, opts: { step: string; name: string }): void };
  destroy(): void;
}
type ClientCtor = new (config: Record<string, unknown>) => SdkClient;

export interface LoadedService {
  service: AwsService;
  mod: Module;
  /** Reads a command's schema (`@smithy/core/schema` as the client itself resolves it); undefined if unavailable. */
  schemaOf: SchemaOf | undefined;
  /** The service's base exception class (`S3ServiceException` …): errors of exactly this class are unmodeled. */
  baseException: (abstract new (...a: never[]) => unknown) | undefined;
  client: SdkClient;
}

export class ClientLoadError extends Error {}

export interface AwsClientsOptions {
  /** The environment read for endpoints and region (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Credentials instead of the SDK's standard chain (also the base credentials for assuming roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Loads a package by name (default: `import(pkg)`); tests give one that resolves a package elsewhere. */
  importPackage?: (pkg: string) => Promise<Module>;
}

/** The SDK's own variable suffix of a package: `@aws-sdk/client-secrets-manager` -> SECRETS_MANAGER. */
const sdkEnvSuffix = (pkg: string): string => pkg.replace(/^@aws-sdk\/client-/, '').replace(/-/g, '_').toUpperCase();

function schemaReader(pkg: string): SchemaOf | undefined {
  try {
    const req = createRequire(import.meta.url);
    const fromClient = createRequire(req.resolve(pkg));
    const { NormalizedSchema } = fromClient('@smithy/core/schema') as { NormalizedSchema?: { of(s: unknown): ReturnType<SchemaOf> } };
    return NormalizedSchema ? (s) => NormalizedSchema.of(s) : undefined;
  } catch {
    return undefined;
  }
}

/** Clients kept at most (one per service, region, endpoint and role); the least recently used is dropped first. */
const MAX_CLIENTS = 256;

export class AwsClients {
  readonly #env: Record<string, string | undefined>;
  readonly #credentials: AwsClientsOptions['credentials'];
  readonly #import: (pkg: string) => Promise<Module>;
  readonly #modules = new Map<string, Promise<Module>>();
  readonly #clients = new Map<string, Promise<LoadedService>>();

  constructor(opts: AwsClientsOptions = {}) {
    this.#env = opts.env ?? process.env;
    this.#credentials = opts.credentials;
    this.#import = opts.importPackage ?? ((pkg) => import(pkg) as Promise<Module>);
  }

  /** The endpoint calls to this service go to, or undefined for AWS's own. */
  endpointOf(service: AwsService): string | undefined {
    const env = this.#env;
    return (
      env[`AWS_ENDPOINT_URL_${sdkEnvSuffix(service.pkg)}`] ||
      (service.localEndpointEnv ? env[service.localEndpointEnv] : undefined) ||
      env.AWS_ENDPOINT_URL ||
      undefined
    );
  }

  /**
   * Whether the environment configures AWS access for this service (an endpoint, credentials, a profile, a
   * web identity or container role): integrations that also run locally go to AWS only then.
   */
  configuredFor(serviceId: string): boolean {
    const env = this.#env;
    if (this.#credentials || this.endpointOf(awsService(serviceId))) return true;
    return ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'].some((v) => env[v]);
  }

  regionOf(fallback: string): string {
    return this.#env.AWS_REGION || this.#env.AWS_DEFAULT_REGION || fallback;
  }

  /** The client of a service for a task: `region` is the state machine's; `roleArn` a role to assume (Credentials). */
  get(serviceId: string, region: string, roleArn?: string): Promise<LoadedService> {
    const service = awsService(serviceId);
    const r = this.regionOf(region);
    const endpoint = this.endpointOf(service);
    const key = `${service.id}\n${r}\n${endpoint ?? ''}\n${roleArn ?? ''}`;
    let p = this.#clients.get(key);
    if (p) {
      // Most recently used last: the oldest is the first to go when the cache is full.
      this.#clients.delete(key);
      this.#clients.set(key, p);
      return p;
    }
    p = this.#create(service, r, endpoint, roleArn);
    this.#clients.set(key, p);
    p.catch(() => this.#clients.delete(key));
    // Roles can come from each execution's data (Credentials.RoleArn.$): keep the cache bounded.
    if (this.#clients.size > MAX_CLIENTS) {
      // Dropped, not destroyed: a call still in flight on it finishes; its idle sockets close by themselves.
      this.#clients.delete(this.#clients.keys().next().value as string);
    }
    return p;
  }

  #load(pkg: string): Promise<Module> {
    let p = this.#modules.get(pkg);
    if (!p) {
      p = this.#import(pkg).then(
        (m: Module) => m,
        (e: unknown) => {
          this.#modules.delete(pkg);
          const code = (e as { code?: string })?.code;
          if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
            throw new ClientLoadError(`The AWS SDK client ${pkg} is not installed: install it next to Stepwise (npm install ${pkg}).`);
          throw new ClientLoadError(`The AWS SDK client ${pkg} could not be loaded: ${(e as Error)?.message ?? String(e)}`);
        },
      );
      this.#modules.set(pkg, p);
    }
    return p;
  }

  async #create(service: AwsService, region: string, endpoint: string | undefined, roleArn: string | undefined): Promise<LoadedService> {
    const mod = await this.#load(service.pkg);
    const ctorName = Object.keys(mod).find((k) => k.endsWith('Client') && k !== '__Client' && typeof mod[k] === 'function');
    if (!ctorName) throw new ClientLoadError(`${service.pkg} has no client class.`);
    const Ctor = mod[ctorName] as ClientCtor;
    const baseName = Object.keys(mod).find((k) => k.endsWith('ServiceException'));
    const config: Record<string, unknown> = { region };
    if (endpoint) config.endpoint = endpoint;
    if (service.id === 's3') {
      // Buckets in the path on a custom endpoint (emulators have no per-bucket host names); responses as AWS's
      // aws-sdk:s3 integration gives them: without checksum mode, so without checksum fields on getObject.
      if (endpoint) config.forcePathStyle = true;
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (roleArn) config.credentials = await this.#assumed(roleArn, region);
    else if (this.#credentials) config.credentials = this.#credentials;
    const client = new Ctor(config);
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<{ output: object; response: { statusCode?: number; headers?: Record<string, string> } }>) =>
        async (args: unknown) => {
          const r = await next(args);
          if (r.output && typeof r.output === 'object')
            Object.defineProperty(r.output, RAW_RESPONSE, { enumerable: true, value: { statusCode: r.response?.statusCode ?? 200, headers: { ...(r.response?.headers ?? {}) } } satisfies RawResponse });
          return r;
        },
      { step: 'initialize', name: 'stepwiseRawResponse' },
    );
    return { service, mod, schemaOf: schemaReader(service.pkg), baseException: baseName ? (mod[baseName] as LoadedService['baseException']) : undefined, client };
  }

  #chain: unknown;
  /**
   * Credentials to sign a request with (apigateway:invoke with IAM_ROLE): the role's when one is to be assumed,
   * else the configured ones, else the SDK's standard chain. A provider the signer resolves.
   */
  async credentialsFor(region: string, roleArn?: string): Promise<unknown> {
    if (roleArn) return this.#assumed(roleArn, this.regionOf(region));
    if (this.#credentials) return this.#credentials;
    if (!this.#chain) {
      const providers = (await this.#load('@aws-sdk/credential-providers')) as { fromNodeProviderChain?: () => unknown };
      if (typeof providers.fromNodeProviderChain !== 'function') throw new ClientLoadError('@aws-sdk/credential-providers has no fromNodeProviderChain.');
      this.#chain = providers.fromNodeProviderChain();
    }
    return this.#chain;
  }

  async #assumed(roleArn: string, region: string): Promise<unknown> {
    const providers = (await this.#load('@aws-sdk/credential-providers')) as { fromTemporaryCredentials?: (o: unknown) => unknown };
    if (typeof providers.fromTemporaryCredentials !== 'function') throw new ClientLoadError('@aws-sdk/credential-providers has no fromTemporaryCredentials.');
    const sts = awsService('sts');
    const endpoint = this.endpointOf(sts);
    return providers.fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: `stepwise-${Date.now()}` },
      ...(this.#credentials ? { masterCredentials: this.#credentials } : {}),
      clientConfig: endpoint ? { region, endpoint } : { region },
    });
  }

  /** Closes every client's connections. */
  async close(): Promise<void> {
    const all = [...this.#clients.values()];
    this.#clients.clear();
    for (const p of all) {
      try {
        (await p).client.destroy();
      } catch {
        /* a client that never loaded */
      }
    }
  }
}
