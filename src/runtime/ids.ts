/**
 * Identifiers the runtime makes (the only place besides the clock that reads randomness).
 * @module
 */
import { randomUUID } from 'node:crypto';

export const newUuid = (): string => randomUUID();

/** A 32-bit seed for a step's deterministic randomness. */
export const newSeed = (): number => (Math.random() * 0x100000000) >>> 0;
