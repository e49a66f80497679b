/**
 * The console's login when requests must be signed: a person signs in with one of the configured access
 * keys and its secret (checked in constant time), and gets a session: a random id in an HttpOnly,
 * SameSite=Strict cookie, valid for 12 hours, that stands for a signature on the console's own requests
 * (the AWS API on POST / and the console's read endpoints). Sessions are kept in memory (a restart signs
 * everyone out), at most 1,000 (the oldest goes first).
 * @module
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Credential } from './auth.js';

const COOKIE = 'stepwise_session';
export const SESSION_MS = 12 * 3600 * 1000;
const MAX_SESSIONS = 1000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class ConsoleSessions {
  readonly #sessions = new Map<string, number>();
  readonly #secrets: Map<string, string>;

  constructor(
    credentials: readonly Credential[],
    private readonly now: () => number = Date.now,
  ) {
    this.#secrets = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  }

  /** A new session id for a right key pair; undefined otherwise. */
  login(accessKeyId: unknown, secretAccessKey: unknown): string | undefined {
    if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string') return undefined;
    const secret = this.#secrets.get(accessKeyId);
    // Compared as digests: the same length whatever was typed, in constant time.
    const ok = timingSafeEqual(digest(secret ?? ''), digest(secretAccessKey)) && secret !== undefined;
    if (!ok) return undefined;
    const id = randomBytes(32).toString('base64url');
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    this.#sessions.set(id, this.now() + SESSION_MS);
    return id;
  }

  /** Whether the request carries a live session. */
  valid(req: IncomingMessage): boolean {
    const id = sessionOf(req);
    if (id === undefined) return false;
    const until = this.#sessions.get(id);
    if (until === undefined) return false;
    if (until < this.now()) {
      this.#sessions.delete(id);
      return false;
    }
    return true;
  }

  logout(req: IncomingMessage): void {
    const id = sessionOf(req);
    if (id !== undefined) this.#sessions.delete(id);
  }
}

export const sessionCookie = (id: string): string => `${COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`;
export const clearedCookie = (): string => `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;

function sessionOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === COOKIE && v) return v;
  }
  return undefined;
}
