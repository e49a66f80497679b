/**
 * Runs the work of a local ECS task or Batch job: a child process (command, environment, working
 * directory), or a container when the definition names an `image` and Docker or Podman is running.
 * `stop` sends SIGTERM, then SIGKILL after the definition's stop timeout (as ECS's StopTask does); a
 * container is stopped with `docker stop --time N`.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { LocalDefinition } from './local-config.js';

export type ProcessEnd =
  /** The process ran and exited: its code, or the signal that ended it. */
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stopped: boolean }
  /** It could not start (no such program, no container runtime …). */
  | { kind: 'failedToStart'; reason: string };

export interface RunSpec {
  definition: LocalDefinition;
  command: string[];
  /** The definition's environment with the overrides applied. */
  environment: Record<string, string>;
}

export interface RunningProcess {
  /** Settles once with how the work ended. */
  readonly ended: Promise<ProcessEnd>;
  /** Started (or failed to start). */
  readonly started: Promise<{ ok: true; runtimeId: string } | { ok: false; reason: string }>;
  stop(): void;
}

let runtimeCache: string | null | undefined;

/** `docker` or `podman` when one answers `info` (the daemon runs), else null. Checked once. */
export function containerRuntime(): string | null {
  if (runtimeCache !== undefined) return runtimeCache;
  runtimeCache = null;
  for (const bin of ['docker', 'podman']) {
    const r = spawnSync(bin, ['info'], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0) {
      runtimeCache = bin;
      break;
    }
  }
  return runtimeCache;
}

export function runLocal(spec: RunSpec): RunningProcess {
  const def = spec.definition;
  let child: ChildProcess;
  let containerName: string | undefined;
  let runtime: string | null = null;
  if (def.image !== undefined) {
    runtime = containerRuntime();
    if (!runtime) {
      const reason = `CannotPullContainerError: the definition '${def.key}' runs the image '${def.image}', but neither Docker nor Podman is running here ('docker info' and 'podman info' failed).`;
      return { ended: Promise.resolve({ kind: 'failedToStart', reason }), started: Promise.resolve({ ok: false, reason }), stop() {} };
    }
    containerName = `stepwise-${randomBytes(8).toString('hex')}`;
    const args = ['run', '--rm', '--name', containerName];
    for (const [k, v] of Object.entries(spec.environment)) args.push('-e', `${k}=${v}`);
    if (def.workingDirectory !== undefined) args.push('-w', def.workingDirectory);
    args.push(def.image, ...spec.command);
    child = spawn(runtime, args, { stdio: ['ignore', 2, 2] });
  } else {
    const [program, ...args] = spec.command;
    child = spawn(program!, args, { cwd: def.workingDirectory, env: { ...process.env, ...spec.environment }, stdio: ['ignore', 2, 2] });
  }
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  const started = new Promise<{ ok: true; runtimeId: string } | { ok: false; reason: string }>((resolve) => {
    child.once('spawn', () => resolve({ ok: true, runtimeId: containerName ?? String(child.pid) }));
    child.once('error', (e) => resolve({ ok: false, reason: `CannotStartContainerError: ${e.message}` }));
  });
  const ended = new Promise<ProcessEnd>((resolve) => {
    child.once('error', (e) => {
      if (child.pid === undefined) resolve({ kind: 'failedToStart', reason: `CannotStartContainerError: ${e.message}` });
    });
    child.once('exit', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      resolve({ kind: 'exited', code, signal, stopped });
    });
  });
  const stop = () => {
    if (stopped || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    stopped = true;
    if (runtime && containerName) {
      spawn(runtime, ['stop', '--time', String(Math.ceil(def.stopTimeoutSeconds)), containerName], { stdio: 'ignore' }).on('error', () => child.kill('SIGKILL'));
      return;
    }
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), def.stopTimeoutSeconds * 1000);
    killTimer.unref();
  };
  return { ended, started, stop };
}
