/**
 * The 18 intrinsic functions of ASL (States.Format, States.StringToJson, …), parsed once into an AST and
 * compiled into an evaluator. PLACEHOLDER: being written; the exported API below is the contract.
 * @module
 */
import type { Json } from '../shared/json.js';
import { AslFailure } from './failure.js';
import type { EvalScope } from './scope.js';

export class IntrinsicSyntaxError extends Error {}

/** True when the text looks like an intrinsic call (`States.Name(...)`), valid or not. */
export function isIntrinsicCall(text: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(text);
}

/** Parses and compiles an intrinsic call; throws IntrinsicSyntaxError when it is malformed. At run time the
 * evaluator throws AslFailure('States.IntrinsicFailure' | 'States.Runtime', cause) as AWS does. */
export function compileIntrinsic(text: string): (scope: EvalScope) => Json {
  if (!isIntrinsicCall(text)) throw new IntrinsicSyntaxError(`Not an intrinsic function call: ${text}`);
  return () => {
    throw new AslFailure('States.IntrinsicFailure', `Not implemented: ${text}`);
  };
}
