/**
 * Small HTTP helpers of the console's endpoints: JSON answers, errors as `{"__type", "message"}`.
 * @module
 */
import type { ServerResponse } from 'node:http';

export type ConsoleErrorType = 'ResourceNotFound' | 'ValidationException';

/** An error the console's endpoints answer with (404 ResourceNotFound, 400 ValidationException). */
export class ConsoleError extends Error {
  constructor(
    readonly type: ConsoleErrorType,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return this.type === 'ResourceNotFound' ? 404 : 400;
  }
}

export const notFound = (message: string) => new ConsoleError('ResourceNotFound', message);
export const invalid = (message: string) => new ConsoleError('ValidationException', message);

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache',
  });
  res.end(text);
}

export function sendConsoleError(res: ServerResponse, e: ConsoleError): void {
  sendJson(res, e.status, { __type: e.type, message: e.message });
}
