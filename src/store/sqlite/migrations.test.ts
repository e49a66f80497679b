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
const ALL = MIGRATIONS.map((m) => m.version);
const LATEST = MIGRATIONS.length;
const NEXT = LATEST + 1;

test('a new database gets every migration once, recorded, and user_version', async () => {
  const path = file();
  await (await openSqliteStore(path)).close();
  const db = new Database(path);
  assert.deepEqual(versions(db), ALL);
  assert.equal(db.pragma('user_version', { simple: true }), LATEST);
  assert.deepEqual(migrate(db), { from: LATEST, to: LATEST, applied: [] });
  db.close();
});

test('a later migration applies once to a database at the previous version', () => {
  const db = new Database(file());
  migrate(db);
  const v2: Migration = { version: NEXT, name: 'executions.label', up: (d) => d.exec("ALTER TABLE executions ADD COLUMN label TEXT; UPDATE executions SET label = record ->> '$.label'") };
  assert.deepEqual(migrate(db, [...MIGRATIONS, v2]), { from: LATEST, to: NEXT, applied: [NEXT] });
  assert.deepEqual(migrate(db, [...MIGRATIONS, v2]), { from: NEXT, to: NEXT, applied: [] });
  assert.deepEqual(versions(db), [...ALL, NEXT]);
  assert.equal(db.pragma('user_version', { simple: true }), NEXT);
  assert.ok((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('executions') as string[]).includes('label'));
  db.close();
});

test('a failing migration leaves nothing behind and is not recorded', () => {
  const db = new Database(file());
  migrate(db);
  const bad: Migration = {
    version: NEXT,
    name: 'half done',
    up: (d) => {
      d.exec('CREATE TABLE extra (x)');
      throw new Error('boom');
    },
  };
  assert.throws(() => migrate(db, [...MIGRATIONS, bad]), /boom/);
  assert.deepEqual(versions(db), ALL);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get(), 0);
  db.close();
});

test('a database from a newer Stepwise is refused; migrations must be numbered 1..n', async () => {
  const path = file();
  const db = new Database(path);
  migrate(db, [...MIGRATIONS, { version: NEXT, name: 'future', up: () => {} }]);
  db.close();
  await assert.rejects(openSqliteStore(path), new RegExp(`version ${NEXT}, newer than this Stepwise knows \\(${LATEST}\\)`));
  assert.throws(() => migrate(new Database(':memory:'), [{ version: 2, name: 'x', up: () => {} }]), /numbered 2, expected 1/);
});

test('migration 2 keeps what a version-1 database holds: histories by step, definitions kept once', async () => {
  const path = file();
  const db = new Database(path);
  migrate(db, MIGRATIONS.slice(0, 1));
  const definition = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}';
  const insert = db.prepare(
    `INSERT INTO executions (arn, state_machine_arn, name, type, status, start_date, stop_date, redrive_count, version_arn, alias_arn, record, state)
     VALUES (?, 'arn:sm', ?, 'STANDARD', 'RUNNING', 1, NULL, 0, NULL, NULL, ?, '{}')`,
  );
  const event = db.prepare('INSERT INTO history (execution_arn, id, event) VALUES (?, ?, ?)');
  for (const name of ['a', 'b']) {
    const arn = `arn:exec:${name}`;
    insert.run(arn, name, JSON.stringify({ executionArn: arn, stateMachineArn: 'arn:sm', name, type: 'STANDARD', status: 'RUNNING', startDate: 1, input: '{}', definition, roleArn: 'r', redriveCount: 0 }));
    for (let id = 1; id <= 3; id++) event.run(arn, id, JSON.stringify({ id, previousEventId: id - 1, timestamp: id, type: `E${id}` }));
  }
  db.close();

  const store = await openSqliteStore(path);
  const rec = await store.getExecution('arn:exec:a');
  assert.equal(rec?.definition, definition);
  assert.deepEqual((await store.getHistory('arn:exec:b', { limit: 10 })).map((e) => e.type), ['E1', 'E2', 'E3']);
  assert.deepEqual((await store.getHistory('arn:exec:b', { limit: 2, reverse: true })).map((e) => e.id), [3, 2]);
  // Events already recorded are refused; new ones continue the history.
  const state = (await store.getExecutionState('arn:exec:a'))!;
  await assert.rejects(store.commitStep({ executionArn: 'arn:exec:a', state, events: [{ id: 3, previousEventId: 2, timestamp: 9, type: 'Again' }], record: {} }));
  await store.commitStep({ executionArn: 'arn:exec:a', state, events: [{ id: 4, previousEventId: 3, timestamp: 9, type: 'E4' }], record: {} });
  assert.deepEqual((await store.getHistory('arn:exec:a', { afterId: 2, limit: 10 })).map((e) => e.type), ['E3', 'E4']);
  await store.close();
  const raw = new Database(path);
  assert.equal(raw.prepare('SELECT count(*) FROM definitions').pluck().get(), 1, 'one definition for both executions');
  assert.equal(raw.prepare("SELECT count(*) FROM executions WHERE record ->> '$.definition' IS NOT NULL").pluck().get(), 0);
  raw.close();
});
