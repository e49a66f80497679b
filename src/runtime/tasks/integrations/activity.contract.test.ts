import assert from 'node:assert/strict';
import { MemoryStore } from '../../../store/memory/memory-store.js';
import type { Json } from '../../../shared/json.js';
import { Engine } from '../../engine.js';
import { runIntegrationContract, type ContractHost } from './contract.js';

const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:contract-worker';

async function host(): Promise<ContractHost> {
  const store = new MemoryStore();
  await store.putActivity({ activityArn: ACTIVITY, name: 'contract-worker', creationDate: Date.now() });
  const engine = new Engine({ store, region: 'us-east-1', accountId: '123456789012', waitTimeScale: 0.05 });
  await engine.init();
  return { engine, close: () => engine.close() };
}

/** The token of the task the last worker took. */
let held: string | undefined;

/** A worker (GetActivityTask) that takes the next task and answers as told (or holds it). */
const worker = (answer: (input: Json) => { k: 'succeeded'; output: Json } | { k: 'failed'; error: string; cause: string } | undefined) => async (h: ContractHost) => {
  let task;
  while (!(task = await h.engine.activities.poll(ACTIVITY, 'contract-worker', 1000)));
  held = task.taskToken;
  const outcome = answer(task.input);
  if (outcome) assert.equal(await h.engine.tokens.complete(task.taskToken, outcome), true);
};

runIntegrationContract({
  name: 'activity',
  host,
  cases: [
    {
      name: 'an activity',
      succeed: { fields: { Resource: ACTIVITY }, play: worker((input) => ({ k: 'succeeded', output: { worked: input } })), output: (o) => assert.deepEqual(o, { worked: { from: 'contract' } }) },
      fail: { fields: { Resource: ACTIVITY }, play: worker(() => ({ k: 'failed', error: 'Worker.Failed', cause: 'could not' })), error: 'Worker.Failed', cause: 'could not' },
      wait: {
        fields: { Resource: ACTIVITY },
        play: worker(() => undefined),
        // The task is over: the worker's token no longer answers anything (SendTaskSuccess: TaskTimedOut).
        letGo: async (h) => assert.equal(await h.engine.tokens.complete(held!, { k: 'succeeded', output: {} }), false),
      },
    },
  ],
});
