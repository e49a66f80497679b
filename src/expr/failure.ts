/**
 * An ASL failure raised while evaluating an expression. Expression code throws it; the interpreter catches
 * it at the state boundary and turns it into data (`{ error, cause }`), which is all the rest of the
 * engine ever sees.
 * @module
 */

export class AslFailure extends Error {
  readonly error: string;
  readonly cause_: string | undefined;
  constructor(error: string, cause?: string) {
    super(cause ?? error);
    this.error = error;
    this.cause_ = cause;
  }
}

export interface Failure {
  error: string;
  cause?: string;
}

export const fail = (error: string, cause?: string): never => {
  throw new AslFailure(error, cause);
};

export function toFailure(e: unknown): Failure {
  if (e instanceof AslFailure) return e.cause_ === undefined ? { error: e.error } : { error: e.error, cause: e.cause_ };
  throw e;
}
