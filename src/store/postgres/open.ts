/**
 * Opening a PostgreSQL store: the connection pool (its search path set to the store's schema, 64-bit
 * integers read as numbers), the schema migrations, and the single-node lock.
 * @module
 */
import pg from 'pg';
import { PostgresStore, type PostgresStoreConfig } from './adapter.js';
import { migrate, quoteIdent } from './migrations.js';

/** Where the tables go unless told otherwise. */
export const DEFAULT_SCHEMA = 'stepwise';

export interface PostgresStoreOptions extends PostgresStoreConfig {
  /** The schema the tables are in, created if absent (default `stepwise`). Letters, digits and `_`. */
  schema?: string;
  /** Connections in the pool (default 10): one writes a batch at a time, the others serve reads. */
  poolSize?: number;
  /**
   * Take the schema's single-node lock (default true): a session advisory lock held for the store's
   * lifetime, so a second Stepwise server on the same database and schema is refused at start-up
   * (several nodes on one database are not supported yet).
   */
  exclusive?: boolean;
  /** The application name the server shows in pg_stat_activity (default `stepwise`). */
  applicationName?: string;
  /**
   * Called if the connection holding the single-node lock is lost while the store is open (PostgreSQL
   * restarted, the network dropped it): another server could then take the schema. Default: a warning
   * on stderr.
   */
  onLockLost?: (error: Error | undefined) => void;
}

/** The advisory lock a running store holds (first key "Stepwise node", second the schema's hash). */
const NODE_LOCK_CLASS = 0x5374_6571;

/** Whether `db` names a PostgreSQL database (a `postgres://` or `postgresql://` URL). */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** 64-bit integers (ids, epoch ms, counts) as numbers: every value the store keeps is below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Connects to the database at `url` (`postgres://user[:password]@host[:port]/db`), migrates the schema
 * (concurrent openers migrate once) and returns the store. Fails with a clear message when the server
 * cannot be reached, or another Stepwise server holds the schema.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`schema must be letters, digits and _ (not starting with a digit), got '${schema}'`);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new Error(`poolSize must be a positive integer, got ${poolSize}`);
  const applicationName = options.applicationName ?? 'stepwise';
  const base = { connectionString: url, application_name: applicationName, types };

  // Migrations and the node lock each have a connection of their own (the lock's is kept open).
  const admin = new pg.Client(base);
  /** Whether the admin connection stays open (it holds the node lock). */
  let keepAdmin = false;
  let closing = false;
  let lost = false;
  const onLockLost =
    options.onLockLost ??
    ((e: Error | undefined) =>
      console.error(`stepwise: the connection holding the single-node lock on schema "${schema}" was lost${e ? ` (${e.message})` : ''}; another server could now use the schema`));
  const lockLost = (e?: Error) => {
    if (closing || lost || !keepAdmin) return;
    lost = true;
    onLockLost(e);
  };
  admin.on('error', (e) => lockLost(e));
  admin.on('end', () => lockLost());
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
  }
  try {
    await migrate(admin, schema);
    if (options.exclusive ?? true) {
      const got = await admin.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [NODE_LOCK_CLASS, schema]);
      if (!got.rows[0]?.ok) {
        throw new Error(
          `Another Stepwise server is using schema "${schema}" of ${redactUrl(url)}: running several nodes on one database is not supported yet ` +
            '(stop the other server, or give this one another schema)',
        );
      }
      keepAdmin = true;
    }
  } finally {
    if (!keepAdmin) await admin.end().catch(() => undefined);
  }

  const pool = new pg.Pool({ ...base, max: poolSize, allowExitOnIdle: true, options: `-c search_path=${quoteIdent(schema)}` });
  // An idle connection that the server drops is replaced on next use; the error must not crash the process.
  pool.on('error', () => undefined);
  const onClose = options.onClose;
  return new PostgresStore(pool, schema, {
    ...options,
    onClose: async () => {
      try {
        await onClose?.();
      } finally {
        closing = true;
        if (keepAdmin) await admin.end().catch(() => undefined);
      }
    },
  });
}
