/**
 * The in-memory store: the reference adapter, and the default for throwaway servers and the library.
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
  HistoryQuery,
  StateMachineRecord,
  StepCommit,
  Store,
} from '../store.js';

interface ExecutionEntry {
  rec: ExecutionRecord;
  state: ExecState;
  events: HistoryEvent[];
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

  async putStateMachine(rec: StateMachineRecord): Promise<void> {
    this.#machines.set(rec.stateMachineArn, { ...rec });
  }
  async getStateMachine(arn: string): Promise<StateMachineRecord | undefined> {
    const r = this.#machines.get(arn);
    return r && { ...r };
  }
  async listStateMachines(): Promise<StateMachineRecord[]> {
    return [...this.#machines.values()].filter((m) => !m.versionOf).map((m) => ({ ...m }));
  }
  async listVersions(stateMachineArn: string): Promise<StateMachineRecord[]> {
    return [...this.#machines.values()]
      .filter((m) => m.versionOf === stateMachineArn)
      .sort((a, b) => (a.versionNumber ?? 0) - (b.versionNumber ?? 0))
      .map((m) => ({ ...m }));
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

  async createExecution(rec: ExecutionRecord, state: ExecState, events: HistoryEvent[]): Promise<boolean> {
    if (this.#executions.has(rec.executionArn)) return false;
    const e: ExecutionEntry = { rec: { ...rec }, state, events: [...events] };
    this.#executions.set(rec.executionArn, e);
    let list = this.#bySm.get(rec.stateMachineArn);
    if (!list) this.#bySm.set(rec.stateMachineArn, (list = []));
    list.push(e);
    return true;
  }
  async getExecution(arn: string): Promise<ExecutionRecord | undefined> {
    const e = this.#executions.get(arn);
    return e && { ...e.rec };
  }
  async getExecutionState(arn: string): Promise<ExecState | undefined> {
    return this.#executions.get(arn)?.state;
  }
  async listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    const list = this.#bySm.get(q.stateMachineArn) ?? [];
    const out: ExecutionRecord[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i]!.rec;
      if (q.status && r.status !== q.status) continue;
      if (q.redriven !== undefined && r.redriveCount > 0 !== q.redriven) continue;
      out.push({ ...r });
    }
    return out;
  }
  async commitStep(c: StepCommit): Promise<void> {
    const e = this.#executions.get(c.executionArn);
    if (!e) return;
    e.state = c.state;
    for (const ev of c.events) e.events.push(ev);
    Object.assign(e.rec, c.record);
    const arn = c.executionArn;
    for (const r of c.timersRemove ?? []) {
      if (r.kind) this.#timers.delete(timerKey(arn, r.seq, r.kind));
      else for (const k of TIMER_KINDS) this.#timers.delete(timerKey(arn, r.seq, k));
    }
    for (const t of c.timersAdd ?? []) this.#timers.set(timerKey(arn, t.seq, t.kind), { ...t });
    for (const seq of c.tasksRemove ?? []) {
      const key = taskKey(arn, seq);
      const t = this.#tasks.get(key);
      if (t?.token) this.#tokens.delete(t.token);
      this.#tasks.delete(key);
    }
    for (const t of c.tasksAdd ?? []) {
      const key = taskKey(arn, t.seq);
      this.#tasks.set(key, structuredClone(t));
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
  async runningExecutionArns(): Promise<string[]> {
    const out: string[] = [];
    for (const [arn, e] of this.#executions) if (e.rec.status === 'RUNNING' && e.rec.type === 'STANDARD') out.push(arn);
    return out;
  }

  async dueTimers(until: number, limit: number): Promise<TimerRow[]> {
    const due = [...this.#timers.values()].filter((t) => t.dueAt <= until);
    due.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
    return due.slice(0, limit).map((t) => ({ ...t }));
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
      const list = this.#bySm.get(e.rec.stateMachineArn);
      if (list) list.splice(list.indexOf(e), 1);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {}

  async getHistory(executionArn: string, q: HistoryQuery): Promise<HistoryEvent[]> {
    const events = this.#executions.get(executionArn)?.events ?? [];
    if (q.reverse) {
      const out: HistoryEvent[] = [];
      for (let i = events.length - 1; i >= 0 && out.length < q.limit; i--) {
        const ev = events[i]!;
        if (q.beforeId !== undefined && ev.id >= q.beforeId) continue;
        out.push(ev);
      }
      return out;
    }
    const start = q.afterId ?? 0;
    // Event ids are 1..n in order: index = id - 1.
    return events.slice(start, start + q.limit);
  }
}

const TIMER_KINDS: readonly TimerKind[] = ['wait', 'retry', 'executionTimeout', 'taskTimeout', 'heartbeat'];
const timerKey = (arn: string, seq: number, kind: TimerKind) => `${arn}#${seq}#${kind}`;
const taskKey = (arn: string, seq: number) => `${arn}#${seq}`;
