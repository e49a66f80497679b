/**
 * The `stepwise` command: serve, run, validate, approve, reject, heartbeat.
 * @module
 */
import { readFileSync } from 'node:fs';
import { formatDiagnostic, validateDefinition } from '../asl/validate.js';
import { StateMachine } from '../library/state-machine.js';
import type { Json } from '../shared/json.js';
import { parseArgs, str, UsageError } from './args.js';
import { serveConfig, startServer } from './serve.js';
import { readAllStdin, runTaskCommand } from './tasks.js';

const USAGE = `Usage: stepwise <command> [options]

Commands:
  serve [--port 8083] [--host 127.0.0.1] [--db ./.stepwise/stepwise.db | :memory:] [--synchronous FULL|NORMAL]
        [--functions DIR] [--lambda-endpoint URL]
        Serve the AWS Step Functions API (point the AWS CLI or an SDK at it with --endpoint-url).
  run FILE [--input JSON | --input-file FILE] [--functions DIR] [--lambda-endpoint URL] [--history] [--name NAME]
        Run a definition once, in process, and print its output (exit code 1 if it does not succeed).
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

Environment: PORT, LAMBDA_ENDPOINT, WAIT_TIME_SCALE, AWS_DEFAULT_REGION, AWS_ACCOUNT_ID, STEPWISE_ENDPOINT.`;

function readDefinition(file: string | undefined): string {
  if (!file) throw new UsageError('missing definition file');
  return readFileSync(file, 'utf8');
}

function printDiagnostics(file: string, text: string): boolean {
  const diags = validateDefinition(text);
  for (const d of diags) console.error(`${file}: ${d.severity} ${formatDiagnostic(d)}`);
  return !diags.some((d) => d.severity === 'ERROR');
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['history', 'help']);
  const [cmd, ...rest] = args.positionals;
  if (!cmd || args.flags.help) {
    console.log(USAGE);
    return cmd || args.flags.help ? 0 : 2;
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
      const file = rest[0];
      const text = readDefinition(file);
      const ok = printDiagnostics(file!, text);
      if (ok) console.log(`${file}: OK`);
      return ok ? 0 : 1;
    }
    case 'run': {
      const file = rest[0];
      const text = readDefinition(file);
      if (!printDiagnostics(file!, text)) return 2;
      let inputText = str(args, 'input') ?? '{}';
      const inputFile = str(args, 'input-file');
      if (inputFile) inputText = readFileSync(inputFile, 'utf8');
      let input: Json;
      try {
        input = JSON.parse(inputText) as Json;
      } catch (e) {
        throw new UsageError(`--input is not valid JSON: ${(e as Error).message}`);
      }
      const scale = process.env.WAIT_TIME_SCALE ? Number(process.env.WAIT_TIME_SCALE) : undefined;
      const sm = new StateMachine(text, {
        functionsDir: str(args, 'functions'),
        lambdaEndpoint: str(args, 'lambda-endpoint') ?? process.env.LAMBDA_ENDPOINT,
        waitTimeScale: scale,
        region: process.env.AWS_DEFAULT_REGION,
        accountId: process.env.AWS_ACCOUNT_ID,
      });
      const r = await sm.run(input, { name: str(args, 'name') });
      if (args.flags.history) console.error(JSON.stringify(r.history(), null, 2));
      if (r.status === 'SUCCEEDED') {
        console.log(JSON.stringify(r.output, null, 2));
        return 0;
      }
      console.error(`Execution ${r.status}${r.error ? `: ${r.error}` : ''}${r.cause ? `\n${r.cause}` : ''}`);
      return 1;
    }
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
      console.error(`stepwise: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`stepwise: ${(e as Error)?.message ?? String(e)}`);
      process.exitCode = 1;
    }
  },
);
