/**
 * The Express executions a server keeps in memory: every running one (at most `maxRunning` at once: a
 * start beyond is refused), and the most recently ended ones within a bound (a count, an estimated size,
 * and five minutes since they ended). Ended executions are evicted oldest-ended first; a running one is
 * never evicted, and the newest ended one is kept whatever its size. An ended execution keeps its record
 * and history only (its driver is let go).
 * @module
 */
import type { HistoryEvent } from '../interpreter/history.js';
import { jsonByteSize, type Json } from '../shared/json.js';
import type { ExecutionRecord } from '../store/store.js';
import type { ExecutionDriver } from './driver.js';

/** How many ended Express executions are kept, and for how long. */
export interface ExpressBounds {
  /** Ended executions kept at most. */
  keep: number;
  /** Estimated size (bytes) of the ended executions kept, at most (see `expressFootprint`). */
  keepBytes: number;
  /** An ended execution is dropped this long after it ended. */
  keepMs: number;
  /** Executions running at once, at most. */
  maxRunning: number;
}

/** A start refused: `maxRunning` executions are running. */
export class ExpressAtCapacity extends Error {
  constructor(readonly running: number) {
    super(`${running} Express executions are running, the most this server runs at once`);
  }
}

/** An Express execution in memory: its record and history, and its driver while it runs. */
export interface ExpressEntry {
  rec: ExecutionRecord;
  events: readonly HistoryEvent[];
  /** Present while the execution runs. */
  driver?: ExecutionDriver;
}

interface Ended {
  entry: ExpressEntry;
  endedAt: number;
  bytes: number;
}

export class ExpressExecutions {
  readonly #running = new Map<string, ExpressEntry>();
  /** Ended executions, in the order they ended (oldest first). */
  readonly #ended = new Map<string, Ended>();
  #endedBytes = 0;

  constructor(
    readonly bounds: ExpressBounds,
    readonly now: () => number,
  ) {}

  /** Throws ExpressAtCapacity when no other execution may start now. */
  checkRoom(): void {
    if (this.#running.size >= this.bounds.maxRunning) throw new ExpressAtCapacity(this.#running.size);
  }

  /** A started execution: kept until it ends (ExpressAtCapacity when `maxRunning` are running). */
  start(arn: string, entry: ExpressEntry): void {
    this.checkRoom();
    this.#running.set(arn, entry);
  }

  /**
   * The execution ended: it joins the ended ones with its estimated size (its driver is dropped), and
   * the oldest ended ones beyond the bounds are evicted.
   */
  end(arn: string, bytes: number): void {
    const entry = this.#running.get(arn);
    if (!entry) return;
    this.#running.delete(arn);
    const now = this.now();
    this.#ended.set(arn, { entry: { rec: entry.rec, events: entry.events }, endedAt: now, bytes });
    this.#endedBytes += bytes;
    this.#sweep(now);
  }

  /** The execution, running or ended within the bounds; undefined when unknown or evicted. */
  get(arn: string): ExpressEntry | undefined {
    const running = this.#running.get(arn);
    if (running) return running;
    this.#sweep(this.now());
    return this.#ended.get(arn)?.entry;
  }

  /** The records of the executions kept: running ones, then ended ones (oldest ended first). */
  records(): ExecutionRecord[] {
    this.#sweep(this.now());
    const out: ExecutionRecord[] = [];
    for (const e of this.#running.values()) out.push(e.rec);
    for (const e of this.#ended.values()) out.push(e.entry.rec);
    return out;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  get endedCount(): number {
    this.#sweep(this.now());
    return this.#ended.size;
  }

  /** The estimated size of the ended executions kept. */
  get endedBytes(): number {
    this.#sweep(this.now());
    return this.#endedBytes;
  }

  /** Evicts, oldest ended first: those past `keepMs`, then while over the count or the size (the newest stays). */
  #sweep(now: number): void {
    const { keep, keepBytes, keepMs } = this.bounds;
    for (const [arn, e] of this.#ended) {
      const expired = now - e.endedAt >= keepMs;
      const over = this.#ended.size > keep || (this.#endedBytes > keepBytes && this.#ended.size > 1);
      if (!expired && !over) return;
      this.#ended.delete(arn);
      this.#endedBytes -= e.bytes;
    }
  }
}

/** Bytes counted for each ended execution besides its data (record, map entries, the event list). */
export const EXECUTION_OVERHEAD_BYTES = 1024;
/** Bytes counted for each history event besides its details' values. */
export const EVENT_OVERHEAD_BYTES = 160;

/**
 * The estimated size of an ended Express execution: its record's own strings, and each history event
 * with the JSON size of its details (each object counted once however many events share it), plus fixed
 * overheads. The definition is shared with the state machine and not counted.
 */
export function expressFootprint(rec: ExecutionRecord, events: readonly HistoryEvent[]): number {
  let n = EXECUTION_OVERHEAD_BYTES + rec.executionArn.length + rec.name.length + rec.input.length;
  if (rec.output !== undefined) n += rec.output.length;
  if (rec.error !== undefined) n += rec.error.length;
  if (rec.cause !== undefined) n += rec.cause.length;
  const seen = new Set<object>();
  for (const e of events) {
    n += EVENT_OVERHEAD_BYTES;
    if (!e.details) continue;
    for (const k in e.details) {
      const v = e.details[k];
      if (v === undefined) continue;
      n += k.length;
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) continue;
        seen.add(v);
      }
      n += jsonByteSize(v as Json);
    }
  }
  return n;
}
