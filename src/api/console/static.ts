/**
 * The built console's files: `GET /` (index.html, or a page saying how to build it when it is not
 * built) and `GET /console/<file>`, confined to the console's folder.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notFound, sendConsoleError } from './http.js';

/** dist/console, next to dist/api (this module is dist/api/console/static.js). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Stepwise</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Stepwise</h1>
<p>The web console is not built. Build it with <code>npm run build</code> (it is written to <code>dist/console</code>) and reload this page.</p>
<p>The AWS Step Functions API is served on this address (<code>POST /</code>) either way.</p>
</body>
</html>
`;

function send(res: ServerResponse, status: number, type: string, body: Buffer | string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
  res.end(body);
}

async function fileIn(dir: string, rel: string): Promise<string | undefined> {
  const root = resolve(dir);
  const path = resolve(root, rel);
  if (!path.startsWith(root + sep)) return undefined;
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

/** `GET /`: the console's index.html, or the not-built page. */
export async function serveIndex(res: ServerResponse, dir: string): Promise<void> {
  const path = await fileIn(dir, 'index.html');
  if (!path) {
    send(res, 200, CONTENT_TYPES['.html']!, NOT_BUILT);
    return;
  }
  send(res, 200, CONTENT_TYPES['.html']!, await readFile(path));
}

/** `GET /console/<rel>` (`rel` still URL-encoded): a file of the console's folder, never outside it. */
export async function serveStatic(res: ServerResponse, dir: string, rel: string): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    sendConsoleError(res, notFound('No such file'));
    return;
  }
  const segments = decoded.split(/[\\/]/);
  if (decoded.includes('\0') || segments.some((s) => s === '..') || decoded.startsWith('/')) {
    sendConsoleError(res, notFound('No such file'));
    return;
  }
  const path = await fileIn(dir, decoded);
  if (!path) {
    sendConsoleError(res, notFound(`No such file: ${decoded}`));
    return;
  }
  send(res, 200, CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', await readFile(path));
}
