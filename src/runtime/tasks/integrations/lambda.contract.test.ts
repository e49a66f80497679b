import assert from 'node:assert/strict';
import { MemoryStore } from '../../../store/memory/memory-store.js';
import { isObject, type Json } from '../../../shared/json.js';
import { Engine } from '../../engine.js';
import { functionsFromObject } from '../functions.js';
import { runIntegrationContract, until, type ContractHost } from './contract.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
/** Task tokens the `callback` handler was given, by the execution that sent them. */
const tokens = new Map<string, string>();

async function host(): Promise<ContractHost> {
  const functions = functionsFromObject({
    echo: (event: Json) => ({ echoed: event }),
    boom: () => {
      throw Object.assign(new Error('it broke'), { name: 'BoomError' });
    },
    // Never answers: the task stays open until it is stopped or times out.
    forever: () => new Promise(() => {}),
    callback: (event: { token: string; execution: string }) => {
      tokens.set(event.execution, event.token);
      return { handedOver: true };
    },
  });
  const engine = new Engine({ store: new MemoryStore(), region: 'us-east-1', accountId: '123456789012', waitTimeScale: 0.05, tasks: { functions } });
  await engine.init();
  return { engine, close: () => engine.close() };
}

const answer = (outcome: { k: 'succeeded'; output: Json } | { k: 'failed'; error: string; cause: string }) => async (h: ContractHost, arn: string) => {
  const token = await until(() => tokens.get(arn), 'the token');
  assert.equal(await h.engine.tokens.complete(token, outcome), true);
};

const tokenPayload = { 'token.$': '$$.Task.Token', 'execution.$': '$$.Execution.Id' };

runIntegrationContract({
  name: 'lambda',
  host,
  cases: [
    {
      name: 'a Lambda function ARN',
      succeed: { fields: { Resource: `${FN}echo` }, output: (o) => assert.deepEqual(o, { echoed: { from: 'contract' } }) },
      fail: { fields: { Resource: `${FN}boom` }, error: 'BoomError', cause: /"errorMessage":"it broke"/ },
      wait: { fields: { Resource: `${FN}forever` } },
    },
    {
      name: 'lambda:invoke',
      succeed: {
        fields: { Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'echo', 'Payload.$': '$' } },
        output: (o) => {
          assert.ok(isObject(o ?? null));
          assert.deepEqual((o as { Payload: Json }).Payload, { echoed: { from: 'contract' } });
          assert.equal((o as { StatusCode: Json }).StatusCode, 200);
        },
      },
      fail: { fields: { Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'nothing-here' } }, error: 'Lambda.ResourceNotFoundException', cause: /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:nothing-here/ },
      wait: { fields: { Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'forever' } } },
    },
    {
      name: 'lambda:invoke.waitForTaskToken',
      succeed: {
        fields: { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'callback', Payload: tokenPayload } },
        play: answer({ k: 'succeeded', output: { approved: true } }),
        output: (o) => assert.deepEqual(o, { approved: true }),
      },
      fail: {
        fields: { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'callback', Payload: tokenPayload } },
        play: answer({ k: 'failed', error: 'Rejected', cause: 'not today' }),
        error: 'Rejected',
        cause: 'not today',
      },
      wait: {
        fields: { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'callback', Payload: tokenPayload } },
        // The task is over: its token no longer answers anything.
        letGo: async (h, arn) => assert.equal(await h.engine.tokens.complete(tokens.get(arn)!, { k: 'succeeded', output: {} }), false),
      },
    },
  ],
});
