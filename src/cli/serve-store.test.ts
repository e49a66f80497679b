/** Which store `stepwise serve` opens: --db, STEPWISE_DB, DATABASE_URL, and the settings of each kind. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from './args.js';
import { SERVE_OPTIONS, serveConfig } from './serve.js';

const cfg = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const c = serveConfig(parseArgs(argv, SERVE_OPTIONS, 'serve'), env);
  return { db: c.db, synchronous: c.synchronous, pgSchema: c.pgSchema };
};
const PG = 'postgres://postgres@127.0.0.1:5432/test';

test('the SQLite file by default; --db wins over STEPWISE_DB, which wins over DATABASE_URL', () => {
  assert.deepEqual(cfg([]), { db: './.stepwise/stepwise.db', synchronous: undefined, pgSchema: undefined });
  assert.deepEqual(cfg([], { DATABASE_URL: PG }), { db: PG, synchronous: undefined, pgSchema: 'stepwise' });
  assert.deepEqual(cfg([], { DATABASE_URL: PG, STEPWISE_DB: 'x.db' }).db, 'x.db');
  assert.deepEqual(cfg(['--db', ':memory:'], { DATABASE_URL: PG }).db, ':memory:');
  assert.deepEqual(cfg(['--db', 'postgresql://u@h/d', '--pg-schema', 'mine']), { db: 'postgresql://u@h/d', synchronous: undefined, pgSchema: 'mine' });
  assert.deepEqual(cfg(['--db', PG], { STEPWISE_PG_SCHEMA: 'env_schema' }).pgSchema, 'env_schema');
});

test("settings of the other kind of store are refused, not ignored; DATABASE_URL must be PostgreSQL's", () => {
  assert.throws(() => cfg(['--db', PG, '--synchronous', 'NORMAL']), /--synchronous \(STEPWISE_SYNCHRONOUS\) is a SQLite setting/);
  assert.throws(() => cfg(['--pg-schema', 'x']), /--pg-schema \(STEPWISE_PG_SCHEMA\) needs a PostgreSQL database/);
  assert.throws(() => cfg([], { DATABASE_URL: 'mysql://root:pw@db/x' }), (e: Error) => /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/.test(e.message) && !e.message.includes('pw'));
});
