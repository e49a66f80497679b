/**
 * Step Functions ARNs: building them, and checking the ones clients send with AWS's errors.
 * @module
 */
import { invalidArn } from './errors.js';

export interface ArnParts {
  partition: string;
  region: string;
  account: string;
  resourceType: string;
  /** Everything after the resource type, split on ':'. */
  rest: string[];
}

export function parseStatesArn(arn: unknown): ArnParts {
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:states:/.test(arn)) throw invalidArn(`Invalid ARN prefix: ${String(arn)}`);
  const parts = arn.split(':');
  if (parts.length < 7 || !parts[5]) throw invalidArn(`Resource type not valid in this context: ${arn}`);
  return { partition: parts[1]!, region: parts[3]!, account: parts[4]!, resourceType: parts[5]!, rest: parts.slice(6) };
}

export type StateMachineRef =
  | { kind: 'base'; arn: string; name: string }
  | { kind: 'version'; arn: string; baseArn: string; name: string; version: number }
  | { kind: 'alias'; arn: string; baseArn: string; name: string; alias: string };

/** A state machine ARN, possibly qualified by a version number or an alias name. */
export function parseStateMachineArn(arn: unknown): StateMachineRef {
  const p = parseStatesArn(arn);
  if (p.resourceType !== 'stateMachine' || p.rest.length < 1 || p.rest.length > 2 || !p.rest[0]) {
    throw invalidArn(`Resource type not valid in this context: ${p.resourceType}`);
  }
  const a = arn as string;
  const name = p.rest[0];
  if (p.rest.length === 1) return { kind: 'base', arn: a, name };
  const baseArn = a.slice(0, a.lastIndexOf(':'));
  const q = p.rest[1]!;
  if (/^\d+$/.test(q)) return { kind: 'version', arn: a, baseArn, name, version: Number(q) };
  return { kind: 'alias', arn: a, baseArn, name, alias: q };
}

export function parseExecutionArn(arn: unknown): { arn: string; stateMachineName: string; name: string; express: boolean } {
  const p = parseStatesArn(arn);
  if ((p.resourceType !== 'execution' && p.resourceType !== 'express') || p.rest.length < 2) {
    throw invalidArn(`Resource type not valid in this context: ${p.resourceType}`);
  }
  return { arn: arn as string, stateMachineName: p.rest[0]!, name: p.rest[1]!, express: p.resourceType === 'express' };
}

export function parseActivityArn(arn: unknown): string {
  const p = parseStatesArn(arn);
  if (p.resourceType !== 'activity' || p.rest.length !== 1) throw invalidArn(`Resource type not valid in this context: ${p.resourceType}`);
  return arn as string;
}

export function stateMachineArn(region: string, account: string, name: string): string {
  return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
}

export function executionArn(smArn: string, name: string): string {
  const p = parseStatesArn(smArn);
  return `arn:${p.partition}:states:${p.region}:${p.account}:execution:${p.rest[0]}:${name}`;
}

export function expressExecutionArn(smArn: string, name: string, uuid: string): string {
  const p = parseStatesArn(smArn);
  return `arn:${p.partition}:states:${p.region}:${p.account}:express:${p.rest[0]}:${name}:${uuid}`;
}

export function activityArn(region: string, account: string, name: string): string {
  return `arn:aws:states:${region}:${account}:activity:${name}`;
}

/** A Map Run ARN: `arn:aws:states:REGION:ACCOUNT:mapRun:SM_NAME/LABEL:UUID`. */
export function parseMapRunArn(arn: unknown): string {
  const p = parseStatesArn(arn);
  if (p.resourceType !== 'mapRun' || p.rest.length !== 2 || !p.rest[0]!.includes('/') || !p.rest[1]) {
    throw invalidArn(`Resource type not valid in this context: ${p.resourceType}`);
  }
  return arn as string;
}

/** The state machine a Map Run's child executions run: `…:stateMachine:SM_NAME/LABEL`. */
export function mapRunStateMachineArn(mapRunArn: string): string {
  const p = parseStatesArn(mapRunArn);
  return `arn:${p.partition}:states:${p.region}:${p.account}:stateMachine:${p.rest[0]}`;
}
