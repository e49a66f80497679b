/**
 * Identifiers the runtime makes (the only place besides the clock that reads randomness).
 * @module
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A random (version 4) UUID for execution names and request ids. Uniqueness is what matters here, not
 * unpredictability, so Math.random is used: it costs a fraction of crypto.randomUUID per call.
 */
export function newUuid(): string {
  const a = (Math.random() * 0x100000000) >>> 0;
  const b = (Math.random() * 0x100000000) >>> 0;
  const c = (Math.random() * 0x100000000) >>> 0;
  const d = (Math.random() * 0x100000000) >>> 0;
  return (
    HEX[a & 0xff]! + HEX[(a >>> 8) & 0xff]! + HEX[(a >>> 16) & 0xff]! + HEX[a >>> 24]! + '-' +
    HEX[b & 0xff]! + HEX[(b >>> 8) & 0xff]! + '-' +
    HEX[((b >>> 16) & 0x0f) | 0x40]! + HEX[b >>> 24]! + '-' +
    HEX[(c & 0x3f) | 0x80]! + HEX[(c >>> 8) & 0xff]! + '-' +
    HEX[(c >>> 16) & 0xff]! + HEX[c >>> 24]! + HEX[d & 0xff]! + HEX[(d >>> 8) & 0xff]! + HEX[(d >>> 16) & 0xff]! + HEX[d >>> 24]!
  );
}

/** A 32-bit seed for a step's deterministic randomness. */
export const newSeed = (): number => (Math.random() * 0x100000000) >>> 0;
