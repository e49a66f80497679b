// Asks a person to approve an order. It does not decide anything: it records the request, with the task
// token the decision must come back with, as one JSON line in an approvals file (ORDER_APPROVALS_FILE,
// default .stepwise/approvals.jsonl), and prints how to answer. The workflow waits until someone runs
// `stepwise approve TOKEN` or `stepwise reject TOKEN` (SendTaskSuccess / SendTaskFailure).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const handler = async (request) => {
  const file = resolve(process.env.ORDER_APPROVALS_FILE || '.stepwise/approvals.jsonl');
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify({ ...request, requestedAt: new Date().toISOString() }) + '\n');
  if (!process.env.ORDER_APPROVALS_QUIET) {
    console.log(
      [
        `Order ${request.orderId} for ${request.customer} (${request.total} ${request.currency}) needs approval. Decide with:`,
        `  npx stepwise approve ${request.taskToken} --output '{"approved": true, "by": "YOUR NAME"}'`,
        `  npx stepwise reject ${request.taskToken} --error OrderRejected --cause 'WHY'`,
      ].join('\n'),
    );
  }
  return { requested: true, file };
};
