/**
 * The package as a user gets it: `npm pack`, `npm install -g` of the tarball into a prefix of its own,
 * then the installed `stepwise` run from another folder: `serve` answers the API and serves the console
 * from the package (not from the cwd), with its SQLite file; `run` runs a definition.
 *
 * Cheap where it can be: the tarball is packed from the dist/ this suite runs (`--ignore-scripts`: no
 * second build under the feet of the other tests), npm installs from its cache (`--prefer-offline`), and
 * better-sqlite3's install script finds its native binding on a local mirror (its documented
 * `npm_config_better_sqlite3_binary_host`) made from the binding this checkout already compiled, instead
 * of compiling it again (a minute or more here). If the mirror is not used, it compiles: slower, same test.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BINDING_DIR = join(ROOT, 'node_modules', 'better-sqlite3');

function exec(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeout ?? 600_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

/** A prebuild mirror for better-sqlite3: any `.tar.gz` asked for is the binding compiled in this checkout. */
async function bindingMirror(dir: string): Promise<{ server: Server; url: string; asked: string[] } | undefined> {
  const binding = join(BINDING_DIR, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binding)) return undefined;
  const staging = join(dir, 'prebuild');
  mkdirSync(join(staging, 'build', 'Release'), { recursive: true });
  writeFileSync(join(staging, 'build', 'Release', 'better_sqlite3.node'), readFileSync(binding));
  const tarball = join(dir, 'prebuild.tar.gz');
  const tar = await exec('tar', ['-czf', tarball, '-C', staging, 'build'], { cwd: dir });
  if (tar.code !== 0) return undefined;
  const body = readFileSync(tarball);
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url?.endsWith('.tar.gz')) res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

/** Where prebuild-install keeps a download from `url` in npm's cache (removed afterwards). */
function cachedPrebuild(url: string): string {
  const cache = process.env.npm_config_cache || join(homedir(), '.npm');
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  return join(cache, '_prebuilds', `${digest}-${url.slice(url.lastIndexOf('/') + 1).replace(/[^a-zA-Z0-9.]+/g, '-')}`);
}

describe('the npm package, installed with npm install -g', { timeout: 900_000 }, () => {
  let dir: string;
  let prefix: string;
  let mirror: Awaited<ReturnType<typeof bindingMirror>>;
  let install: { code: number | null; stdout: string; stderr: string };
  let serve: ChildProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-package-'));
    prefix = join(dir, 'prefix');
    const pack = await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: ROOT });
    assert.equal(pack.code, 0, pack.stderr);
    const [{ filename }] = JSON.parse(pack.stdout) as { filename: string }[];
    mirror = await bindingMirror(dir);
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (mirror) env.npm_config_better_sqlite3_binary_host = mirror.url;
    install = await exec('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, filename!)], { cwd: dir, env });
  });

  after(async () => {
    serve?.kill('SIGKILL');
    if (mirror) {
      await new Promise((r) => mirror!.server.close(r));
      for (const u of new Set(mirror.asked)) rmSync(cachedPrebuild(mirror.url + u), { force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('installs from the tarball without the devDependencies (no build at install)', (t) => {
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    t.diagnostic(mirror?.asked.length ? `better-sqlite3's binding came from the local mirror (${mirror.asked.join(', ')})` : "better-sqlite3's binding was compiled");
    const pkg = join(prefix, 'lib', 'node_modules', 'stepwise');
    assert.ok(existsSync(join(pkg, 'dist', 'console', 'index.html')), 'dist/console is in the package');
    assert.ok(existsSync(join(pkg, 'dist', 'console', 'app.js')));
    assert.ok(!existsSync(join(pkg, 'node_modules', 'typescript')) && !existsSync(join(prefix, 'lib', 'node_modules', 'typescript')), 'typescript is not installed');
    assert.ok(!existsSync(join(pkg, 'dist', 'e2e')), 'the end-to-end tests are not shipped');
    const shipped = readdirSync(join(pkg, 'dist'), { recursive: true }).map(String);
    assert.deepEqual(shipped.filter((f) => /\.test\./.test(f)), []);
    const bin = join(prefix, 'bin', 'stepwise');
    assert.ok(statSync(bin).mode & 0o111, 'bin/stepwise is executable');
    assert.match(readFileSync(bin, 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env node$/);
  });

  test('stepwise serve from another folder: the API, the console from the package, the SQLite file', async () => {
    assert.equal(install.code, 0, install.stderr);
    const elsewhere = mkdtempSync(join(dir, 'elsewhere-'));
    const db = join(dir, 'x.db');
    const env = { ...process.env, PORT: '', STEPWISE_DB: '', STEPWISE_FUNCTIONS: '' };
    serve = spawn(join(prefix, 'bin', 'stepwise'), ['serve', '--port', '0', '--db', db], { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    serve.stderr!.on('data', (c: Buffer) => (errText += c));
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${errText}`)), 60_000);
      serve!.stdout!.on('data', (c: Buffer) => {
        out += c;
        const m = /serving the AWS Step Functions API on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      serve!.once('exit', (code) => reject(new Error(`serve exited (${code}): ${out} ${errText}`)));
    });
    const call = (target: string, body: object) =>
      fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${target}` }, body: JSON.stringify(body) });
    const created = await call('CreateStateMachine', {
      name: 'packaged',
      roleArn: 'arn:aws:iam::123456789012:role/any',
      definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const listed = (await (await call('ListStateMachines', {})).json()) as { stateMachines: { name: string }[] };
    assert.deepEqual(
      listed.stateMachines.map((m) => m.name),
      ['packaged'],
    );
    const page = await fetch(`${endpoint}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Stepwise<\/title>/);
    const app = await fetch(`${endpoint}/console/app.js`);
    assert.equal(app.status, 200);
    assert.ok((await app.text()).length > 1000);
    assert.ok(existsSync(db), 'the SQLite file is where --db says');
    assert.ok(!existsSync(join(elsewhere, '.stepwise')), 'nothing written to the cwd');
    serve.kill('SIGTERM');
    await new Promise((r) => serve!.once('exit', r));
    serve = undefined;
  });

  test('stepwise run from another folder', async () => {
    assert.equal(install.code, 0, install.stderr);
    const def = join(dir, 'hello.json');
    writeFileSync(def, JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'hello.$': '$.who' }, End: true } } }));
    const r = await exec(join(prefix, 'bin', 'stepwise'), ['run', def, '--input', '{"who":"world"}'], { cwd: tmpdir(), timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { hello: 'world' });
  });
});
