/**
 * SHA-256, or HMAC-SHA-256 with a secret, on node:crypto, in the shape `@smithy/signature-v4` takes for
 * its `sha256` (a constructor of hashes with update / digest / reset).
 * @module
 */
import { createHash, createHmac } from 'node:crypto';

/** SHA-256 (HMAC-SHA-256 with a secret) for the signer, on node:crypto. */
export class Sha256 {
  #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: string | Uint8Array) {
    this.#h = this.#fresh();
  }
  #fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | Uint8Array): void {
    this.#h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()));
  }
  reset(): void {
    this.#h = this.#fresh();
  }
}
