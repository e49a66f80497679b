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
  /** WAL length (pages) past which the log is started over (default 16,384 pages, 64 MiB). */
  restartFrames: number;
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
  // PASSIVE checkpoints never block the writer, but under a steady stream of commits they never catch up
  // with its last frame either, and SQLite starts the log over only when they do: so once the log is
  // long, a RESTART checkpoint (which holds the writer back for the few frames not yet copied) starts it
  // over, keeping the WAL file to about restartFrames pages.
  const checkpoint = () => {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      if (r && r.log >= opts.restartFrames) db.pragma('wal_checkpoint(RESTART)');
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
