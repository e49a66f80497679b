/**
 * s3rver in a process of its own, for `startS3({ pagination: true })`: started by Node with
 * `--openssl-legacy-provider`, because s3rver makes ListObjectsV2 continuation tokens with DES, which Node's
 * OpenSSL 3 has only in its legacy provider (without it a truncated listing answers InternalError). Prints
 * `{"port":N}` once listening; stops when its stdin closes (the parent went away or closed it).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
const dir = mkdtempSync(join(tmpdir(), 'stepwise-s3rver-'));
const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, allowMismatchedSignatures: true });
const { port } = await s3.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = async () => {
  await s3.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
