/**
 * For tests: the PostgreSQL server tests run against (STEPWISE_TEST_POSTGRES_URL, else the CI's
 * postgres://postgres@127.0.0.1:5432/test), and a schema of its own for each store a test opens, dropped
 * when the test file ends, so parallel test files and CI runs never share tables.
 *
 * PostgreSQL not running is a failure, not a skip, unless STEPWISE_SKIP_POSTGRES=1 says to skip.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';

export const POSTGRES_URL = process.env.STEPWISE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Set when the tests that need PostgreSQL are to be skipped (a reason for `test(…, { skip })`). */
export const SKIP_POSTGRES: string | false = process.env.STEPWISE_SKIP_POSTGRES === '1' ? 'STEPWISE_SKIP_POSTGRES=1' : false;

const created: string[] = [];
// Registered when the test file imports this module (at its top level): runs once the whole file is done.
// (Registered from inside a test, the hook would belong to that test.)
after(dropTestSchemas);

/** A new schema name (the store creates it); dropped after the test file. */
export function testSchema(): string {
  const name = `stepwise_test_${randomBytes(6).toString('hex')}`;
  created.push(name);
  return name;
}

async function dropTestSchemas(): Promise<void> {
  if (!created.length) return;
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    for (const s of created.splice(0)) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** Fails with a clear message when the test server cannot be reached. */
export async function assertPostgresReachable(): Promise<void> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (e) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_URL} (${(e as Error).message}). Start it (.ci/run does: ` +
        'pg_ctlcluster --skip-systemctl-redirect <version> main start), point STEPWISE_TEST_POSTGRES_URL at one, ' +
        'or set STEPWISE_SKIP_POSTGRES=1 to skip the PostgreSQL tests.',
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}
