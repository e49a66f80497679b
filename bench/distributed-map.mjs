// Distributed Map at scale: `stepwise serve` on a SQLite file (synchronous=FULL) in its own process, a
// Distributed Map reading N JSONL items from S3 (s3rver, started here) and running a Pass child per item.
//   node bench/distributed-map.mjs [--sizes 10,100000] [--standard 10000] [--json FILE]
// For each size: time to finish, items/s, the server's RSS over the run (sampled every 500 ms), the
// largest parent state the store held (what each of the parent's commits writes), and the output checked
// (N results written to S3 by the ResultWriter, in item order).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { callSfn, startServe } from './serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const SIZES = opt('--sizes', '10,100000').split(',').map(Number);
const STANDARD = opt('--standard', '10000').split(',').filter(Boolean).map(Number);
const fmt = (x, d = 0) => (x == null || Number.isNaN(x) ? '-' : d === 0 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { startS3, TEST_CREDENTIALS } = await import(join(root, 'dist', 'e2e', 'aws-emulators.js'));
const s3 = await startS3();
const s3c = new S3Client({ region: 'us-east-1', credentials: TEST_CREDENTIALS, endpoint: s3.endpoint, forcePathStyle: true });
const BUCKET = 'bench-items';
await s3c.send(new CreateBucketCommand({ Bucket: BUCKET }));

const work = mkdtempSync(join(os.tmpdir(), 'stepwise-dmap-bench-'));
const dbPath = join(work, 'bench.db');
const { child: server, port } = await startServe(['--db', dbPath], {
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_S3: s3.endpoint,
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
});
const call = (op, params) => callSfn(port, op, params);

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const db = new Database(dbPath, { readonly: true, fileMustExist: true });
const stateSize = db.prepare('SELECT length(state) AS n FROM executions WHERE arn = ?');

async function run(n, childType) {
  const key = `items-${n}.jsonl`;
  let body = '';
  for (let i = 0; i < n; i++) body += `{"i":${i}}\n`;
  await s3c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const name = `dmap-${childType.toLowerCase()}-${n}`;
  const definition = {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        MaxConcurrency: 1000,
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: BUCKET, Key: key } },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: childType }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        // 100,000 results are far over the 256 KiB a state may return: they go to S3, as on AWS.
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: BUCKET, Prefix: `results/${name}` }, WriterConfig: { Transformation: 'COMPACT', OutputType: 'JSONL' } },
        End: true,
      },
    },
  };
  const sm = await call('CreateStateMachine', { name, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/bench' });
  const t0 = performance.now();
  const { executionArn } = await call('StartExecution', { stateMachineArn: sm.stateMachineArn, input: '{}' });
  let maxState = 0;
  const rss = [];
  let d;
  for (;;) {
    const r = rssMb(server.pid);
    if (r !== undefined) rss.push(Math.round(r));
    const row = stateSize.get(executionArn);
    if (row && row.n > maxState) maxState = row.n;
    d = await call('DescribeExecution', { executionArn });
    if (d.status !== 'RUNNING') break;
    await sleep(500);
  }
  const seconds = (performance.now() - t0) / 1000;
  let ok = d.status === 'SUCCEEDED';
  let note = d.status;
  if (ok) {
    // The results, from the files the manifest names: N outputs, in item order.
    const out = JSON.parse(d.output);
    const text = async (Key) => (await s3c.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body.transformToString();
    const manifest = JSON.parse(await text(out.ResultWriterDetails.Key));
    const values = [];
    for (const f of manifest.ResultFiles.SUCCEEDED ?? []) for (const line of (await text(f.Key)).split('\n')) if (line) values.push(JSON.parse(line));
    ok = values.length === n && values.every((x, i) => x.i === i) && !(manifest.ResultFiles.FAILED ?? []).length;
    note = ok ? 'ok (N results in S3, in item order)' : `WRONG RESULTS (${values.length})`;
  } else note += `: ${d.error} ${String(d.cause).slice(0, 120)}`;
  const events = (await call('GetExecutionHistory', { executionArn, maxResults: 1000 })).events.length;
  return { n, childType, seconds, itemsPerSec: n / seconds, rssMb: rss, maxRssMb: Math.max(...rss), maxStateBytes: maxState, events, ok, note };
}

const rows = [];
try {
  for (const n of SIZES) rows.push(await run(n, 'EXPRESS'));
  for (const n of STANDARD) rows.push(await run(n, 'STANDARD'));
} finally {
  server.kill('SIGTERM');
  db.close();
  s3c.destroy();
  await s3.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nDistributed Map over S3 JSONL items (s3rver), Pass children, MaxConcurrency 1000; server on SQLite (synchronous=FULL); node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| items | children | seconds | items/s | server RSS MB (max; samples every 500 ms) | largest parent state (bytes per commit) | parent events | result |');
console.log('|---:|---|---:|---:|---|---:|---:|---|');
for (const r of rows) {
  const samples = r.rssMb.length > 12 ? [...r.rssMb.slice(0, 6), '…', ...r.rssMb.slice(-5)] : r.rssMb;
  console.log(`| ${fmt(r.n)} | ${r.childType} | ${fmt(r.seconds, 2)} | ${fmt(r.itemsPerSec)} | ${fmt(r.maxRssMb)} (${samples.join(' ')}) | ${fmt(r.maxStateBytes)} | ${r.events} | ${r.note} |`);
}
const small = rows.find((r) => r.n === Math.min(...SIZES) && r.childType === 'EXPRESS');
const big = rows.filter((r) => r.childType === 'EXPRESS').sort((a, b) => b.n - a.n)[0];
if (small && big && small !== big) {
  console.log(`\nparent state: ${fmt(small.maxStateBytes)} bytes at ${fmt(small.n)} items, ${fmt(big.maxStateBytes)} at ${fmt(big.n)} (×${fmt(big.maxStateBytes / Math.max(1, small.maxStateBytes), 0)}); target: the same at any item count — not met while the iterations live in the parent's state`);
}
const jsonOut = opt('--json', null);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 2));
if (rows.some((r) => !r.ok)) process.exitCode = 1;
