/**
 * The console behind a login, when requests must be signed: `POST /console/login` with
 * `{accessKeyId, secretAccessKey}` starts a session (a cookie), `POST /console/logout` ends it, and the
 * console's read endpoints answer only within a session. Its page and scripts hold no data and are served
 * to anyone (the page shows the login form when the API asks for it).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clearedCookie, sessionCookie, type ConsoleSessions } from '../console-sessions.js';

type Fallback = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

const MAX_LOGIN_BODY = 16 * 1024;

function json(res: ServerResponse, status: number, body: unknown, cookie?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (cookie) headers['set-cookie'] = cookie;
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

function readSmall(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_LOGIN_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_LOGIN_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

export function consoleBehindLogin(inner: Fallback, sessions: ConsoleSessions): Fallback {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://console.invalid').pathname;
    if (req.method === 'POST' && path === '/console/login') {
      const text = await readSmall(req);
      let p: { accessKeyId?: unknown; secretAccessKey?: unknown } = {};
      try {
        p = JSON.parse(text ?? '') as typeof p;
      } catch {
        /* answered below */
      }
      const id = sessions.login(p?.accessKeyId, p?.secretAccessKey);
      if (id === undefined) json(res, 403, { __type: 'UnrecognizedClientException', message: 'The access key ID or its secret access key is not right.' });
      else json(res, 200, { signedIn: true }, sessionCookie(id));
      return true;
    }
    if (req.method === 'POST' && path === '/console/logout') {
      req.resume();
      sessions.logout(req);
      json(res, 200, { signedIn: false }, clearedCookie());
      return true;
    }
    if (path.startsWith('/console/api/') && !sessions.valid(req)) {
      req.resume();
      json(res, 403, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
      return true;
    }
    return inner(req, res);
  };
}
