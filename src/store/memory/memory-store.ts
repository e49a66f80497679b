/**
 * The in-memory store: the reference adapter, and the default for throwaway servers and the library.
 * @module
 */
import type { ExecState } from '../../interpreter/exec-state.js';
import type { HistoryEvent } from '../../interpreter/history.js';
import type {
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
  }
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
