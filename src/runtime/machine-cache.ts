/**
 * Compile once, run many: the compiled model of each definition text, kept for the executions that run
 * it (at most `max` definitions; the oldest is dropped first).
 * @module
 */
import { compileMachine } from '../asl/compile.js';
import type { Machine } from '../asl/model.js';
import type { Json } from '../shared/json.js';

export class MachineCache {
  readonly #machines = new Map<string, Machine>();

  constructor(private readonly max = 1000) {}

  get(definition: string): Machine {
    let m = this.#machines.get(definition);
    if (!m) {
      m = compileMachine(JSON.parse(definition) as Json);
      if (this.#machines.size >= this.max) this.#machines.delete(this.#machines.keys().next().value as string);
      this.#machines.set(definition, m);
    }
    return m;
  }
}
