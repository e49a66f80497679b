/**
 * A real Stepwise server in a child process (`stepwise serve`), for tests that must see it die or
 * freeze without taking the test process with it.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'stepwise.js');

export interface ChildServer {
  endpoint: string;
  proc: ChildProcess;
  /** Set once the process has exited (code or signal). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** What the server wrote to stderr (its log), last 64 KiB. */
  stderr(): string;
  close(): Promise<void>;
}

export async function startChildServer(env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-child-'));
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'db.sqlite')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-65536);
  });
  const server: ChildServer = {
    endpoint: '',
    proc,
    exit: undefined,
    stderr: () => err,
    close: async () => {
      if (!server.exit) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  proc.once('exit', (code, signal) => (server.exit = { code, signal }));
  server.endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`the server exited (${code}) before serving: ${err}`)));
  });
  return server;
}
