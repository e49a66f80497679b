/**
 * `stepwise mocks record EXECUTION_ARN [--endpoint URL] [--test-case NAME] [--out FILE]`: a MockConfigFile
 * test case from a finished execution (DescribeExecution, GetExecutionHistory), so that a run against
 * real services becomes an offline test: started on `stateMachineArn#NAME` with the same input, the
 * execution gets every task's recorded result or error again. With `--out FILE` the test case is merged
 * into FILE (created when missing; a test case of that name is replaced); else the file is printed.
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_ENDPOINT, SfnClient, SfnError } from '../client/sfn-client.js';
import type { JsonObject } from '../shared/json.js';
import { mergeTestCase, recordTestCase, type AwsEvent } from '../runtime/tasks/mocks/record.js';
import { parseMockConfig, MockConfigError } from '../runtime/tasks/mocks/config.js';
import { str, UsageError, type Args, type OptionSpec } from './args.js';
import { envCredentials } from './tasks.js';

export const MOCKS_OPTIONS: OptionSpec = { values: ['endpoint', 'test-case', 'out'], flags: [] };

export interface MocksIo {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (line: string) => void;
}

const NAME_RE = /^[^#\s]+$/;

export async function runMocksCommand(args: Args, io: MocksIo): Promise<number> {
  const [sub, arn, ...extra] = args.positionals;
  if (sub !== 'record') throw new UsageError(sub === undefined ? 'mocks: missing the subcommand (record)' : `mocks: unknown subcommand '${sub}' (the subcommand is record)`);
  if (!arn) throw new UsageError('mocks record: missing the execution ARN');
  if (extra.length) throw new UsageError(`mocks record: unexpected argument '${extra[0]}'`);
  const given = str(args, 'test-case');
  if (given !== undefined && !NAME_RE.test(given)) throw new UsageError(`mocks record: --test-case must be a name without '#' or spaces, got '${given}'`);
  const outFile = str(args, 'out');
  let existing: JsonObject | undefined;
  if (outFile !== undefined && existsSync(outFile)) {
    try {
      const v = JSON.parse(readFileSync(outFile, 'utf8')) as unknown;
      parseMockConfig(v, outFile);
      existing = v as JsonObject;
    } catch (e) {
      throw new UsageError(`mocks record: --out ${outFile} is there but is not a mock configuration: ${e instanceof MockConfigError ? e.message : (e as Error).message}`);
    }
  }
  const endpoint = str(args, 'endpoint') ?? io.env.STEPWISE_ENDPOINT ?? DEFAULT_ENDPOINT;
  if (!URL.canParse(endpoint)) throw new UsageError(`mocks record: the endpoint is not a URL: '${endpoint}'`);
  const client = new SfnClient({ endpoint, region: io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || undefined, credentials: envCredentials(io.env) });

  let described: Record<string, unknown>;
  const events: AwsEvent[] = [];
  try {
    described = await client.call('DescribeExecution', { executionArn: arn });
    if (described.status === 'RUNNING' || described.status === 'PENDING_REDRIVE') {
      io.err(`stepwise: the execution is ${described.status as string}: record it once it has finished.`);
      return 1;
    }
    let nextToken: string | undefined;
    do {
      const page = await client.call<{ events: AwsEvent[]; nextToken?: string }>('GetExecutionHistory', { executionArn: arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      events.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (e) {
    if (e instanceof SfnError) io.err(`${e.name}: ${e.message}`);
    else io.err(`stepwise: cannot reach ${endpoint}: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
  const stateMachine = String(described.stateMachineArn).split(':')[6] ?? '';
  const testCase = given ?? String(described.name);
  if (!NAME_RE.test(testCase)) throw new UsageError(`mocks record: the execution's name '${testCase}' cannot be a test case name: give --test-case NAME`);
  const rec = recordTestCase(events, testCase);
  for (const u of rec.unfinished) io.err(`stepwise: invocation ${u.invocation} of state '${u.stateName}' has no recorded outcome (the execution ${String(described.status)} while it ran): not recorded.`);
  const cfg = mergeTestCase(existing, stateMachine, testCase, rec);
  const text = `${JSON.stringify(cfg, null, 2)}\n`;
  const states = Object.keys(rec.testCase).length;
  if (outFile !== undefined) {
    writeFileSync(outFile, text);
    io.err(`Recorded test case '${testCase}' of state machine '${stateMachine}' (${states} state${states === 1 ? '' : 's'}) into ${outFile}.`);
  } else io.out(text);
  io.err(`Run it offline: start ${String(described.stateMachineArn)}#${testCase} with the same input on a server given this file (--mock-config / SFN_MOCK_CONFIG).`);
  return 0;
}
