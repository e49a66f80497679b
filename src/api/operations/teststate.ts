/**
 * TestState: runs one state as AWS does (see `interpreter/test-state`). Request problems become AWS's
 * API errors; a mocked Task result is checked against the output shape of the installed AWS SDK client
 * (fieldValidationMode); a Task without a mock is performed by the engine's task runtime, the same
 * registry as executions (local Lambda functions, AWS SDK and optimized integrations, HTTP, ECS, Batch).
 * @module
 */
import { randomInt, randomUUID } from 'node:crypto';
import { toJsonText, type Json } from '../../shared/json.js';
import { CompileError } from '../../asl/compile.js';
import {
  buildTestStateProgram,
  mockedServiceResource,
  parseTestStateRequest,
  runTestState,
  TestStateRequestError,
  type InspectionData,
  type InvokeTaskCommand,
  type TaskOutcome,
  type TestStateResult,
} from '../../interpreter/test-state/index.js';
import { Cancellation, type HttpExchange } from '../../runtime/tasks/types.js';
import { SdkOutputShapes } from '../../runtime/tasks/integrations/aws/output-shapes.js';
import type { ApiContext, Params } from '../context.js';
import { ApiError } from '../errors.js';

/** Output shapes of the installed AWS SDK clients, for checking mocked results (loaded once per API). */
const outputShapes = new SdkOutputShapes();

/** AWS runs a TestState call for five minutes at most. */
const MAX_TASK_MS = 5 * 60 * 1000;

const TEXT_FIELDS = ['input', 'afterArguments', 'afterInputPath', 'afterParameters', 'result', 'afterResultSelector', 'afterResultPath', 'afterItemsPath', 'afterItemsPointer', 'afterItemSelector', 'afterItemBatcher', 'variables'] as const;

/** The response as AWS writes it: payloads as JSON text. */
export function testStateResponse(res: TestStateResult): Record<string, unknown> {
  const out: Record<string, unknown> = { status: res.status };
  if (res.output !== undefined) out.output = toJsonText(res.output);
  if (res.error !== undefined) out.error = res.error;
  if (res.cause !== undefined) out.cause = res.cause;
  if (res.nextState !== undefined) out.nextState = res.nextState;
  if (res.inspectionData) {
    const d: Record<string, unknown> = {};
    const src = res.inspectionData as InspectionData & Record<string, unknown>;
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined) continue;
      d[k] = (TEXT_FIELDS as readonly string[]).includes(k) ? toJsonText(v as Json) : v;
    }
    out.inspectionData = d;
  }
  return out;
}

export async function testState(ctx: ApiContext, p: Params) {
  try {
    const req = parseTestStateRequest(p);
    const mocked = mockedServiceResource(req);
    const shape = mocked ? await outputShapes.of(mocked) : undefined;
    const prog = buildTestStateProgram(req, { outputShape: (res) => (mocked && res.arn === mocked.arn ? shape : undefined) });
    const stateMachineName = `TestState-${randomUUID()}`;
    const executionName = randomUUID();
    const prefix = `arn:aws:states:${ctx.region}:${ctx.accountId}`;
    let exchange: HttpExchange | undefined;
    const invokeTask = (cmd: InvokeTaskCommand) =>
      new Promise<TaskOutcome>((resolve) => {
        const cancel = new Cancellation();
        const limit = Math.min((cmd.timeoutSeconds ?? Infinity) * 1000, MAX_TASK_MS);
        const timer = setTimeout(() => {
          cancel.cancel();
          resolve({ k: 'timedOut', error: 'States.Timeout' });
        }, limit);
        const done = (o: TaskOutcome) => {
          clearTimeout(timer);
          resolve(o);
        };
        ctx.engine.invokeTask(
          cmd,
          {
            executionArn: `${prefix}:express:${stateMachineName}:${executionName}`,
            stateMachineArn: `${prefix}:stateMachine:${stateMachineName}`,
            idempotencyKey: `${executionName}:${cmd.seq}`,
            region: ctx.region,
            accountId: ctx.accountId,
            cancel,
            onHttpExchange: req.inspectionLevel === 'TRACE' ? (x) => (exchange = x) : undefined,
          },
          {
            started() {},
            heartbeat() {},
            submitted() {},
            detach() {},
            succeeded: (output) => done({ k: 'succeeded', output }),
            failed: (error, cause) => {
              const o: TaskOutcome = { k: 'failed' };
              if (error !== undefined) o.error = error;
              if (cause !== undefined) o.cause = cause;
              done(o);
            },
          },
        );
      });
    const res = await runTestState(req, prog, {
      now: ctx.clock.now(),
      seed: randomInt(2 ** 31),
      region: ctx.region,
      accountId: ctx.accountId,
      stateMachineName,
      executionName,
      invokeTask,
    });
    const out = testStateResponse(res);
    if (exchange && out.inspectionData) Object.assign(out.inspectionData as object, httpInspection(exchange, req.revealSecrets));
    return out;
  } catch (e) {
    if (e instanceof TestStateRequestError) throw new ApiError(e.code, e.message);
    if (e instanceof CompileError) throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${e.message}'`);
    throw e;
  }
}

/** TRACE's `request` and `response` of an HTTP Task; the connection's credentials hidden unless revealSecrets. */
function httpInspection(x: HttpExchange, reveal: boolean): { request: HttpExchange['request']; response?: HttpExchange['response'] } {
  const hide = (s: string) => (reveal ? s : x.secrets.reduce((t, secret) => (secret ? t.split(secret).join('<redacted>') : t), s));
  const request = { ...x.request, url: hide(x.request.url), headers: hide(x.request.headers), body: hide(x.request.body) };
  return x.response ? { request, response: x.response } : { request };
}
