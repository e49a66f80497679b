/**
 * Map Runs for the API: reading them from the store, and UpdateMapRun, which delivers the new limits to
 * the running execution's driver (the pure step applies them to the Map state's progress and starts
 * more iterations if the concurrency allows; the run's record is written with that step).
 * @module
 */
import type { EngineInput } from '../interpreter/inputs.js';
import type { MapRunRecord, Store } from '../store/store.js';

export interface MapRunLimits {
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
}

/** What UpdateMapRun needs of the engine. */
export interface MapRunHost {
  store: Store;
  /** Feeds an input to a running Standard execution; false when it is not running. */
  deliver(executionArn: string, input: EngineInput): Promise<boolean>;
}

export type UpdateOutcome = { k: 'updated' } | { k: 'missing' } | { k: 'completed'; status: MapRunRecord['status'] };

export class MapRuns {
  constructor(private readonly host: MapRunHost) {}

  get(mapRunArn: string): Promise<MapRunRecord | undefined> {
    return this.host.store.getMapRun(mapRunArn);
  }

  list(executionArn: string): Promise<MapRunRecord[]> {
    return this.host.store.listMapRuns(executionArn);
  }

  /** Resolves once the step that applies the new limits is recorded. */
  async update(mapRunArn: string, limits: MapRunLimits): Promise<UpdateOutcome> {
    const rec = await this.host.store.getMapRun(mapRunArn);
    if (!rec) return { k: 'missing' };
    if (rec.status !== 'RUNNING') return { k: 'completed', status: rec.status };
    const input: EngineInput = { k: 'updateMapRun', mapRunArn, ...limits };
    if (!(await this.host.deliver(rec.executionArn, input))) {
      // The execution ended meanwhile (its last step ended the run).
      const now = await this.host.store.getMapRun(mapRunArn);
      return { k: 'completed', status: now?.status ?? rec.status };
    }
    return { k: 'updated' };
  }
}
