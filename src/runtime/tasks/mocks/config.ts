/**
 * Step Functions Local's mock configuration file (MockConfigFile.json), as AWS documents it:
 *
 *   { "StateMachines":   { NAME: { "TestCases": { CASE: { STATE: RESPONSE_NAME, … } } } },
 *     "MockedResponses": { RESPONSE_NAME: { "0": { "Return": … }, "1-2": { "Throw": { "Error", "Cause" } } } } }
 *
 * The keys of a mocked response number the invocations of the state in one execution (retries count),
 * one number or an inclusive range each. A file that does not have this shape is refused as a whole, with
 * the file, the JSON path inside it and what is wrong.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Json, JsonObject } from '../../../shared/json.js';

/** One invocation's answer: the task's result, or its error. */
export type MockedAnswer = { k: 'return'; value: Json } | { k: 'throw'; error: string; cause?: string };

/** A mocked response: answers by invocation number (ranges kept as they are written). */
export interface MockedResponse {
  ranges: { from: number; to: number; answer: MockedAnswer }[];
}

export interface MockConfig {
  /** Where it was read from (for messages). */
  source: string;
  /** State machine name → test case → state name → mocked response name. */
  stateMachines: Map<string, Map<string, Map<string, string>>>;
  mockedResponses: Map<string, MockedResponse>;
}

/** A mock configuration that does not have the documented shape. */
export class MockConfigError extends Error {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${source}: ${path}: ${problem}`);
    this.name = 'MockConfigError';
  }
}

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$.MockedResponses["My response"]`: dotted where the key is a plain name, bracketed otherwise. */
function child(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

const INVOCATION_KEY = /^(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?$/;

/** Checks a parsed mock configuration; `source` names it in errors (a file path, or "mocks option"). */
export function parseMockConfig(value: unknown, source: string): MockConfig {
  const fail = (path: string, problem: string): never => {
    throw new MockConfigError(source, path, problem);
  };
  if (!isObj(value)) fail('$', `must be an object with the fields StateMachines and MockedResponses, but is ${kind(value)}`);
  const root = value as JsonObject;
  for (const k of Object.keys(root)) {
    if (k !== 'StateMachines' && k !== 'MockedResponses') fail(child('$', k), 'unknown field (a mock configuration has StateMachines and MockedResponses)');
  }
  const mockedResponses = new Map<string, MockedResponse>();
  const responses = root.MockedResponses ?? {};
  if (!isObj(responses)) fail('$.MockedResponses', `must be an object of mocked responses by name, but is ${kind(responses)}`);
  for (const [name, resp] of Object.entries(responses as JsonObject)) {
    const at = child('$.MockedResponses', name);
    if (!isObj(resp)) fail(at, `must be an object of answers by invocation number ("0", "1-3" …), but is ${kind(resp)}`);
    const ranges: MockedResponse['ranges'] = [];
    for (const [key, entry] of Object.entries(resp as JsonObject)) {
      const kat = child(at, key);
      const m = INVOCATION_KEY.exec(key);
      if (!m) fail(kat, 'an invocation key must be a number ("0") or an inclusive range ("1-3")');
      const from = Number(m![1]);
      const to = m![2] === undefined ? from : Number(m![2]);
      if (to < from) fail(kat, `the range ends (${to}) before it starts (${from})`);
      const clash = ranges.find((r) => r.from <= to && from <= r.to);
      if (clash) fail(kat, `invocations ${Math.max(from, clash.from)}-${Math.min(to, clash.to)} are also answered by the key "${clash.from === clash.to ? clash.from : `${clash.from}-${clash.to}`}"`);
      ranges.push({ from, to, answer: parseAnswer(entry, kat, fail) });
    }
    ranges.sort((a, b) => a.from - b.from);
    mockedResponses.set(name, { ranges });
  }
  const stateMachines = new Map<string, Map<string, Map<string, string>>>();
  const machines = root.StateMachines ?? {};
  if (!isObj(machines)) fail('$.StateMachines', `must be an object of state machines by name, but is ${kind(machines)}`);
  for (const [smName, sm] of Object.entries(machines as JsonObject)) {
    const at = child('$.StateMachines', smName);
    if (!isObj(sm)) fail(at, `must be an object with the field TestCases, but is ${kind(sm)}`);
    for (const k of Object.keys(sm as JsonObject)) if (k !== 'TestCases') fail(child(at, k), 'unknown field (a state machine has TestCases only)');
    const cases = (sm as JsonObject).TestCases;
    if (cases === undefined) fail(at, 'the field TestCases is missing');
    if (!isObj(cases)) fail(`${at}.TestCases`, `must be an object of test cases by name, but is ${kind(cases)}`);
    const byCase = new Map<string, Map<string, string>>();
    for (const [caseName, tc] of Object.entries(cases as JsonObject)) {
      const cat = child(`${at}.TestCases`, caseName);
      if (!isObj(tc)) fail(cat, `must be an object of mocked response names by state name, but is ${kind(tc)}`);
      const states = new Map<string, string>();
      for (const [state, respName] of Object.entries(tc as JsonObject)) {
        const sat = child(cat, state);
        if (typeof respName !== 'string') fail(sat, `must be the name of a mocked response (a string), but is ${kind(respName)}`);
        if (!mockedResponses.has(respName as string)) fail(sat, `names the mocked response '${respName as string}', which MockedResponses does not define`);
        states.set(state, respName as string);
      }
      byCase.set(caseName, states);
    }
    stateMachines.set(smName, byCase);
  }
  return { source, stateMachines, mockedResponses };
}

function parseAnswer(entry: unknown, at: string, fail: (path: string, problem: string) => never): MockedAnswer {
  if (!isObj(entry)) fail(at, `must be an object with one field, Return or Throw, but is ${kind(entry)}`);
  const keys = Object.keys(entry as JsonObject);
  if (keys.length !== 1 || (keys[0] !== 'Return' && keys[0] !== 'Throw')) {
    fail(at, keys.length === 0 ? 'must have one field, Return or Throw, but has none' : `must have exactly one field, Return or Throw, but has ${keys.map((k) => `'${k}'`).join(', ')}`);
  }
  const e = entry as JsonObject;
  if (keys[0] === 'Return') return { k: 'return', value: e.Return! };
  const t = e.Throw;
  const tat = `${at}.Throw`;
  if (!isObj(t)) fail(tat, `must be an object with the fields Error and Cause, but is ${kind(t)}`);
  const th = t as JsonObject;
  for (const k of Object.keys(th)) if (k !== 'Error' && k !== 'Cause') fail(child(tat, k), 'unknown field (Throw has Error and Cause)');
  if (typeof th.Error !== 'string') fail(`${tat}.Error`, th.Error === undefined ? 'the field Error is missing' : `must be a string, but is ${kind(th.Error)}`);
  if (th.Cause !== undefined && typeof th.Cause !== 'string') fail(`${tat}.Cause`, `must be a string, but is ${kind(th.Cause)}`);
  return th.Cause === undefined ? { k: 'throw', error: th.Error as string } : { k: 'throw', error: th.Error as string, cause: th.Cause as string };
}

/** Reads and checks a mock configuration file (errors name the file). */
export function loadMockConfig(file: string): MockConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MockConfigError(file, '$', `cannot be read: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MockConfigError(file, '$', `is not valid JSON: ${(e as Error).message}`);
  }
  return parseMockConfig(value, file);
}

/** A mock configuration given as a file path or as the parsed object (the library's `mocks` option). */
export function mockConfigOf(v: string | object | MockConfig): MockConfig {
  if (typeof v === 'string') return loadMockConfig(v);
  if (v instanceof Object && 'stateMachines' in v && (v as MockConfig).stateMachines instanceof Map) return v as MockConfig;
  return parseMockConfig(v, 'mocks option');
}

/** The test case of a state machine, or undefined when the configuration does not define it. */
export function testCaseOf(config: MockConfig, stateMachineName: string, testCase: string): Map<string, string> | undefined {
  return config.stateMachines.get(stateMachineName)?.get(testCase);
}

/** What a mocked state answers at its n-th invocation (0 first): the answer, or none defined for n. */
export function answerFor(resp: MockedResponse, invocation: number): MockedAnswer | undefined {
  for (const r of resp.ranges) if (invocation >= r.from && invocation <= r.to) return r.answer;
  return undefined;
}
