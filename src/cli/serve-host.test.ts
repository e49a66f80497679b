/** Where `stepwise serve` listens: this machine only, unless told plainly that anyone may reach it. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.js';
import { isLoopback, SERVE_OPTIONS, serveConfig } from './serve.js';

const host = (argv: string[], env: NodeJS.ProcessEnv = {}) => serveConfig(parseArgs(argv, SERVE_OPTIONS, 'serve'), env).host;

test('loopback addresses are this machine; anything else is not', () => {
  for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]', 'LOCALHOST']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.example.com', '10.0.0.1']) assert.equal(isLoopback(h), false, h);
});

test('127.0.0.1 by default; another loopback address as asked', () => {
  assert.equal(host([]), '127.0.0.1');
  assert.equal(host(['--host', 'localhost']), 'localhost');
  assert.equal(host([], { HOST: '::1' }), '::1');
});

test('beyond loopback only with --insecure or STEPWISE_INSECURE=1: the server does not authenticate requests', () => {
  assert.throws(() => host(['--host', '0.0.0.0']), /Refusing to serve on 0\.0\.0\.0 without authentication.*--auth FILE.*--insecure/);
  assert.throws(() => host([], { HOST: '192.168.1.5' }), /Refusing to serve on 192\.168\.1\.5/);
  assert.equal(host(['--host', '0.0.0.0', '--insecure']), '0.0.0.0');
  assert.equal(host(['--host', '0.0.0.0'], { STEPWISE_INSECURE: '1' }), '0.0.0.0');
});

test('the command refuses to start on 0.0.0.0 and says why', () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'stepwise.js');
  const r = spawnSync(process.execPath, [bin, 'serve', '--host', '0.0.0.0', '--port', '0', '--db', ':memory:'], { encoding: 'utf8', timeout: 30000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Refusing to serve on 0\.0\.0\.0/);
});

test('with credentials configured, any host: requests are then signed', () => {
  assert.equal(host(['--host', '0.0.0.0'], { STEPWISE_ACCESS_KEY_ID: 'AKID', STEPWISE_SECRET_ACCESS_KEY: 'secret' }), '0.0.0.0');
  assert.throws(() => host([], { STEPWISE_ACCESS_KEY_ID: 'AKID' }), /go together/);
  assert.throws(() => host(['--auth', '/no/such/file.json']), /--auth \/no\/such\/file\.json/);
});
