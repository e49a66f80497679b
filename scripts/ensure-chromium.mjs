#!/usr/bin/env node
// `npm test`'s pretest: the console's browser test drives Chromium (Debian's, at /usr/bin/chromium, or
// STEPWISE_CHROMIUM). When it is missing, this installs Debian's `chromium` package if it can (root and
// apt-get), else stops with the one command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';

/**
 * What to do, from the facts: `ok` (nothing), `install` (run these commands), or `stop` (print this).
 * @param {{ chromium: string, custom: boolean, exists: boolean, root: boolean, aptGet: boolean }} f
 * @returns {{ k: 'ok' } | { k: 'install', commands: string[][] } | { k: 'stop', message: string }}
 */
export function decide(f) {
  if (f.exists) return { k: 'ok' };
  if (f.custom) return { k: 'stop', message: `STEPWISE_CHROMIUM is ${f.chromium}, which does not exist: point it at a Chromium or Chrome binary, or unset it to use Debian's ${DEFAULT_CHROMIUM}.` };
  if (!f.aptGet) return { k: 'stop', message: `The browser test needs Chromium at ${DEFAULT_CHROMIUM} (Debian's chromium package) and there is no apt-get here: install Chromium and run the tests with STEPWISE_CHROMIUM=/path/to/chromium npm test` };
  if (!f.root) return { k: 'stop', message: `The browser test needs Debian's Chromium at ${DEFAULT_CHROMIUM}. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium` };
  return { k: 'install', commands: [[APT_GET, 'update'], [APT_GET, 'install', '-y', 'chromium']] };
}

/** The facts about this machine. */
export function facts(env = process.env) {
  const custom = Boolean(env.STEPWISE_CHROMIUM);
  const chromium = env.STEPWISE_CHROMIUM || DEFAULT_CHROMIUM;
  return { chromium, custom, exists: existsSync(chromium), root: process.getuid?.() === 0, aptGet: existsSync(APT_GET) };
}

function main() {
  const f = facts();
  const d = decide(f);
  if (d.k === 'ok') return 0;
  if (d.k === 'stop') {
    console.error(`ensure-chromium: ${d.message}`);
    return 1;
  }
  console.error(`ensure-chromium: ${DEFAULT_CHROMIUM} is missing; installing Debian's chromium package (the browser test needs it).`);
  for (const cmd of d.commands) {
    console.error(`ensure-chromium: ${cmd.join(' ')}`);
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`ensure-chromium: '${cmd.join(' ')}' failed (${r.error?.message ?? `exit code ${r.status}`}). Install it yourself with:\n  apt-get update && apt-get install -y chromium`);
      return 1;
    }
  }
  if (!existsSync(DEFAULT_CHROMIUM)) {
    console.error(`ensure-chromium: the chromium package is installed but ${DEFAULT_CHROMIUM} is still missing.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();
