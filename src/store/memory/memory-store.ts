/**
 * The in-memory store: the reference adapter, and the default for throwaway servers and the library.
 * It keeps copies (taken when called) and hands out copies, as a store that serializes would.
 * @module
 */
import type { ExecState } from '../../interpreter/exec-state.js';
import type { HistoryEvent } from '../../interpreter/history.js';
import type {
  TaskRow,
  TimerKind,
  TimerRow,
  ActivityRecord,
  AliasRecord,
  ExecutionQuery,
  ExecutionRecord,
  ExecutionStatus,
  HistoryQuery,
  MapRunRecord,
  StateMachineRecord,
  StepCommit,
  StepWork,
  Store,
} from '../store.js';
import { matchesExecutionQuery } from '../store.js';

interface ExecutionEntry {
  rec: ExecutionRecord;
  state: ExecState;
  /** Ascending ids. */
  events: HistoryEvent[];
  /** Creation order (ties of startDate). */
  seqNo: number;
}

export class MemoryStore implements Store {
  #machines = new Map<string, StateMachineRecord>();
  #aliases = new Map<string, AliasRecord>();
  #activities = new Map<string, ActivityRecord>();
  #tags = new Map<string, Record<string, string>>();
  #executions = new Map<string, ExecutionEntry>();
  #timers = new Map<string, TimerRow>();
  #tasks = new Map<string, TaskRow>();
  #tokens = new Map<string, string>();
  #bySm = new Map<string, ExecutionEntry[]>();
  #seqNo = 0;
  /** Map Runs by ARN, in creation order. */
  #mapRuns = new Map<string, MapRunRecord>();

  async putStateMachine(rec: StateMachineRecord): Promise<void> {
    this.#machines.set(rec.stateMachineArn, structuredClone(rec));
  }
  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    const r = this.#machines.get(arn);
    return r && structuredClone(r);
  }
  async listStateMachines(): Promise<StateMachineRecord[]> {
    return [...this.#machines.values()].filter((m) => !m.versionOf).map((m) => structuredClone(m));
  }
  async listVersions(stateMachineArn: string): Promise<StateMachineRecord[]> {
    return [...this.#machines.values()]
      .filter((m) => m.versionOf === stateMachineArn)
      .sort((a, b) => (a.versionNumber ?? 0) - (b.versionNumber ?? 0))
      .map((m) => structuredClone(m));
  }
  async deleteStateMachine(arn: string): Promise<void> {
    this.#machines.delete(arn);
    this.#tags.delete(arn);
  }

  async putAlias(rec: AliasRecord): Promise<void> {
    this.#aliases.set(rec.stateMachineAliasArn, structuredClone(rec));
  }
  async getAlias(arn: string): Promise<AliasRecord | undefined> {
    const r = this.#aliases.get(arn);
    return r && structuredClone(r);
  }
  async listAliases(stateMachineArn: string): Promise<AliasRecord[]> {
    return [...this.#aliases.values()].filter((a) => a.stateMachineArn === stateMachineArn).map((a) => structuredClone(a));
  }
  async deleteAlias(arn: string): Promise<void> {
    this.#aliases.delete(arn);
  }

  async putActivity(rec: ActivityRecord): Promise<void> {
    this.#activities.set(rec.activityArn, { ...rec });
  }
  async getActivity(arn: string): Promise<ActivityRecord | undefined> {
    const r = this.#activities.get(arn);
    return r && { ...r };
  }
  async listActivities(): Promise<ActivityRecord[]> {
    return [...this.#activities.values()].map((a) => ({ ...a }));
  }
  async deleteActivity(arn: string): Promise<void> {
    this.#activities.delete(arn);
    this.#tags.delete(arn);
  }

  async getTags(resourceArn: string): Promise<Record<string, string>> {
    return { ...(this.#tags.get(resourceArn) ?? {}) };
  }
  async setTags(resourceArn: string, tags: Record<string, string>): Promise<void> {
    this.#tags.set(resourceArn, { ...tags });
  }

  async createExecution(rec: ExecutionRecord, first: { state: ExecState; events: HistoryEvent[] } & StepWork): Promise<boolean> {
    if (this.#executions.has(rec.executionArn)) return false;
    const e: ExecutionEntry = { rec: structuredClone(rec), state: structuredClone(first.state), events: [], seqNo: this.#seqNo };
    insertEvents(e.events, checkedEvents(e, first.events));
    this.#seqNo++;
    this.#executions.set(rec.executionArn, e);
    let list = this.#bySm.get(rec.stateMachineArn);
    if (!list) this.#bySm.set(rec.stateMachineArn, (list = []));
    list.push(e);
    this.#applyWork(rec.executionArn, first);
    this.#putMapRuns(rec.executionArn, first);
    if (rec.status !== 'RUNNING') this.#dropWork(rec.executionArn);
    return true;
  }
  async getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    const e = this.#executions.get(arn);
    return e && structuredClone(e.rec);
  }
  async getExecutionState(arn: string): Promise<ExecState | undefined> {
    const s = this.#executions.get(arn)?.state;
    return s && structuredClone(s);
  }
  async listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    const list = q.stateMachineArn !== undefined ? (this.#bySm.get(q.stateMachineArn) ?? []) : [...this.#executions.values()];
    const sorted = [...list].sort((a, b) => b.rec.startDate - a.rec.startDate || b.seqNo - a.seqNo);
    const out: ExecutionRecord[] = [];
    let skip = q.offset ?? 0;
    if (q.limit !== undefined && q.limit <= 0) return out;
    for (const { rec: r } of sorted) {
      if (!matchesExecutionQuery(r, q)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(structuredClone(r));
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out;
  }

  async countExecutions(stateMachineArn: string): Promise<Partial<Record<ExecutionStatus, number>>> {
    const out: Partial<Record<ExecutionStatus, number>> = {};
    for (const { rec } of this.#bySm.get(stateMachineArn) ?? []) out[rec.status] = (out[rec.status] ?? 0) + 1;
    return out;
  }

  async commitStep(c: StepCommit): Promise<void> {
    const e = this.#executions.get(c.executionArn);
    if (!e) return;
    // All that can fail comes before the first change (all or nothing).
    const state = structuredClone(c.state);
    const events = checkedEvents(e, c.events);
    const record = structuredClone(c.record);
    e.state = state;
    insertEvents(e.events, events);
    for (const [k, v] of Object.entries(record)) {
      if (v === undefined) delete (e.rec as unknown as Record<string, unknown>)[k];
      else (e.rec as unknown as Record<string, unknown>)[k] = v;
    }
    this.#applyWork(c.executionArn, c);
    this.#putMapRuns(c.executionArn, c);
    if (e.rec.status !== 'RUNNING') this.#dropWork(c.executionArn);
  }

  #putMapRuns(arn: string, c: StepWork): void {
    for (const m of c.mapRuns ?? []) this.#mapRuns.set(m.mapRunArn, { ...structuredClone(m), executionArn: arn });
  }

  async getMapRun(mapRunArn: string): Promise<MapRunRecord | undefined> {
    const m = this.#mapRuns.get(mapRunArn);
    return m && structuredClone(m);
  }

  async listMapRuns(executionArn: string): Promise<MapRunRecord[]> {
    const list = [...this.#mapRuns.values()].filter((m) => m.executionArn === executionArn);
    // Newest first: by start date, then the later created first.
    return list
      .map((m, i) => ({ m, i }))
      .sort((a, b) => b.m.startDate - a.m.startDate || b.i - a.i)
      .map(({ m }) => structuredClone(m));
  }

  #applyWork(arn: string, c: StepWork): void {
    for (const r of c.timersRemove ?? []) {
      if (r.kind) this.#timers.delete(timerKey(arn, r.seq, r.kind));
      else for (const k of TIMER_KINDS) this.#timers.delete(timerKey(arn, r.seq, k));
    }
    for (const t of c.timersAdd ?? []) this.#timers.set(timerKey(arn, t.seq, t.kind), { executionArn: arn, seq: t.seq, kind: t.kind, dueAt: t.dueAt });
    for (const seq of c.tasksRemove ?? []) this.#deleteTask(taskKey(arn, seq));
    for (const t of c.tasksAdd ?? []) {
      const key = taskKey(arn, t.seq);
      this.#deleteTask(key);
      this.#tasks.set(key, { ...structuredClone(t), executionArn: arn });
      if (t.token) this.#tokens.set(t.token, key);
    }
    for (const st of c.tasksStarted ?? []) {
      const t = this.#tasks.get(taskKey(arn, st.seq));
      if (t) {
        t.status = 'started';
        if (st.workerName !== undefined) t.workerName = st.workerName;
      }
    }
  }

  #deleteTask(key: string): void {
    const t = this.#tasks.get(key);
    if (t?.token && this.#tokens.get(t.token) === key) this.#tokens.delete(t.token);
    this.#tasks.delete(key);
  }

  /** A closed execution keeps no timers or tasks. */
  #dropWork(arn: string): void {
    for (const [k, t] of this.#timers) if (t.executionArn === arn) this.#timers.delete(k);
    for (const [k, t] of this.#tasks) if (t.executionArn === arn) this.#deleteTask(k);
  }

  async runningExecutionArns(): Promise<string[]> {
    const out: string[] = [];
    for (const [arn, e] of this.#executions) if (e.rec.status === 'RUNNING' && e.rec.type === 'STANDARD') out.push(arn);
    return out;
  }

  async claimDueTimers(until: number, limit: number, leaseUntil: number): Promise<TimerRow[]> {
    const due = [...this.#timers.values()].filter((t) => t.dueAt <= until);
    due.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
    const out = due.slice(0, limit).map((t) => ({ ...t }));
    for (const t of out) this.#timers.get(timerKey(t.executionArn, t.seq, t.kind))!.dueAt = leaseUntil;
    return out;
  }

  async nextTimerDue(): Promise<number | undefined> {
    let min: number | undefined;
    for (const t of this.#timers.values()) if (min === undefined || t.dueAt < min) min = t.dueAt;
    return min;
  }

  async rescheduleTimer(executionArn: string, seq: number, kind: TimerKind, dueAt: number): Promise<void> {
    const t = this.#timers.get(timerKey(executionArn, seq, kind));
    if (t) t.dueAt = dueAt;
  }

  async openTasks(executionArn: string): Promise<TaskRow[]> {
    const out: TaskRow[] = [];
    for (const t of this.#tasks.values()) if (t.executionArn === executionArn) out.push(structuredClone(t));
    return out.sort((a, b) => a.seq - b.seq);
  }

  async invocableTasks(): Promise<TaskRow[]> {
    const out: TaskRow[] = [];
    for (const t of this.#tasks.values()) {
      if (t.activityArn !== undefined) continue;
      if (this.#executions.get(t.executionArn)?.rec.status === 'RUNNING') out.push(structuredClone(t));
    }
    return out;
  }

  async tokenTasks(limit: number): Promise<TaskRow[]> {
    const out: TaskRow[] = [];
    for (const t of this.#tasks.values()) {
      if (t.token !== undefined && this.#executions.get(t.executionArn)?.rec.status === 'RUNNING') out.push(t);
    }
    out.sort((x, y) => x.createdAt - y.createdAt || (x.executionArn < y.executionArn ? -1 : x.executionArn > y.executionArn ? 1 : 0) || x.seq - y.seq);
    return out.slice(0, limit).map((t) => structuredClone(t));
  }

  async claimActivityTask(activityArn: string, workerName: string | undefined): Promise<TaskRow | undefined> {
    let oldest: TaskRow | undefined;
    for (const t of this.#tasks.values()) {
      if (t.activityArn !== activityArn || t.status !== 'scheduled') continue;
      if (!oldest || t.createdAt < oldest.createdAt) oldest = t;
    }
    if (!oldest) return undefined;
    oldest.status = 'started';
    if (workerName !== undefined) oldest.workerName = workerName;
    return structuredClone(oldest);
  }

  async taskByToken(token: string): Promise<TaskRow | undefined> {
    const key = this.#tokens.get(token);
    const t = key ? this.#tasks.get(key) : undefined;
    return t && structuredClone(t);
  }

  async purgeClosedExecutions(before: number): Promise<number> {
    let n = 0;
    for (const [arn, e] of this.#executions) {
      if (e.rec.status === 'RUNNING' || e.rec.stopDate === undefined || e.rec.stopDate >= before) continue;
      this.#executions.delete(arn);
      for (const [k, m] of this.#mapRuns) if (m.executionArn === arn) this.#mapRuns.delete(k);
      const list = this.#bySm.get(e.rec.stateMachineArn);
      if (list) list.splice(list.indexOf(e), 1);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {}

  async getHistory(executionArn: string, q: HistoryQuery): Promise<HistoryEvent[]> {
    const events = this.#executions.get(executionArn)?.events ?? [];
    const out: HistoryEvent[] = [];
    if (q.reverse) {
      const end = q.beforeId === undefined ? events.length : firstAtLeast(events, q.beforeId);
      for (let i = end - 1; i >= 0 && out.length < q.limit; i--) out.push(structuredClone(events[i]!));
    } else {
      const start = q.afterId === undefined ? 0 : firstAtLeast(events, q.afterId + 1);
      for (let i = start; i < events.length && out.length < q.limit; i++) out.push(structuredClone(events[i]!));
    }
    return out;
  }
}

/** Index of the first event with an id >= `id` (events in ascending id order). */
function firstAtLeast(events: HistoryEvent[], id: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Copies of the events; throws (before anything changes) on an id recorded already or repeated. */
function checkedEvents(e: ExecutionEntry, events: HistoryEvent[]): HistoryEvent[] {
  const seen = new Set<number>();
  for (const ev of events) {
    if (seen.has(ev.id) || e.events[firstAtLeast(e.events, ev.id)]?.id === ev.id) {
      throw new Error(`History event ${ev.id} of ${e.rec.executionArn} is recorded already`);
    }
    seen.add(ev.id);
  }
  return structuredClone(events);
}

/** Adds events keeping ids ascending (appends, in practice). */
function insertEvents(to: HistoryEvent[], events: HistoryEvent[]): void {
  for (const ev of events) {
    if (!to.length || to[to.length - 1]!.id < ev.id) to.push(ev);
    else to.splice(firstAtLeast(to, ev.id), 0, ev);
  }
}

const TIMER_KINDS: readonly TimerKind[] = ['wait', 'retry', 'executionTimeout', 'taskTimeout', 'heartbeat'];
const timerKey = (arn: string, seq: number, kind: TimerKind) => `${arn}#${seq}#${kind}`;
const taskKey = (arn: string, seq: number) => `${arn}#${seq}`;
