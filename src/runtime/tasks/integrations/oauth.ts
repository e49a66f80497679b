/**
 * OAuth client credentials for HTTP Task connections: a token is fetched from the connection's
 * authorization endpoint (client ID and secret as HTTP Basic, `grant_type=client_credentials` unless the
 * connection's OAuth parameters give one), kept until it expires (`expires_in`), and fetched again when it
 * has expired or the API answers 401.
 * @module
 */
import type { ConnectionAuth } from './local-config.js';

type OAuth = Extract<ConnectionAuth, { kind: 'OAUTH_CLIENT_CREDENTIALS' }>;

/** A token is renewed this long before it expires. */
const EARLY_MS = 5_000;

export class OAuthTokens {
  readonly #cache = new Map<string, { token: string; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<string>>();

  async token(key: string, a: OAuth, refresh: boolean, signal: AbortSignal, timeoutMs: number): Promise<string> {
    const hit = this.#cache.get(key);
    if (hit && !refresh && hit.expiresAt - EARLY_MS > Date.now()) return hit.token;
    if (refresh) this.#cache.delete(key);
    let p = this.#pending.get(key);
    if (!p) {
      p = this.#fetch(key, a, signal, timeoutMs).finally(() => this.#pending.delete(key));
      this.#pending.set(key, p);
    }
    return p;
  }

  async #fetch(key: string, a: OAuth, signal: AbortSignal, timeoutMs: number): Promise<string> {
    const url = new URL(a.authorizationEndpoint);
    for (const q of a.oauthParameters.query) url.searchParams.set(q.key, q.value);
    const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${a.clientId}:${a.clientSecret}`).toString('base64')}`, accept: 'application/json' };
    for (const h of a.oauthParameters.headers) headers[h.key.toLowerCase()] = h.value;
    const form = new URLSearchParams();
    for (const b of a.oauthParameters.body) form.set(b.key, b.value);
    if (!form.has('grant_type')) form.set('grant_type', 'client_credentials');
    let body: string | undefined;
    if (a.httpMethod === 'GET') for (const [k, v] of form) url.searchParams.set(k, v);
    else {
      body = form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    let res: Response;
    try {
      res = await fetch(url, { method: a.httpMethod, headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      throw new Error(`The OAuth authorization endpoint ${a.authorizationEndpoint} of connection '${key}' could not be reached: ${err.cause?.code ?? err.message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`The OAuth authorization endpoint ${a.authorizationEndpoint} of connection '${key}' answered ${res.status} ${res.statusText}: ${text.slice(0, 1000)}`);
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`The OAuth authorization endpoint ${a.authorizationEndpoint} of connection '${key}' did not answer JSON.`);
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') throw new Error(`The OAuth authorization endpoint ${a.authorizationEndpoint} of connection '${key}' gave no access_token.`);
    const seconds = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in);
    // No expires_in: kept until the API refuses it (401).
    const expiresAt = Number.isFinite(seconds) && seconds > 0 ? Date.now() + seconds * 1000 : Number.MAX_SAFE_INTEGER;
    this.#cache.set(key, { token: parsed.access_token, expiresAt });
    return parsed.access_token;
  }
}
