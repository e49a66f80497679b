/**
 * `stepwise run FILE`: validates a definition, runs it once in process and prints its output. A task that
 * waits for its token is announced on stderr (state, token) and answered as the command line says
 * (see answer.ts). stdout carries the output alone (or, with `--history -`, the history alone).
 * @module
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StateMachine, type WaitingTask } from '../library/state-machine.js';
import type { Json } from '../shared/json.js';
import { str, UsageError, type Args, type OptionSpec } from './args.js';
import { answerPolicy, promptAnswer, type Answer, type AnswerPolicy } from './answer.js';
import { checkFunctionsDir } from './functions-dir.js';
import { loadMockConfig, MockConfigError, type MockConfig } from '../runtime/tasks/mocks/config.js';
import { loadLocalConfig } from '../runtime/tasks/integrations/local-config.js';

export const RUN_OPTIONS: OptionSpec = {
  values: ['input', 'input-file', 'functions', 'lambda-endpoint', 'config', 'history', 'name', 'approve-output', 'error', 'cause', 'task-timeout', 'mock-config', 'test-case'],
  flags: ['approve-all', 'reject-all'],
};

export interface RunIo {
  env: NodeJS.ProcessEnv;
  /** stdout: the output (or the history, with `--history -`). */
  out: (text: string) => void;
  /** stderr: diagnostics, the status of a run that did not succeed, waiting tasks. */
  err: (line: string) => void;
  /** Where a person answers, when stdin and stderr are a terminal. */
  terminal?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  /** Checks a definition, printing its diagnostics; false when it is invalid. */
  validate: (file: string, text: string) => boolean;
}

export async function runCommand(args: Args, io: RunIo): Promise<number> {
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('missing definition file');
  if (extra.length) throw new UsageError(`run: unexpected argument '${extra[0]}'`);
  const functionsDir = str(args, 'functions');
  if (functionsDir !== undefined) checkFunctionsDir('--functions', functionsDir);
  const historyTo = str(args, 'history');
  if (historyTo !== undefined && historyTo !== '-') checkWritableFolder(historyTo);
  const scale = io.env.WAIT_TIME_SCALE ? Number(io.env.WAIT_TIME_SCALE) : undefined;
  if (scale !== undefined && (!Number.isFinite(scale) || scale < 0)) throw new UsageError(`WAIT_TIME_SCALE must be a non-negative number, got '${io.env.WAIT_TIME_SCALE}'`);
  const configFile = str(args, 'config') ?? (io.env.STEPWISE_CONFIG || undefined);
  const localConfig = configFile === undefined ? undefined : loadLocalConfig(configFile);
  const policy = answerPolicy(args, io.terminal !== undefined);
  const input = readInput(args);
  const mock = mocksOf(args, io.env);
  const text = readFileSync(file, 'utf8');
  if (!io.validate(file, text)) return 2;

  const sm = new StateMachine(text, {
    ...(mock ? { mocks: mock.config, name: mock.stateMachine } : {}),
    functionsDir,
    lambdaEndpoint: str(args, 'lambda-endpoint') ?? io.env.LAMBDA_ENDPOINT,
    config: localConfig,
    waitTimeScale: scale,
    region: io.env.AWS_DEFAULT_REGION,
    accountId: io.env.AWS_ACCOUNT_ID,
  });
  const waits = new Waits(policy, io);
  const running = sm.start(input, { name: str(args, 'name'), onWaiting: (t) => waits.waiting(t), ...(mock ? { testCase: mock.testCase } : {}) });
  waits.bind(running);
  const r = await running.done;
  waits.close();

  if (historyTo === '-') io.out(`${JSON.stringify(r.history(), null, 2)}\n`);
  else if (historyTo !== undefined) writeFileSync(historyTo, `${JSON.stringify(r.history(), null, 2)}\n`);
  if (r.status === 'SUCCEEDED') {
    if (historyTo !== '-') io.out(`${JSON.stringify(r.output, null, 2)}\n`);
    return 0;
  }
  io.err(`Execution ${r.status}${r.error ? `: ${r.error}` : ''}${r.cause ? `\n${r.cause}` : ''}`);
  return 1;
}

/**
 * `--mock-config F` (else SFN_MOCK_CONFIG) and `--test-case C`: the test case of the state machine that
 * defines it in F (`--test-case MACHINE#C` when several do).
 */
function mocksOf(args: Args, env: NodeJS.ProcessEnv): { config: MockConfig; stateMachine: string; testCase: string } | undefined {
  const flag = str(args, 'mock-config');
  const file = flag ?? (env.SFN_MOCK_CONFIG || undefined);
  const given = str(args, 'test-case');
  if (given === undefined) {
    if (flag !== undefined) throw new UsageError('run: --mock-config needs --test-case NAME (the test case to run)');
    return undefined;
  }
  if (file === undefined) throw new UsageError('run: --test-case needs --mock-config FILE (or SFN_MOCK_CONFIG)');
  let config: MockConfig;
  try {
    config = loadMockConfig(file);
  } catch (e) {
    if (e instanceof MockConfigError) throw new UsageError(`run: ${e.message}`);
    throw e;
  }
  const at = given.lastIndexOf('#');
  const testCase = at < 0 ? given : given.slice(at + 1);
  const named = at < 0 ? undefined : given.slice(0, at);
  const machines = [...config.stateMachines].filter(([name, cases]) => (named === undefined || name === named) && cases.has(testCase)).map(([name]) => name);
  if (machines.length === 0) throw new UsageError(`run: ${file} defines no test case '${testCase}'${named !== undefined ? ` for the state machine '${named}'` : ''}`);
  if (machines.length > 1) throw new UsageError(`run: several state machines of ${file} define the test case '${testCase}' (${machines.join(', ')}): give --test-case MACHINE#${testCase}`);
  return { config, stateMachine: machines[0]!, testCase };
}

/** The history is written after the run: a folder that is not there would lose it, so it is checked first. */
function checkWritableFolder(file: string): void {
  const folder = dirname(resolve(file));
  let ok = false;
  try {
    ok = statSync(folder).isDirectory();
  } catch {
    /* missing */
  }
  if (!ok) throw new UsageError(`run: --history ${file}: no such folder: ${folder}`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`run: --history ${file} is a folder, not a file`);
}

function readInput(args: Args): Json {
  const inline = str(args, 'input');
  const inputFile = str(args, 'input-file');
  if (inline !== undefined && inputFile !== undefined) throw new UsageError('run: give --input or --input-file, not both');
  const inputText = inputFile !== undefined ? readFileSync(inputFile, 'utf8') : (inline ?? '{}');
  try {
    return JSON.parse(inputText) as Json;
  } catch (e) {
    throw new UsageError(`${inputFile !== undefined ? '--input-file' : '--input'} is not valid JSON: ${(e as Error).message}`);
  }
}

interface Answerable {
  sendTaskSuccess(token: string, output: Json): boolean;
  sendTaskFailure(token: string, error?: string, cause?: string): boolean;
  isWaiting(token: string): boolean;
  stop(error?: string, cause?: string): void;
}

/** The tasks of one run waiting for their tokens, and how they are answered. */
class Waits {
  #running: Answerable | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Prompts one after another (tasks of a Parallel or Map may wait at once). */
  #prompts: Promise<void> = Promise.resolve();
  readonly #abort = new AbortController();

  constructor(
    private readonly policy: AnswerPolicy,
    private readonly io: RunIo,
  ) {}

  bind(running: Answerable): void {
    this.#running = running;
  }

  waiting(t: WaitingTask): void {
    const what = t.kind === 'activity' ? `activity ${t.resource}` : t.resource;
    this.io.err(`Waiting: state '${t.stateName}' (${what}) waits for its task token:\n  ${t.token}`);
    // Answered once the step that made it wait is applied (the token is then open).
    setImmediate(() => this.#answer(t));
  }

  #answer(t: WaitingTask): void {
    const p = this.policy;
    switch (p.k) {
      case 'approve-all':
        this.io.err(`Approving '${t.stateName}' (--approve-all).`);
        this.#send(t, { k: 'approve', output: p.output });
        return;
      case 'reject-all': {
        this.io.err(`Rejecting '${t.stateName}' (--reject-all).`);
        const a: Answer = { k: 'reject' };
        if (p.error !== undefined) a.error = p.error;
        if (p.cause !== undefined) a.cause = p.cause;
        this.#send(t, a);
        return;
      }
      case 'prompt': {
        if (p.timeoutSeconds !== undefined) this.#giveUpAfter(t, p.timeoutSeconds);
        const terminal = this.io.terminal!;
        this.#prompts = this.#prompts.then(async () => {
          if (!this.#running?.isWaiting(t.token) || this.#abort.signal.aborted) return;
          const a = await promptAnswer(terminal.input, terminal.output, t.stateName, this.#abort.signal);
          if (a) this.#send(t, a);
        });
        return;
      }
      case 'none':
        this.io.err(
          [
            `Nothing answers it here: run again with --approve-all [--approve-output JSON] or --reject-all [--error ERROR] [--cause CAUSE],`,
            `or from a terminal to be asked. Giving up in ${p.timeoutSeconds} s (--task-timeout SECONDS).`,
          ].join('\n'),
        );
        this.#giveUpAfter(t, p.timeoutSeconds);
        return;
      default:
        p satisfies never;
    }
  }

  #send(t: WaitingTask, a: Answer): void {
    const r = this.#running!;
    const sent = a.k === 'approve' ? r.sendTaskSuccess(t.token, a.output) : r.sendTaskFailure(t.token, a.error, a.cause);
    if (!sent) this.io.err(`'${t.stateName}' is no longer waiting; the answer was not sent.`);
  }

  #giveUpAfter(t: WaitingTask, seconds: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#running?.isWaiting(t.token)) return;
      this.io.err(`No answer for '${t.stateName}' within ${seconds} s: stopping the execution.`);
      this.#running.stop('Stepwise.NoAnswer', `No answer for the task token of state '${t.stateName}' within ${seconds} seconds (--task-timeout).`);
    }, seconds * 1000);
    this.#timers.add(timer);
  }

  /** The execution is over: no more timers or questions. */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#abort.abort();
  }
}
