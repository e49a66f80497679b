/**
 * The `stepwise` command: serve, run, validate, approve, reject, heartbeat, mocks.
 * @module
 */
import { readFileSync } from 'node:fs';
import { formatDiagnostic, validateDefinition } from '../asl/validate.js';
import { closest, parseArgs, UsageError, type OptionSpec } from './args.js';
import { DEFAULT_TASK_TIMEOUT_SECONDS } from './answer.js';
import { RUN_OPTIONS, runCommand } from './run.js';
import { SERVE_OPTIONS, serveConfig, startServer } from './serve.js';
import { readAllStdin, runTaskCommand, TASK_OPTIONS } from './tasks.js';
import { MOCKS_OPTIONS, runMocksCommand } from './mocks.js';

const USAGE = `Usage: stepwise <command> [options]

Commands:
  serve [--port 8083] [--host 127.0.0.1] [--auth FILE | --insecure] [--db ./.stepwise/stepwise.db | :memory: | postgres://USER@HOST:PORT/DB]
        [--synchronous FULL|NORMAL] [--pg-schema stepwise]
        [--functions DIR] [--lambda-endpoint URL] [--config FILE] [--mock-config FILE]
        Serve the AWS Step Functions API (point the AWS CLI or an SDK at it with --endpoint-url).
        --auth FILE ({"credentials":[{"accessKeyId","secretAccessKey"}]}, or STEPWISE_ACCESS_KEY_ID and
        STEPWISE_SECRET_ACCESS_KEY): requests must be SigV4-signed with one of them (the console asks to sign in).
        Without credentials, a --host beyond loopback needs --insecure.
        --mock-config FILE (else SFN_MOCK_CONFIG, else ./MockConfigFile.json): Step Functions Local's mocks;
        an execution started on stateMachineArn#TestCase answers the states its test case mocks from them.
  run FILE [--input JSON | --input-file FILE] [--functions DIR] [--lambda-endpoint URL] [--config FILE] [--name NAME]
        [--history FILE|-] [--approve-all [--approve-output JSON] | --reject-all [--error E] [--cause C]]
        [--task-timeout SECONDS] [--mock-config FILE --test-case [MACHINE#]CASE]
        Run a definition once, in process, and print its output (exit code 1 if it does not succeed).
        --history FILE writes the history (JSON) to FILE; --history - prints it on stdout instead of the output.
        A task waiting for its token (.waitForTaskToken, an activity) is shown on stderr with the token and
        answered by --approve-all / --reject-all, else asked at the terminal, else the run gives up (exit 1)
        after --task-timeout seconds (default ${DEFAULT_TASK_TIMEOUT_SECONDS}).
        --test-case CASE answers the states the test case mocks from --mock-config FILE (else SFN_MOCK_CONFIG).
  mocks record EXECUTION_ARN [--endpoint URL] [--test-case NAME] [--out FILE]
        Write a mock configuration test case (default: the execution's name) from a finished execution's
        task results and errors, printed or merged into FILE: re-run it offline on stateMachineArn#NAME.
  validate FILE
        Check a definition and print its diagnostics (exit code 1 if it is invalid).
  approve TOKEN [--output JSON] [--endpoint URL]
        Complete the task with this token (SendTaskSuccess); the output defaults to {}.
  reject TOKEN [--error ERROR] [--cause CAUSE] [--endpoint URL]
        Fail the task with this token (SendTaskFailure).
  heartbeat TOKEN [--endpoint URL]
        Report that the task is still making progress (SendTaskHeartbeat).
        TOKEN - reads the token from stdin. The endpoint defaults to STEPWISE_ENDPOINT, else
        http://127.0.0.1:8083; with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, requests are signed.
        Exit code 1 when the API refuses (the error is printed as Name: message), 2 for bad arguments.

Unknown options, options missing their value and a --functions folder that does not exist are errors (exit code 2).
Environment: PORT, STEPWISE_DB, DATABASE_URL, STEPWISE_PG_SCHEMA, LAMBDA_ENDPOINT, STEPWISE_CONFIG, SFN_MOCK_CONFIG, WAIT_TIME_SCALE, AWS_DEFAULT_REGION, AWS_ACCOUNT_ID, STEPWISE_ENDPOINT.`;

/** The usage lines of one command (from USAGE): shown with a usage error of that command. */
function usageOf(cmd: string | undefined): string {
  const lines = USAGE.split('\n');
  const start = cmd && cmd in OPTIONS ? lines.findIndex((l) => l.startsWith(`  ${cmd} `) || l === `  ${cmd}`) : -1;
  if (start < 0) return `Usage: stepwise <command> [options]; the commands: ${Object.keys(OPTIONS).join(', ')}.`;
  const end = lines.findIndex((l, i) => i > start && (l === '' || /^  \S/.test(l)));
  return `Usage: stepwise ${lines.slice(start, end < 0 ? undefined : end).join('\n').trimStart()}`;
}

const OPTIONS: Record<string, OptionSpec> = {
  serve: SERVE_OPTIONS,
  run: RUN_OPTIONS,
  validate: { values: [], flags: [] },
  mocks: MOCKS_OPTIONS,
  ...TASK_OPTIONS,
};

function printDiagnostics(file: string, text: string): boolean {
  const diags = validateDefinition(text);
  for (const d of diags) console.error(`${file}: ${d.severity} ${formatDiagnostic(d)}`);
  return !diags.some((d) => d.severity === 'ERROR');
}

/** stdout is the result's alone: what local handlers log (console.log) goes to stderr. */
function keepStdoutForTheResult(): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  const toStderr = (...a: unknown[]) => console.error(...a);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  return (text) => void write(text);
}

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const spec = OPTIONS[cmd];
  if (!spec) {
    if (cmd.startsWith('-')) throw new UsageError(`a command comes first, then its options (got '${cmd}')`);
    const meant = closest(cmd, Object.keys(OPTIONS));
    throw new UsageError(`unknown command '${cmd}'${meant ? ` (did you mean ${meant}?)` : ''}`);
  }
  const args = parseArgs(rest, spec, cmd);
  if (args.flags.help) {
    console.log(USAGE);
    return 0;
  }
  switch (cmd) {
    case 'serve': {
      const running = await startServer(serveConfig(args, process.env));
      const close = () => {
        running.close().then(
          () => process.exit(0),
          (e) => {
            console.error(e);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', close);
      process.on('SIGTERM', close);
      return -1;
    }
    case 'validate': {
      const [file, ...extra] = args.positionals;
      if (!file) throw new UsageError('missing definition file');
      if (extra.length) throw new UsageError(`validate: unexpected argument '${extra[0]}'`);
      const ok = printDiagnostics(file, readFileSync(file, 'utf8'));
      if (ok) console.log(`${file}: OK`);
      return ok ? 0 : 1;
    }
    case 'run': {
      const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
      return runCommand(args, {
        env: process.env,
        out: keepStdoutForTheResult(),
        err: (l) => console.error(l),
        terminal: interactive ? { input: process.stdin, output: process.stderr } : undefined,
        validate: printDiagnostics,
      });
    }
    case 'mocks':
      return runMocksCommand(args, { env: process.env, out: (t) => void process.stdout.write(t), err: (l) => console.error(l) });
    case 'approve':
    case 'reject':
    case 'heartbeat':
      return runTaskCommand(cmd, args, {
        env: process.env,
        readStdin: readAllStdin,
        out: (l) => console.log(l),
        err: (l) => console.error(l),
      });
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`stepwise: ${e.message}\n\n${usageOf(process.argv[2])}\nRun 'stepwise --help' for every command and option.`);
      process.exitCode = 2;
    } else {
      console.error(`stepwise: ${(e as Error)?.message ?? String(e)}`);
      process.exitCode = 1;
    }
  },
);
