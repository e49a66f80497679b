/**
 * The WAL checkpointer: a worker thread with its own connection that copies the write-ahead log back
 * into the database file now and then (PASSIVE: it never blocks the writer). The writer's connection
 * turns automatic checkpoints off, so a checkpoint (and its fsync of the database file) never stalls the
 * engine's thread in the middle of a commit.
 * @module
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointerOptions {
  path: string;
  /** How often to checkpoint (ms). */
  intervalMs: number;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
}

/** Starts the checkpointer for the database at `path`; `stop()` ends it (after a last checkpoint). */
export function startCheckpointer(opts: CheckpointerOptions): { stop(): Promise<void> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: opts });
  worker.unref();
  worker.on('error', () => undefined);
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      return (stopped ??= new Promise<void>((resolve) => {
        // Held until the worker has made its last checkpoint and closed its connection.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }));
    },
  };
}

if (!isMainThread && parentPort && (workerData as CheckpointerOptions | undefined)?.path) {
  const opts = workerData as CheckpointerOptions;
  const db = new Database(opts.path, { timeout: opts.busyTimeoutMs });
  db.pragma(`synchronous = ${opts.synchronous}`);
  db.pragma('wal_autocheckpoint = 0');
  const checkpoint = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or closing: the next round tries again.
    }
  };
  const timer = setInterval(checkpoint, opts.intervalMs);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort!.close();
  });
}
