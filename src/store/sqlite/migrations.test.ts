import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate, openSqliteStore, type Migration } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `db-${++n}.db`);
const versions = (db: Database.Database) => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();

test('a new database gets every migration once, recorded, and user_version', async () => {
  const path = file();
  await (await openSqliteStore(path)).close();
  const db = new Database(path);
  assert.deepEqual(versions(db), [1]);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.deepEqual(migrate(db), { from: 1, to: 1, applied: [] });
  db.close();
});

test('a later migration applies once to a database at the previous version', () => {
  const db = new Database(file());
  migrate(db);
  const v2: Migration = { version: 2, name: 'executions.label', up: (d) => d.exec("ALTER TABLE executions ADD COLUMN label TEXT; UPDATE executions SET label = record ->> '$.label'") };
  assert.deepEqual(migrate(db, [...MIGRATIONS, v2]), { from: 1, to: 2, applied: [2] });
  assert.deepEqual(migrate(db, [...MIGRATIONS, v2]), { from: 2, to: 2, applied: [] });
  assert.deepEqual(versions(db), [1, 2]);
  assert.equal(db.pragma('user_version', { simple: true }), 2);
  assert.ok((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('executions') as string[]).includes('label'));
  db.close();
});

test('a failing migration leaves nothing behind and is not recorded', () => {
  const db = new Database(file());
  migrate(db);
  const bad: Migration = {
    version: 2,
    name: 'half done',
    up: (d) => {
      d.exec('CREATE TABLE extra (x)');
      throw new Error('boom');
    },
  };
  assert.throws(() => migrate(db, [...MIGRATIONS, bad]), /boom/);
  assert.deepEqual(versions(db), [1]);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get(), 0);
  db.close();
});

test('a database from a newer Stepwise is refused; migrations must be numbered 1..n', async () => {
  const path = file();
  const db = new Database(path);
  migrate(db, [...MIGRATIONS, { version: 2, name: 'future', up: () => {} }]);
  db.close();
  await assert.rejects(openSqliteStore(path), /version 2, newer than this Stepwise knows \(1\)/);
  assert.throws(() => migrate(new Database(':memory:'), [{ version: 2, name: 'x', up: () => {} }]), /numbered 2, expected 1/);
});
