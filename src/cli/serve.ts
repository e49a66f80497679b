/**
 * `stepwise serve`: the AWS Step Functions API on a port (Step Functions Local's 8083 by default).
 * @module
 */
import { ConsoleSessions } from '../api/console-sessions.js';
import { consoleBehindLogin } from '../api/console/login.js';
import { credentialsFrom, RequestAuthenticator, type Credential } from '../api/auth.js';
import { createApiContext } from '../api/context.js';
import { executionLauncher } from '../api/operations/executions.js';
import type { Server } from 'node:http';
import { createApiServer, type HttpTimeouts } from '../api/server.js';
import { consoleHandler } from '../api/console/routes.js';
import type { StreamOptions } from '../api/console/stream.js';
import { systemClock } from '../runtime/clock.js';
import { Engine, type EngineLimits } from '../runtime/engine.js';
import { functionsFromDirectory } from '../runtime/tasks/functions.js';
import { loadLocalConfig, type LocalConfig } from '../runtime/tasks/integrations/local-config.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import { DEFAULT_DB_PATH, openSqliteStore } from '../store/sqlite/index.js';
import { DEFAULT_SCHEMA, isPostgresUrl, openPostgresStore, redactUrl } from '../store/postgres/index.js';
import type { Store } from '../store/store.js';
import { str, UsageError, type Args, type OptionSpec } from './args.js';
import { checkFunctionsDir } from './functions-dir.js';
import { existsSync } from 'node:fs';
import { loadMockConfig } from '../runtime/tasks/mocks/config.js';

export const SERVE_OPTIONS: OptionSpec = { values: ['port', 'host', 'db', 'pg-schema', 'synchronous', 'functions', 'lambda-endpoint', 'config', 'mock-config', 'auth'], flags: ['insecure'] };

export interface ServeConfig {
  port: number;
  host: string;
  /** Requests must be signed (SigV4) with one of these (`--auth FILE`, STEPWISE_ACCESS_KEY_ID / _SECRET_ACCESS_KEY). */
  credentials?: Credential[];
  functionsDir?: string;
  lambdaEndpoint?: string;
  /** The Stepwise config file (`--config` / STEPWISE_CONFIG), loaded and checked: connections, ECS and Batch definitions. */
  localConfig?: LocalConfig;
  waitTimeScale?: number;
  region: string;
  accountId: string;
  /**
   * The SQLite database file (default `./.stepwise/stepwise.db`); `:memory:` keeps everything in
   * memory (nothing survives the process); a `postgres://` URL selects PostgreSQL.
   */
  db?: string;
  /** SQLite's synchronous setting (FULL unless told otherwise). */
  synchronous?: 'FULL' | 'NORMAL';
  /** PostgreSQL: the schema the tables are in (default `stepwise`). */
  pgSchema?: string;
  /**
   * Step Functions Local's mock configuration file (--mock-config, else SFN_MOCK_CONFIG, else a
   * MockConfigFile.json in the working directory): read and checked at start-up.
   */
  mockConfig?: string;
  /** AWS's quotas, where a deployment wants others (AWS's values by default). */
  limits?: Partial<EngineLimits>;
  /** Where the built web console is (default: dist/console). */
  consoleDir?: string;
  /** The console's live streams (tests shorten the heartbeat). */
  consoleStream?: StreamOptions;
  /** How long a client may take to send a request (tests shorten them). */
  httpTimeouts?: HttpTimeouts;
}

/** Environment variables that override the engine's limits (AWS's quotas by default). */
export const LIMIT_VARIABLES: Record<string, keyof EngineLimits> = {
  STEPWISE_MAX_HISTORY_EVENTS: 'maxHistoryEvents',
  STEPWISE_RETENTION_DAYS: 'retentionDays',
  STEPWISE_STANDARD_MAX_SECONDS: 'standardMaxSeconds',
  STEPWISE_EXPRESS_MAX_SECONDS: 'expressMaxSeconds',
  STEPWISE_ACTIVITY_POLL_SECONDS: 'activityPollMs',
  STEPWISE_EXPRESS_KEEP: 'expressKeep',
  STEPWISE_EXPRESS_KEEP_MB: 'expressKeepBytes',
  STEPWISE_EXPRESS_MAX_RUNNING: 'expressMaxRunning',
};

/** Variables given in other units than the limit they set. */
const SCALE: Partial<Record<keyof EngineLimits, number>> = { activityPollMs: 1000, expressKeepBytes: 1024 * 1024 };

function limitsFrom(env: NodeJS.ProcessEnv): Partial<EngineLimits> {
  const out: Partial<EngineLimits> = {};
  for (const [name, key] of Object.entries(LIMIT_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
    if ((key === 'expressKeep' || key === 'expressMaxRunning') && !Number.isInteger(n)) throw new Error(`${name} must be a positive integer, got '${raw}'`);
    out[key] = n * (SCALE[key] ?? 1);
  }
  return out;
}

export function serveConfig(args: Args, env: NodeJS.ProcessEnv): ServeConfig {
  const scale = env.WAIT_TIME_SCALE !== undefined && env.WAIT_TIME_SCALE !== '' ? Number(env.WAIT_TIME_SCALE) : undefined;
  if (scale !== undefined && (!Number.isFinite(scale) || scale < 0)) throw new Error(`WAIT_TIME_SCALE must be a non-negative number, got '${env.WAIT_TIME_SCALE}'`);
  if (args.positionals.length) throw new UsageError(`serve: unexpected argument '${args.positionals[0]}'`);
  const functionsFlag = str(args, 'functions');
  const functionsDir = functionsFlag ?? (env.STEPWISE_FUNCTIONS || undefined);
  if (functionsDir !== undefined) checkFunctionsDir(functionsFlag !== undefined ? '--functions' : 'STEPWISE_FUNCTIONS', functionsDir);
  const rawPort = str(args, 'port') ?? env.PORT ?? '8083';
  const port = rawPort.trim() === '' ? NaN : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: '${rawPort}'`);
  const host = str(args, 'host') ?? env.HOST ?? '127.0.0.1';
  const credentials = credentialsFrom(str(args, 'auth'), env);
  // Without credentials the server checks nobody: beyond this machine, anyone who reaches the port could
  // run workflows (and read their data), so that takes an explicit --insecure.
  if (credentials.length === 0 && !isLoopback(host) && args.flags.insecure !== true && env.STEPWISE_INSECURE !== '1') {
    throw new Error(
      `Refusing to serve on ${host} without authentication: anyone who can reach it could start, read and stop executions. Configure credentials requests must be signed with (--auth FILE, or STEPWISE_ACCESS_KEY_ID and STEPWISE_SECRET_ACCESS_KEY), serve on 127.0.0.1 (the default), or pass --insecure (STEPWISE_INSECURE=1) to accept that.`,
    );
  }
  return {
    port,
    host,
    ...(credentials.length ? { credentials } : {}),
    functionsDir,
    lambdaEndpoint: str(args, 'lambda-endpoint') ?? env.LAMBDA_ENDPOINT,
    localConfig: configOf(str(args, 'config') ?? (env.STEPWISE_CONFIG || undefined)),
    waitTimeScale: scale,
    region: env.AWS_DEFAULT_REGION || env.AWS_REGION || 'us-east-1',
    accountId: env.AWS_ACCOUNT_ID || '123456789012',
    ...storeConfig(args, env),
    limits: limitsFrom(env),
    mockConfig: str(args, 'mock-config') ?? (env.SFN_MOCK_CONFIG || undefined) ?? (existsSync('MockConfigFile.json') ? 'MockConfigFile.json' : undefined),
  };
}

/** Whether `host` names this machine only (a loopback address). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The config file named by `--config` / STEPWISE_CONFIG, checked now (a bad file stops the start). */
export function configOf(file: string | undefined): LocalConfig | undefined {
  return file === undefined ? undefined : loadLocalConfig(file);
}

/**
 * Where the data goes: `--db`, else STEPWISE_DB, else DATABASE_URL (a PostgreSQL URL), else the SQLite
 * file. Settings of the other kind of store are refused rather than ignored.
 */
function storeConfig(args: Args, env: NodeJS.ProcessEnv): Pick<ServeConfig, 'db' | 'synchronous' | 'pgSchema'> {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL, got '${redactUrl(databaseUrl)}'`);
  const db = str(args, 'db') ?? env.STEPWISE_DB ?? databaseUrl ?? DEFAULT_DB_PATH;
  const synchronous = syncOf(str(args, 'synchronous') ?? env.STEPWISE_SYNCHRONOUS);
  const pgSchema = str(args, 'pg-schema') ?? (env.STEPWISE_PG_SCHEMA || undefined);
  if (isPostgresUrl(db)) {
    if (synchronous !== undefined) throw new Error('--synchronous (STEPWISE_SYNCHRONOUS) is a SQLite setting: PostgreSQL commits are durable as the server is configured (synchronous_commit)');
    return { db, pgSchema: pgSchema ?? DEFAULT_SCHEMA };
  }
  if (pgSchema !== undefined) throw new Error('--pg-schema (STEPWISE_PG_SCHEMA) needs a PostgreSQL database: --db postgres://… or DATABASE_URL');
  return { db, synchronous };
}

function syncOf(v: string | undefined): 'FULL' | 'NORMAL' | undefined {
  if (v === undefined || v === '') return undefined;
  const u = v.toUpperCase();
  if (u !== 'FULL' && u !== 'NORMAL') throw new Error(`--synchronous must be FULL or NORMAL, got '${v}'`);
  return u;
}

/**
 * The store a server keeps its data in: PostgreSQL for a `postgres://` URL, SQLite at `db`, or memory
 * for `:memory:` (and when no db is given).
 */
export async function openStore(cfg: Pick<ServeConfig, 'db' | 'synchronous' | 'pgSchema'>): Promise<Store> {
  if (cfg.db === undefined || cfg.db === ':memory:') return new MemoryStore();
  if (isPostgresUrl(cfg.db)) return openPostgresStore(cfg.db, { schema: cfg.pgSchema });
  return openSqliteStore(cfg.db, { synchronous: cfg.synchronous });
}

function dataLine(cfg: ServeConfig): string {
  if (cfg.db === undefined || cfg.db === ':memory:') return 'Data: in memory (lost when the server stops)';
  if (isPostgresUrl(cfg.db)) return `Data: ${redactUrl(cfg.db)} (PostgreSQL, schema ${cfg.pgSchema ?? DEFAULT_SCHEMA}; one node)`;
  return `Data: ${cfg.db} (SQLite, synchronous=${cfg.synchronous ?? 'FULL'})`;
}

export interface RunningServer {
  server: Server;
  engine: Engine;
  store: Store;
  port: number;
  /** Stops serving, stops the engine's timers, and closes the store (pending writes are flushed). */
  close(): Promise<void>;
}

export async function startServer(cfg: ServeConfig, log: (s: string) => void = (s) => console.log(s)): Promise<RunningServer> {
  // A bad mock file stops the start-up, with the file, the path inside it and what is wrong.
  const mocks = cfg.mockConfig !== undefined ? loadMockConfig(cfg.mockConfig) : undefined;
  const store = await openStore(cfg);
  const engine = new Engine({
    store,
    clock: systemClock,
    region: cfg.region,
    accountId: cfg.accountId,
    waitTimeScale: cfg.waitTimeScale,
    tasks: { functions: cfg.functionsDir ? functionsFromDirectory(cfg.functionsDir) : undefined, lambdaEndpoint: cfg.lambdaEndpoint, local: cfg.localConfig },
    // Nested workflows: a Task starts executions through the API's own StartExecution (its checks and errors).
    launcher: executionLauncher(() => ctx),
    limits: cfg.limits,
    mocks,
  });
  const ctx = createApiContext({ store, engine, clock: systemClock, region: cfg.region, accountId: cfg.accountId });
  await engine.init();
  const log2 = (l: string) => console.error(l);
  const auth = cfg.credentials?.length ? new RequestAuthenticator(cfg.credentials) : undefined;
  // With authentication on, the console is behind a login (a session stands for a signature).
  const sessions = cfg.credentials?.length ? new ConsoleSessions(cfg.credentials) : undefined;
  const console_ = consoleHandler(ctx, { consoleDir: cfg.consoleDir, stream: cfg.consoleStream, log: log2 });
  const fallback = sessions ? consoleBehindLogin(console_, sessions) : console_;
  const server = createApiServer(ctx, { log: log2, fallback, timeouts: cfg.httpTimeouts, ...(auth && sessions ? { auth, sessions } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  log(`Stepwise is serving the AWS Step Functions API on http://${cfg.host}:${port} (region ${cfg.region}, account ${cfg.accountId})`);
  log(`Web console: http://${cfg.host}:${port}/`);
  if (auth) log(`Requests must be signed (SigV4) with one of ${auth.size} credential${auth.size === 1 ? '' : 's'}; the console asks for one of them to sign in`);
  log(dataLine(cfg));
  if (cfg.functionsDir) log(`Local Lambda functions: ${cfg.functionsDir}`);
  if (cfg.lambdaEndpoint) log(`Lambda Invoke API: ${cfg.lambdaEndpoint}`);
  if (cfg.localConfig?.file) log(`Config: ${cfg.localConfig.file} (${cfg.localConfig.connections.size} connections, ${cfg.localConfig.ecsTaskDefinitions.size} ECS task definitions, ${cfg.localConfig.batchJobDefinitions.size} Batch job definitions)`);
  if (mocks) log(`Mocked service integrations: ${mocks.source} (test cases: ${[...mocks.stateMachines].map(([sm, cases]) => [...cases.keys()].map((c) => `${sm}#${c}`).join(', ')).filter(Boolean).join(', ') || 'none'})`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await engine.close();
      await store.close();
    })());
  return { server, engine, store, port, close };
}
