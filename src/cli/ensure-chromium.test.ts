/**
 * `npm test`'s pretest (scripts/ensure-chromium.mjs): what it decides on a machine without Chromium, and
 * the script itself run where nothing needs installing or nothing can be.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../../scripts/ensure-chromium.mjs', import.meta.url));
type Decision = { k: 'ok' } | { k: 'install'; commands: string[][] } | { k: 'stop'; message: string };
const { decide } = (await import(SCRIPT)) as { decide: (f: { chromium: string; custom: boolean; exists: boolean; root: boolean; aptGet: boolean }) => Decision };

const missing = { chromium: '/usr/bin/chromium', custom: false, exists: false, root: true, aptGet: true };

function script(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
    });
  });
}

describe('ensure-chromium', () => {
  test('npm test runs it first', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.pretest, 'node scripts/ensure-chromium.mjs');
  });

  test('nothing to do when Chromium is there', () => {
    assert.deepEqual(decide({ ...missing, exists: true }), { k: 'ok' });
    assert.deepEqual(decide({ ...missing, exists: true, root: false, aptGet: false }), { k: 'ok' });
  });

  test('missing, as root with apt-get: apt-get update, then apt-get install -y chromium', () => {
    assert.deepEqual(decide(missing), {
      k: 'install',
      commands: [
        ['/usr/bin/apt-get', 'update'],
        ['/usr/bin/apt-get', 'install', '-y', 'chromium'],
      ],
    });
  });

  test('missing, and it cannot install: it stops, naming the one command to run', () => {
    const notRoot = decide({ ...missing, root: false });
    assert.equal(notRoot.k, 'stop');
    assert.match((notRoot as { message: string }).message, /sudo apt-get update && sudo apt-get install -y chromium/);
    const noApt = decide({ ...missing, aptGet: false });
    assert.equal(noApt.k, 'stop');
    assert.match((noApt as { message: string }).message, /STEPWISE_CHROMIUM=\/path\/to\/chromium npm test/);
    // A Chromium of one's own that is not there is not replaced by Debian's.
    const custom = decide({ ...missing, chromium: '/opt/chrome', custom: true });
    assert.equal(custom.k, 'stop');
    assert.match((custom as { message: string }).message, /STEPWISE_CHROMIUM is \/opt\/chrome, which does not exist/);
  });

  test('the script: exit 0 when the browser is there, exit 1 with the reason when it is not', async () => {
    const ok = await script({ STEPWISE_CHROMIUM: process.execPath });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    const bad = await script({ STEPWISE_CHROMIUM: '/nonexistent/chromium' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /ensure-chromium: STEPWISE_CHROMIUM is \/nonexistent\/chromium, which does not exist/);
  });
});
