#!/usr/bin/env node
// Runs the AWS-recorded conformance corpus (../shared/conformance) against `stepwise serve` and, with
// --ratchet, fails when fewer cases pass than the committed baseline (test/conformance-baseline.json).
//
//   node scripts/conformance.mjs [--ratchet] [--update-baseline] [--category NAME] [--verbose]
//
// The runner (run.mjs) is copied into .conformance/ (git-ignored) so that it resolves
// @aws-sdk/client-sfn from this project's node_modules; nothing is written to ../shared.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(process.env.STEPWISE_SHARED ?? join(root, '..', 'shared'));
const corpus = join(shared, 'conformance');
const baselineFile = join(root, 'test', 'conformance-baseline.json');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);

if (!existsSync(join(corpus, 'run.mjs'))) {
  console.error(`conformance: no corpus at ${corpus} (set STEPWISE_SHARED to the folder holding conformance/)`);
  process.exit(2);
}

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

const work = join(root, '.conformance');
mkdirSync(work, { recursive: true });
copyFileSync(join(corpus, 'run.mjs'), join(work, 'run.mjs'));
const out = join(work, 'result.json');
// The durable server, on a fresh SQLite file (synchronous=FULL, as `stepwise serve` runs by default).
const db = join(work, 'conformance.db');
for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
const port = await freePort();
const extra = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--category' || args[i] === '--skip-category' || args[i] === '--filter') extra.push(args[i], args[++i]);
  if (args[i] === '--verbose') extra.push('--verbose');
}
const runnerArgs = [
  join(work, 'run.mjs'),
  '--endpoint', `http://127.0.0.1:${port}`,
  '--start-cmd', `node ${JSON.stringify(join(root, 'bin', 'stepwise.js'))} serve --db ${JSON.stringify(db)}`,
  '--json-out', out,
  ...extra,
  join(corpus, 'cases'),
];
const code = await new Promise((res) => {
  const child = spawn(process.execPath, runnerArgs, { stdio: 'inherit', env: { ...process.env, AWS_ACCOUNT_ID: process.env.AWS_ACCOUNT_ID ?? '123456789012' } });
  child.on('exit', (c) => res(c ?? 1));
});
if (code !== 0) {
  console.error(`conformance: the runner exited with code ${code}`);
  process.exit(code);
}
const result = JSON.parse(readFileSync(out, 'utf8'));
const summary = {
  passed: result.passed,
  failed: result.failed,
  eventsOrder: result.eventsOrder,
  inspectionData: result.inspectionData,
  categories: Object.fromEntries(Object.entries(result.categories).map(([k, v]) => [k, { passed: v.passed, total: v.passed + v.failed }])),
};
if (flag('--update-baseline')) {
  writeFileSync(baselineFile, `${JSON.stringify({ passed: summary.passed, eventsOrder: summary.eventsOrder.passed, categories: summary.categories }, null, 2)}\n`);
  console.log(`conformance: baseline updated to ${summary.passed} passing cases`);
}
if (flag('--ratchet')) {
  const base = JSON.parse(readFileSync(baselineFile, 'utf8'));
  const problems = [];
  if (summary.passed < base.passed) problems.push(`${summary.passed} cases pass, below the baseline of ${base.passed}`);
  if (summary.eventsOrder.passed < (base.eventsOrder ?? 0)) problems.push(`events-order ${summary.eventsOrder.passed}, below the baseline of ${base.eventsOrder}`);
  if (problems.length) {
    console.error(`conformance ratchet FAILED: ${problems.join('; ')}`);
    process.exit(1);
  }
  console.log(`conformance ratchet OK: ${summary.passed} passing (baseline ${base.passed}), events-order ${summary.eventsOrder.passed} (baseline ${base.eventsOrder ?? 0})`);
}
