/**
 * The console, used the way a person uses it: Playwright drives Debian's Chromium against a real server
 * (SQLite file, local Lambda functions). It designs a state machine (seeing a diagnostic on the line and
 * the node, then fixing it), starts an execution, sees states turn green and one red, opens the failing
 * step's error, redrives, approves a waiting step, stops a running execution, and reads the table, event
 * and log views; follows a Distributed Map's Map Run (counts, items/s, UpdateMapRun through its form,
 * Redrive). Screenshots of each view, at 1280×800 and at a narrow width, go to
 * test-artifacts/console/. It also times the drawing of a 200-state definition (printed, not asserted).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROLE, startTestServer, waitForEnd, type TestServer } from './helpers.js';

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM's types.
declare const document: { querySelectorAll(s: string): { length: number }; activeElement: { getAttribute(n: string): string | null } | null; documentElement: { scrollWidth: number } };
declare const requestAnimationFrame: (f: () => void) => void;
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const localStorage: { getItem(k: string): string | null };

const CHROMIUM = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'console');

const WORKFLOW = {
  Comment: 'Console test: check, charge (retried), wait for a person, ship.',
  StartAt: 'Validate',
  States: {
    Validate: { Type: 'Pass', Next: 'HasItems' },
    HasItems: {
      Type: 'Choice',
      Choices: [{ Variable: '$.items[0]', IsPresent: true, Next: 'Charge' }],
      Default: 'NoItems',
    },
    NoItems: { Type: 'Fail', Error: 'NoItems', Cause: 'The order has no items.' },
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:charge',
      ResultPath: '$.charge',
      Retry: [{ ErrorEquals: ['PaymentDeclined'], IntervalSeconds: 1, MaxAttempts: 1 }],
      Next: 'Approve',
    },
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'notify', Payload: { 'order.$': '$', 'token.$': '$$.Task.Token' } },
      ResultPath: '$.approval',
      Next: 'Ship',
    },
    Ship: { Type: 'Pass', Result: 'shipped', ResultPath: '$.shipping', End: true },
  },
};

/** 200 states: chains, a wide Choice, a Parallel of 3×20, a Map of 30, a retry loop. */
function bigDefinition(): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  let n = 0;
  const chain = (prefix: string, count: number, last: string, into: Record<string, unknown>) => {
    for (let i = 0; i < count; i++) into[`${prefix}${i}`] = { Type: 'Pass', ...(i < count - 1 ? { Next: `${prefix}${i + 1}` } : last === 'End' ? { End: true } : { Next: last }) };
    n += count;
  };
  chain('S', 40, 'Route', states);
  states.Route = { Type: 'Choice', Choices: Array.from({ length: 20 }, (_, i) => ({ Variable: '$.k', NumericEquals: i, Next: `C${i}` })), Default: 'Fan' };
  n++;
  for (let i = 0; i < 20; i++) {
    states[`C${i}`] = { Type: 'Pass', Next: 'Fan' };
    n++;
  }
  const branch = (b: number) => {
    const s: Record<string, unknown> = {};
    chain(`B${b}_`, 20, 'End', s);
    return { StartAt: `B${b}_0`, States: s };
  };
  states.Fan = { Type: 'Parallel', Branches: [branch(0), branch(1), branch(2)], Next: 'Items' };
  n++;
  const inner: Record<string, unknown> = {};
  chain('M', 30, 'End', inner);
  states.Items = { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'M0', States: inner }, Next: 'Poll' };
  n++;
  states.Poll = { Type: 'Wait', Seconds: 1, Next: 'Done?' };
  states['Done?'] = { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'T0' }], Default: 'Poll' };
  n += 2;
  chain('T', 200 - n - 1, 'Finish', states);
  states.Finish = { Type: 'Succeed' };
  return { StartAt: 'S0', States: states };
}

describe('console (Chromium)', { timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let functions: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
    assert.ok(existsSync(join(root, 'dist', 'console', 'app.js')), 'the console is built (npm run build)');
    functions = mkdtempSync(join(tmpdir(), 'stepwise-console-fn-'));
    // `charge` is declined until the file `fixed` exists beside it (a fix "deployed" before the redrive).
    writeFileSync(
      join(functions, 'charge.mjs'),
      `import { existsSync } from 'node:fs';
export const handler = async (order) => {
  if (!existsSync(${JSON.stringify(join(functions, 'fixed'))})) {
    const e = new Error('The card was declined.'); e.name = 'PaymentDeclined'; throw e;
  }
  return { charged: order.items.length * 10 };
};\n`,
    );
    writeFileSync(join(functions, 'notify.mjs'), 'export const handler = async () => ({ notified: true });\n');
    server = await startTestServer({ functionsDir: functions });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    // Nothing may be fetched from anywhere but the server.
    page.on('request', (r) => {
      if (!r.url().startsWith(server.endpoint) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`request to ${r.url()}`);
    });
    (page as unknown as { problems: string[] }).problems = problems;
    mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (functions) rmSync(functions, { recursive: true, force: true });
  });

  const problems = () => (page as unknown as { problems: string[] }).problems;
  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  };
  const narrowShot = async (name: string) => {
    await page.setViewportSize({ width: 420, height: 860 });
    await page.waitForTimeout(150);
    // The page itself never scrolls sideways (wide tables scroll in their own box).
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 420, `${name}: the page is ${width}px wide at 420px`);
    await page.screenshot({ path: join(shots, `${name}-narrow.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForTimeout(150);
  };
  const nodeStatus = (state: string) => page.locator(`.graph [data-state="${state}"]`).first().getAttribute('class');
  const waitNode = async (state: string, status: string, timeout = 15_000) => {
    await page.waitForSelector(`.graph [data-state="${state}"].st-${status}`, { timeout });
  };
  const currentExecutionArn = () => decodeURIComponent(page.url().split('#/executions/')[1]!.split('?')[0]!);

  it('opens on the state machines list', async () => {
    await page.goto(server.endpoint + '/');
    await page.getByRole('heading', { name: 'State machines' }).waitFor();
    await page.getByText('No state machines yet.').waitFor();
    await shot('01-state-machines-empty');
  });

  it('designs a state machine: a diagnostic on its line and node, then fixed and created', async () => {
    await page.getByRole('link', { name: 'Create state machine' }).click();
    await page.getByRole('heading', { name: 'New state machine' }).waitFor();
    await page.getByLabel('Name').fill('orders');
    const broken = JSON.parse(JSON.stringify(WORKFLOW));
    broken.States.Approve.Next = 'Shipp';
    const editor = page.getByLabel('Definition (Amazon States Language, JSON)');
    await editor.fill(JSON.stringify(broken, null, 2));
    // The graph follows the text; the server's diagnostic marks the state and its line.
    await page.waitForSelector('.graph [data-state="Charge"]');
    const diag = page.locator('.diag-error').first();
    await diag.waitFor();
    assert.match(await diag.innerText(), /Shipp/);
    await page.waitForSelector('.graph [data-state="Approve"].has-problem');
    assert.ok((await page.locator('.gutter .mark-error').count()) >= 1, 'the line is marked in the gutter');
    assert.ok(await page.getByRole('button', { name: 'Create' }).isDisabled(), 'cannot create with errors');
    await shot('02-designer-diagnostic');
    // A syntax error keeps the last graph and says where.
    await editor.fill(JSON.stringify(broken, null, 2).slice(0, -3));
    await page.locator('.diag-error', { hasText: 'JSON' }).first().waitFor();
    // A warning (a custom error name in the States. namespace, which AWS accepts) is shown, and does not block.
    const warned = JSON.parse(JSON.stringify(WORKFLOW));
    warned.States.Charge.Retry[0].ErrorEquals = ['States.QuorumMet'];
    await editor.fill(JSON.stringify(warned, null, 2));
    assert.match(await page.locator('.diag-warning').first().innerText(), /States\.QuorumMet/);
    assert.ok(await page.getByRole('button', { name: 'Create' }).isEnabled(), 'a warning does not stop Create');
    await editor.fill(JSON.stringify(WORKFLOW, null, 2));
    await page.getByText('The definition is valid.').waitFor();
    assert.equal(await page.locator('.graph .has-problem').count(), 0);
    await page.getByLabel('Log level').selectOption('ALL');
    await shot('03-designer-valid');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'orders' }).waitFor();
    await page.waitForSelector('.graph [data-state="Ship"]');
    // Choice edges carry their rule, the Default edge is marked.
    await page.locator('.edge-label', { hasText: 'Default' }).first().waitFor();
    await page.locator('.edge-label', { hasText: '$.items[0]' }).first().waitFor();
    await shot('04-state-machine');
  });

  let failedArn = '';
  it('starts an execution: states turn green, Charge turns red, and the failing step shows its error', async () => {
    await page.getByRole('button', { name: 'Start execution' }).click();
    const input = page.getByLabel('Execution input (JSON)');
    await input.fill('{ "orderId": "o-1", "items": [ ');
    await page.getByText('The input is not valid JSON').waitFor();
    assert.ok(await page.locator('dialog').getByRole('button', { name: 'Start execution' }).isDisabled());
    await input.fill('{ "orderId": "o-1", "items": ["desk", "lamp"] }');
    await page.locator('dialog').getByRole('button', { name: 'Start execution' }).click();
    await page.waitForURL(/#\/executions\//);
    failedArn = currentExecutionArn();
    await waitNode('Validate', 'succeeded');
    await waitNode('HasItems', 'succeeded');
    await waitNode('Charge', 'failed');
    assert.match((await nodeStatus('NoItems')) ?? '', /st-not-reached/);
    await page.locator('.page-head .status', { hasText: 'Failed' }).waitFor();
    // Opened on the failing state: its error, its cause and both attempts.
    const details = page.locator('.step-details');
    await details.getByRole('heading', { name: 'Charge' }).waitFor();
    await details.getByText('PaymentDeclined').first().waitFor();
    assert.match(await details.innerText(), /The card was declined/);
    assert.match(await details.innerText(), /Attempt 2/);
    assert.match(await details.innerText(), /back-off/);
    await shot('05-execution-failed');
    await narrowShot('05-execution-failed');
  });

  it('redrives the failed execution, then approves the step waiting on a task token', async () => {
    writeFileSync(join(functions, 'fixed'), '');
    await page.getByRole('button', { name: 'Redrive' }).click();
    await waitNode('Charge', 'succeeded');
    await waitNode('Approve', 'running');
    const waiting = page.getByRole('region', { name: 'Steps waiting for a decision' });
    await waiting.waitFor();
    await waiting.getByText('Input and token').click();
    assert.match(await waiting.innerText(), /"orderId": "o-1"/);
    await shot('06-execution-waiting');
    await waiting.locator('button.primary', { hasText: 'Approve' }).click();
    await page.getByLabel('Output (JSON)').fill('{ "approved": true, "by": "Ana" }');
    await page.locator('dialog').getByRole('button', { name: 'Approve' }).click();
    await waitNode('Ship', 'succeeded');
    await page.locator('.page-head .status', { hasText: 'Succeeded' }).waitFor();
    const d = await server.client.send(new DescribeExecutionCommand({ executionArn: failedArn }));
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.redriveCount, 1);
    assert.deepEqual(JSON.parse(d.output!).approval, { approved: true, by: 'Ana' });
    await shot('07-execution-succeeded');
  });

  it('shows the data flow of a step', async () => {
    await page.locator('.graph [data-state="Charge"]').first().click();
    const details = page.locator('.step-details');
    await details.getByText('After ResultPath').waitFor();
    assert.match(await details.innerText(), /"charged": 20/);
  });

  it('shows the table view with attempts and timeline bars', async () => {
    await page.getByRole('tab', { name: /Table/ }).click();
    const rows = page.locator('table.steps tbody tr');
    await rows.first().waitFor();
    const text = await page.locator('table.steps').innerText();
    for (const s of ['Validate', 'HasItems', 'Charge', 'Approve', 'Ship']) assert.match(text, new RegExp(s));
    assert.match(text, /[23] attempts/);
    assert.ok((await page.locator('table.steps .bar').count()) >= 5);
    await shot('08-table');
    await narrowShot('08-table');
  });

  it('shows the event view, filterable by type', async () => {
    await page.getByRole('tab', { name: /Events/ }).click();
    const table = page.locator('table.events');
    await table.waitFor();
    const all = await table.locator('tbody tr').count();
    const history = await server.client.send(new (await import('@aws-sdk/client-sfn')).GetExecutionHistoryCommand({ executionArn: failedArn, maxResults: 1000 }));
    assert.equal(all, Math.min(100, history.events!.length));
    // A Lambda function's scheduling is summed up by its ARN, without a stray colon before it.
    const summaries = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.ok(summaries.includes('arn:aws:lambda:us-east-1:123456789012:function:charge'), summaries.join(' | '));
    assert.ok(!summaries.some((s) => s.startsWith(':')), summaries.join(' | '));
    // The declined charges: a Lambda ARN as Resource records LambdaFunction* events.
    const failedType = history.events!.find((e) => /^(Task|LambdaFunction)Failed$/.test(e.type!))!.type!;
    await page.getByLabel('Type').selectOption(failedType);
    assert.equal(await table.locator('tbody tr').count(), history.events!.filter((e) => e.type === failedType).length);
    await table.locator('tbody tr').first().getByRole('button').click();
    await page.locator('tr.ev-details', { hasText: 'PaymentDeclined' }).waitFor();
    await shot('09-events');
  });

  it('exports the history as JSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const file = await download.path();
    const exported = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8')) as { execution: { executionArn: string }; events: { type: string }[] };
    assert.equal(exported.execution.executionArn, failedArn);
    assert.equal(exported.events[0]!.type, 'ExecutionStarted');
    assert.equal(exported.events.at(-1)!.type, 'ExecutionSucceeded');
  });

  it('jumps from a state to its logs', async () => {
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.locator('.graph [data-state="Charge"]').first().click();
    await page.getByRole('button', { name: 'Jump to logs' }).click();
    const table = page.locator('table.logs');
    await table.waitFor();
    const states = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.ok(states.length >= 2 && states.every((s) => s === 'Charge'), `only Charge's lines: ${states.join(', ')}`);
  });

  it('shows the logs at the configured level and at ERROR', async () => {
    await page.getByRole('tab', { name: /Logs/ }).click();
    await page.getByLabel('State').fill('');
    const table = page.locator('table.logs');
    await table.waitFor();
    const allLines = await table.locator('tbody tr').count();
    assert.ok(allLines > 10, `ALL logs every event (${allLines})`);
    await page.getByLabel('Level').selectOption('ERROR');
    await page.waitForFunction((n) => document.querySelectorAll('table.logs tbody tr').length < n, allLines);
    const errorText = await table.innerText();
    assert.match(errorText, /PaymentDeclined/);
    assert.doesNotMatch(errorText, /PassStateEntered/);
    await shot('10-logs');
  });

  it('starts it again with the same input, and stops it while it waits', async () => {
    await page.getByRole('button', { name: 'Start again' }).click();
    assert.match(await page.getByLabel('Execution input (JSON)').inputValue(), /"o-1"/);
    await page.locator('dialog').getByRole('button', { name: 'Start execution' }).click();
    await page.waitForURL((u) => u.hash.includes('/executions/') && !decodeURIComponent(u.hash).includes(failedArn));
    await waitNode('Approve', 'running');
    await page.locator('.live').waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('dialog').getByRole('button', { name: 'Stop execution' }).click();
    await page.locator('.page-head .status', { hasText: 'Aborted' }).waitFor();
    await waitNode('Approve', 'cancelled');
    const d = await waitForEnd(server.client, currentExecutionArn());
    assert.equal(d.status, 'ABORTED');
    await shot('11-execution-aborted');
  });

  it('lists executions with filters', async () => {
    await page.getByRole('link', { name: 'Executions', exact: true }).first().click();
    await page.locator('table.list tbody tr').first().waitFor();
    assert.equal(await page.locator('table.list tbody tr').count(), 2);
    await page.getByLabel('Status').selectOption('ABORTED');
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 1);
    const all = await server.client.send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:orders`, statusFilter: 'ABORTED' }));
    assert.equal(all.executions!.length, 1);
    await page.getByLabel('Status').selectOption('');
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 2);
    await shot('12-executions');
    await narrowShot('12-executions');
    await page.getByRole('link', { name: 'State machines' }).first().click();
    await page.locator('table.list', { hasText: 'orders' }).waitFor();
    await shot('13-state-machines');
  });

  it('says why "Start execution" is disabled until a state machine is chosen', async () => {
    await page.getByRole('link', { name: 'Executions', exact: true }).first().click();
    await page.locator('table.list tbody tr').first().waitFor();
    const button = page.locator('.page-head').getByRole('button', { name: 'Start execution' });
    assert.ok(await button.isDisabled());
    const hint = page.locator('.page-head').getByText('To start an execution, choose its state machine in the filter below.');
    assert.ok(await hint.isVisible(), 'the reason is on the page');
    assert.equal(await button.getAttribute('aria-describedby'), await hint.getAttribute('id'));
    await shot('20-executions-start-hint');
    await page.getByLabel('State machine').selectOption({ label: 'orders' });
    await page.locator('.page-head button.primary:not([disabled])', { hasText: 'Start execution' }).waitFor();
    assert.equal(await hint.count(), 0);
  });

  it('lists every step waiting on a token, marks its execution, and approves and rejects from there; the token is shown whole', async () => {
    const def = {
      StartAt: 'Review',
      States: {
        Review: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'notify', Payload: { 'doc.$': '$.doc', 'token.$': '$$.Task.Token' } },
          TimeoutSeconds: 86400,
          End: true,
        },
      },
    };
    const created = await server.client.send(new CreateStateMachineCommand({ name: 'reviews', definition: JSON.stringify(def), roleArn: ROLE }));
    const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    const a = await server.client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, name: 'review-a', input: '{"doc":"a"}' }));
    const b = await server.client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, name: 'review-b', input: '{"doc":"b"}' }));
    let open: { executionArn: string; token: string }[] = [];
    for (let i = 0; i < 200 && open.length < 2; i++) {
      open = ((await (await fetch(`${server.endpoint}/console/api/tasks`)).json()) as { tasks: { executionArn: string; token: string }[] }).tasks;
      if (open.length < 2) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(open.length, 2);
    const tokenOf = (arn: string) => open.find((t) => t.executionArn === arn)!.token;
    // The executions list marks both.
    await page.getByRole('link', { name: 'Executions', exact: true }).first().click();
    const rowA = page.locator('table.list tbody tr', { hasText: 'review-a' });
    await rowA.locator('.tag-waiting', { hasText: 'waits on a task token' }).waitFor();
    assert.equal(await page.locator('table.list .tag-waiting').count(), 2);
    assert.equal(await page.locator('table.list tbody tr', { hasText: 'Succeeded' }).locator('.tag-waiting').count(), 0);
    await shot('21-executions-waiting');
    await rowA.locator('.tag-waiting').click();
    await page.getByRole('heading', { name: 'Waiting for people' }).waitFor();
    const rows = page.locator('table.waiting-list tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const text = await page.locator('table.waiting-list').innerText();
    for (const s of ['Review', 'review-a', 'review-b', 'reviews']) assert.match(text, new RegExp(s));
    // A timeout says when it fires, not how many seconds it has.
    assert.match(text, /times out 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC\S* \(in 2[34] h \d+ min\)/);
    assert.doesNotMatch(text, /86400/);
    const first = rows.filter({ hasText: 'review-a' });
    await first.getByText('Input and token').click();
    assert.match(await first.innerText(), /"doc": "a"/);
    await shot('22-waiting');
    await narrowShot('22-waiting');
    // Approve review-a: the dialog shows the whole token, wrapped, and copies it.
    await page.getByRole('button', { name: 'Approve Review of review-a' }).click();
    const dialog = page.locator('dialog');
    const token = dialog.locator('.token-text');
    await token.waitFor();
    assert.equal(await token.innerText(), tokenOf(a.executionArn!));
    const fits = await token.evaluate((el: any) => el.scrollWidth <= el.clientWidth);
    assert.ok(fits, 'the token wraps inside its box, nothing is clipped');
    const tb = (await token.boundingBox())!;
    const db = (await dialog.boundingBox())!;
    assert.ok(tb.x >= db.x && tb.x + tb.width <= db.x + db.width, 'the token is inside the dialog');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.endpoint });
    await dialog.getByRole('button', { name: 'Copy task token' }).click();
    await dialog.getByRole('button', { name: 'Copy task token' }).filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), tokenOf(a.executionArn!));
    await shot('23-approve-dialog');
    await page.getByLabel('Output (JSON)').fill('{ "ok": true }');
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.waiting-list tbody tr').length === 1);
    await page.getByRole('button', { name: 'Reject Review of review-b' }).click();
    await page.getByLabel('Cause').fill('Not this one.');
    await page.locator('dialog').getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByText('No step is waiting on a task token.').waitFor();
    const da = await waitForEnd(server.client, a.executionArn!);
    const dbx = await waitForEnd(server.client, b.executionArn!);
    assert.deepEqual([da.status, da.output], ['SUCCEEDED', '{"ok":true}']);
    assert.deepEqual([dbx.status, dbx.error, dbx.cause], ['FAILED', 'Rejected', 'Not this one.']);
  });

  it('draws Parallel branches and a Map as containers, a caught Map, and picks a Map iteration', async () => {
    const def = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
            { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
          ],
          ResultPath: null,
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Check',
            States: {
              Check: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 2, Next: 'TooBig' }], Default: 'Fine' },
              TooBig: { Type: 'Fail', Error: 'TooBig', Cause: 'The item is over 2.' },
              Fine: { Type: 'Pass', End: true },
            },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }],
          Next: 'Done',
        },
        Recover: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    const created = await server.client.send(new CreateStateMachineCommand({ name: 'fan-and-map', definition: JSON.stringify(def), roleArn: ROLE }));
    const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    const started = await server.client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, input: JSON.stringify({ items: [1, 2, 3] }) }));
    assert.equal((await waitForEnd(server.client, started.executionArn!)).status, 'SUCCEEDED');
    await page.goto(`${server.endpoint}/#/executions/${encodeURIComponent(started.executionArn!)}`);
    await waitNode('Left', 'succeeded');
    await waitNode('Right', 'succeeded');
    await waitNode('Fan', 'succeeded');
    await waitNode('Each', 'caught');
    await waitNode('Recover', 'succeeded');
    assert.match((await nodeStatus('Done')) ?? '', /st-not-reached/);
    assert.equal(await page.locator('.graph .container.kind-branch').count(), 2, 'two branch boxes inside the Parallel');
    await page.locator('.edge-label', { hasText: 'States.ALL' }).first().waitFor();
    await shot('15-execution-parallel-map');
    // The iteration picker: item 0 went the Default way, item 2 failed.
    const picker = page.getByLabel('Map iteration');
    await picker.selectOption('0');
    await waitNode('Fine', 'succeeded');
    assert.match((await nodeStatus('TooBig')) ?? '', /st-not-reached/);
    await picker.selectOption('2');
    await waitNode('TooBig', 'failed');
    assert.match((await nodeStatus('Fine')) ?? '', /st-not-reached/);
    await page.locator('.graph [data-state="TooBig"]').first().click();
    await page.locator('.step-details', { hasText: 'The item is over 2.' }).waitFor();
    await shot('16-map-iteration');
  });

  it('publishes a version and deletes a state machine', async () => {
    await page.getByRole('link', { name: 'fan-and-map' }).click();
    await page.getByRole('heading', { name: 'fan-and-map' }).waitFor();
    await page.getByRole('tab', { name: 'Versions and aliases' }).click();
    await page.getByText('No versions published.').waitFor();
    await page.getByRole('button', { name: 'Publish a version' }).click();
    await page.locator('table.list tbody tr', { hasText: '1' }).first().waitFor();
    await shot('17-versions');
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.locator('dialog').getByRole('button', { name: 'Delete' });
    assert.ok(await confirm.isDisabled(), 'the name must be typed first');
    await page.getByLabel('Type fan-and-map to confirm').fill('fan-and-map');
    await confirm.click();
    await page.getByRole('heading', { name: 'State machines' }).waitFor();
    await page.locator('table.list', { hasText: 'orders' }).waitFor();
    assert.equal(await page.locator('table.list tbody tr', { hasText: 'fan-and-map' }).count(), 0);
  });

  it('draws a 200-state definition, and it can be panned, zoomed and fitted from the keyboard', async () => {
    const def = bigDefinition();
    assert.equal(Object.keys(def.States as object).length + 20 * 3 + 30, 200);
    const created = await server.client.send(new CreateStateMachineCommand({ name: 'big', definition: JSON.stringify(def), roleArn: ROLE }));
    await page.evaluate(() => performance.clearMarks());
    const t0 = Date.now();
    await page.goto(`${server.endpoint}/#/state-machines/${encodeURIComponent(created.stateMachineArn!)}`);
    await page.waitForSelector('.graph [data-state="Finish"]');
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const wall = Date.now() - t0;
    const marks = await page.evaluate(() => {
      const get = (n: string) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
      return { start: get('stepwise:layout-start'), end: get('stepwise:layout-end'), committed: get('stepwise:graph-committed'), now: performance.now() };
    });
    const layoutMs = marks.end - marks.start;
    const drawMs = marks.now - marks.start;
    console.log(`# 200-state graph in Chromium: layout ${layoutMs.toFixed(1)} ms, layout+render+paint ${drawMs.toFixed(1)} ms, page load to drawn ${wall} ms`);
    writeFileSync(join(shots, 'graph-200-timing.json'), JSON.stringify({ states: 200, layoutMs, drawMs, wallMs: wall }, null, 2));
    assert.ok(Number.isFinite(layoutMs) && Number.isFinite(drawMs));
    assert.equal(await page.locator(".graph [data-state]").count(), 200);
    await shot('14-graph-200');
    // Keyboard: focus the canvas, zoom in, pan, fit.
    await page.locator('.graph-canvas').focus();
    const zoom = () => page.locator('.graph-tools .zoom').innerText();
    const first = await zoom();
    assert.ok(parseInt(first, 10) >= 55, `the first view is readable (${first})`);
    await page.keyboard.press('0');
    const fitted = await zoom();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    assert.notEqual(await zoom(), fitted);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('0');
    assert.equal(await zoom(), fitted);
    // Tab reaches the states; Enter selects one.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-state'));
    assert.ok(focused, 'a state has the focus');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.graph [aria-pressed="true"]').count(), 1);
  });

  let tallArn = '';
  it('opens a tall failed execution on its failing state; Fit keeps the text readable and the wheel scrolls the rest', async () => {
    const states: Record<string, unknown> = {};
    for (let i = 0; i < 24; i++) states[`Step${i}`] = { Type: 'Pass', Next: i < 23 ? `Step${i + 1}` : 'Broken' };
    states.Broken = { Type: 'Fail', Error: 'Broken', Cause: 'The last state fails.' };
    const created = await server.client.send(new CreateStateMachineCommand({ name: 'tall', definition: JSON.stringify({ StartAt: 'Step0', States: states }), roleArn: ROLE }));
    const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    const started = await server.client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, input: '{}' }));
    assert.equal((await waitForEnd(server.client, started.executionArn!)).status, 'FAILED');
    tallArn = started.executionArn!;
    await page.goto(`${server.endpoint}/#/executions/${encodeURIComponent(started.executionArn!)}`);
    await waitNode('Broken', 'failed');
    await page.waitForTimeout(100);
    const zoom = async () => parseInt(await page.locator('.graph-tools .zoom').innerText(), 10);
    const canvas = (await page.locator('.graph-canvas').boundingBox())!;
    const inView = async (selector: string) => {
      const b = (await page.locator(selector).first().boundingBox())!;
      return b.x >= canvas.x && b.y >= canvas.y && b.x + b.width <= canvas.x + canvas.width && b.y + b.height <= canvas.y + canvas.height;
    };
    assert.ok(await inView('.graph [data-state="Broken"]'), 'the failing state is in view');
    assert.ok((await zoom()) >= 75, `readable (${await zoom()}%)`);
    await shot('18-tall-failed');
    // Fit: the width at a readable size, from the top; the rest is scrolled to.
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    const fitted = await zoom();
    assert.ok(fitted >= 75, `Fit stays readable (${fitted}%)`);
    assert.ok(await inView('.graph .terminal'), 'Fit shows the top of the graph');
    assert.ok(!(await inView('.graph [data-state="Broken"]')));
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    for (let i = 0; i < 10; i++) await page.mouse.wheel(0, 400);
    await page.waitForTimeout(100);
    assert.equal(await zoom(), fitted, 'the wheel scrolls, it does not zoom');
    assert.ok(await inView('.graph [data-state="Broken"]'), 'scrolled down to the last state');
    await shot('19-tall-scrolled');
  });

  it('shows times with their time zone, or in UTC when asked, and keeps the choice', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'America/New_York' });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      const d = await server.client.send(new DescribeExecutionCommand({ executionArn: tallArn }));
      await p.goto(`${server.endpoint}/#/executions/${encodeURIComponent(tallArn)}`);
      const meta = p.locator('.page-head .meta');
      await meta.waitFor();
      // December in New York: UTC-05:00.
      const local = new Date(d.startDate!.getTime() - 5 * 3600_000).toISOString().replace('T', ' ').replace('Z', '');
      assert.match(await meta.innerText(), new RegExp(`Started ${local.replace(/\./g, '\\.')} UTC-05:00`));
      assert.match(await p.getByLabel('Time zone').locator('option:checked').innerText(), /America\/New_York \(UTC-05:00\)/);
      await p.getByLabel('Time zone').selectOption('utc');
      const utc = d.startDate!.toISOString().replace('T', ' ').replace('Z', ' UTC');
      await p.locator('.page-head .meta', { hasText: `Started ${utc}` }).waitFor();
      await p.getByRole('tab', { name: /Events/ }).click();
      const cells = await p.locator('table.events tbody tr td:nth-child(5)').allInnerTexts();
      assert.ok(cells.length > 0 && cells.every((c) => / UTC$/.test(c)), cells.slice(0, 3).join(' | '));
      await p.reload();
      await p.locator('.page-head .meta', { hasText: `Started ${utc}` }).waitFor();
      assert.equal(await p.evaluate(() => localStorage.getItem('stepwise.timeZone')), 'utc');
      await p.screenshot({ path: join(shots, '24-times-utc.png') });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  const count = (name: string) => page.locator(`[data-count="${name}"]`).innerText();
  const waitCount = async (name: string, value: string, timeout = 15_000) => {
    await page.locator(`[data-count="${name}"]`, { hasText: new RegExp(`^${value}$`) }).waitFor({ timeout });
  };

  it("follows a Distributed Map's Map Run: linked from the graph and listed, counts live, maxConcurrency raised through the form, then its succeeded counts", async () => {
    const items = Array.from({ length: 12 }, (_, i) => i + 1);
    const def = {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'Fan' },
        Fan: {
          Type: 'Map',
          MaxConcurrency: 1,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 2, End: true } } },
          End: true,
        },
      },
    };
    const created = await server.client.send(new CreateStateMachineCommand({ name: 'fan-out', definition: JSON.stringify(def), roleArn: ROLE }));
    const { StartExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand } = await import('@aws-sdk/client-sfn');
    const started = await server.client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, name: 'fan-1', input: JSON.stringify(items) }));
    let runArn = '';
    for (let i = 0; i < 200 && !runArn; i++) {
      runArn = (await server.client.send(new ListMapRunsCommand({ executionArn: started.executionArn! }))).mapRuns?.[0]?.mapRunArn ?? '';
      if (!runArn) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(runArn, 'the Map Run started');

    // The execution: the Distributed Map's node links to its Map Run; the Map Runs tab lists it.
    await page.goto(`${server.endpoint}/#/executions/${encodeURIComponent(started.executionArn!)}`);
    const link = page.locator('.graph .graph-link[data-link-of="Fan"]');
    await link.waitFor();
    assert.equal(await link.getAttribute('aria-label'), 'Open the Map Run of Fan');
    assert.equal(decodeURIComponent((await link.getAttribute('href'))!), `#/map-runs/${runArn}`);
    await shot('25-execution-map-run-link');
    // The Map's iterations are not in this history: no iteration picker; the step details link to the run too.
    assert.equal(await page.getByLabel('Map iteration').count(), 0);
    // (Selected from the keyboard: a running container's border is animated, never "stable" for a click.)
    await page.locator('.graph [data-state="Fan"]').first().focus();
    await page.keyboard.press('Enter');
    const detailsLink = page.locator('.step-details').getByRole('link', { name: 'Open its Map Run' });
    assert.equal(decodeURIComponent((await detailsLink.getAttribute('href'))!), `#/map-runs/${runArn}`);
    await page.getByRole('tab', { name: /Map Runs/ }).click();
    const row = page.locator('table.map-runs tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    await row.locator('.status', { hasText: 'Running' }).waitFor();
    assert.match(await row.innerText(), /Fan/);
    assert.equal(decodeURIComponent((await row.getByRole('link').first().getAttribute('href'))!), `#/map-runs/${runArn}`);
    await shot('25-execution-map-runs');
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.locator('.graph .graph-link[data-link-of="Fan"]').click();

    // The Map Run view: running, one at a time.
    await page.waitForURL((u) => decodeURIComponent(u.hash) === `#/map-runs/${runArn}`);
    await page.getByRole('heading', { name: /Map Run Fan/, level: 1 }).waitFor();
    await page.locator('.page-head h1 .status', { hasText: 'Running' }).waitFor();
    await waitCount('items-running', '1');
    await waitCount('items-total', '12');
    await waitCount('executions-total', '12');
    assert.ok(Number(await count('items-pending')) >= 9, `pending: ${await count('items-pending')}`);
    assert.equal(await page.locator('[data-limit="maxConcurrency"]').innerText(), '1');
    assert.equal(await page.locator('.progress-bar').count(), 2);
    await shot('26-map-run');

    // Child executions: ListExecutions with the mapRunArn, filtered; none to list, said plainly.
    const children = page.getByRole('region', { name: 'Child executions' });
    await children.getByText('No child executions to list.').waitFor();
    assert.match(await children.innerText(), /iterations run inside the parent execution/);
    const filtered = page.waitForRequest((r) => r.headers()['x-amz-target'] === 'AWSStepFunctions.ListExecutions' && JSON.parse(r.postData() ?? '{}').statusFilter === 'FAILED');
    await children.getByLabel('Status').selectOption('FAILED');
    const sent = JSON.parse((await filtered).postData()!);
    assert.equal(sent.mapRunArn, runArn);
    assert.equal(sent.maxResults, 25);
    await children.getByText('No child executions match these filters.').waitFor();
    assert.match(decodeURIComponent(page.url()), /status=FAILED/);
    await children.getByLabel('Status').selectOption('');

    // AWS's validation error is shown as it is.
    const form = page.getByRole('form', { name: 'Update the limits' });
    await form.getByLabel('Tolerated failure percentage').fill('150');
    await form.getByRole('button', { name: 'Update Map Run' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /ValidationException/);
    assert.match(await alert.innerText(), /toleratedFailurePercentage/);
    assert.match(await alert.innerText(), /less than or equal to 100/);
    await form.getByLabel('Tolerated failure percentage').fill('');
    // Nothing to change: AWS's own refusal.
    await form.getByRole('button', { name: 'Update Map Run' }).click();
    await form.getByRole('alert').filter({ hasText: 'At least one of' }).waitFor();
    // The browser logs each refused request (400) on its console: these two were asked for.
    const refused = problems().filter((p) => /status of 400/.test(p));
    assert.equal(refused.length, 2, problems().join(' | '));
    problems().splice(0, problems().length, ...problems().filter((p) => !/status of 400/.test(p)));
    await shot('26-map-run-update-refused');

    // More concurrency: more iterations run at once.
    await form.getByLabel('Max concurrency').fill('4');
    await form.getByRole('button', { name: 'Update Map Run' }).click();
    await form.getByText('Updated: max concurrency 4.').waitFor();
    await waitCount('items-running', '4');
    await page.locator('[data-limit="maxConcurrency"]', { hasText: '4' }).waitFor();
    const described = await server.client.send(new DescribeMapRunCommand({ mapRunArn: runArn }));
    assert.equal(described.maxConcurrency, 4);
    // Items per second, measured while it runs.
    await page.waitForFunction(() => Number((document as any).querySelector('.rate')?.getAttribute('data-rate')) > 0, undefined, { timeout: 15_000 });
    assert.match(await page.locator('.rate').innerText(), /Items per second: \d+\.\d+ over the last \d+ s/);
    await narrowShot('26-map-run-running');

    // It ends: the counts say so, the form is gone.
    await page.locator('.page-head h1 .status', { hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    await waitCount('items-succeeded', '12');
    await waitCount('executions-succeeded', '12');
    for (const k of ['pending', 'running', 'failed', 'timedOut', 'aborted']) assert.equal(await count(`items-${k}`), '0', k);
    await page.getByText('The Map Run has ended: its limits can no longer be changed.').waitFor();
    assert.equal(await page.getByRole('form', { name: 'Update the limits' }).count(), 0);
    assert.match(await page.locator('.rate').innerText(), /Items per second: \d+\.\d+ on average/);
    assert.equal(await page.getByRole('button', { name: 'Redrive' }).count(), 0, 'a succeeded execution cannot be redriven');
    const end = await server.client.send(new DescribeMapRunCommand({ mapRunArn: runArn }));
    assert.equal(end.status, 'SUCCEEDED');
    assert.equal(end.itemCounts!.succeeded, 12);
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await shot('27-map-run-succeeded');
    // The parent: its Map Runs tab says Succeeded.
    await page.locator('.page-head .meta').getByRole('link', { name: 'fan-1' }).click();
    await page.getByRole('tab', { name: /Map Runs/ }).click();
    await page.locator('table.map-runs tbody tr .status', { hasText: 'Succeeded' }).waitFor();
  });

  it('redrives a failed Map Run from its view: the Redrive button is shown while the parent can be redriven', async () => {
    const def = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Check',
            States: {
              Check: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 2, Next: 'Bad' }], Default: 'Good' },
              Bad: { Type: 'Fail', Error: 'BadItem', Cause: 'Item 2 is bad.' },
              Good: { Type: 'Succeed' },
            },
          },
          End: true,
        },
      },
    };
    const created = await server.client.send(new CreateStateMachineCommand({ name: 'fan-fails', definition: JSON.stringify(def), roleArn: ROLE }));
    const { StartExecutionCommand, DescribeMapRunCommand, ListMapRunsCommand } = await import('@aws-sdk/client-sfn');
    const started = await server.client.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn!, input: '[1, 2, 3]' }));
    assert.equal((await waitForEnd(server.client, started.executionArn!)).status, 'FAILED');
    const runArn = (await server.client.send(new ListMapRunsCommand({ executionArn: started.executionArn! }))).mapRuns![0]!.mapRunArn!;
    await page.goto(`${server.endpoint}/#/map-runs/${encodeURIComponent(runArn)}`);
    await page.locator('.page-head h1 .status', { hasText: 'Failed' }).waitFor();
    await waitCount('items-failed', '1');
    await waitCount('items-total', '3');
    const redrive = page.getByRole('button', { name: 'Redrive' });
    await redrive.waitFor();
    assert.match(await page.locator('#redrive-hint').innerText(), /failed or were aborted run again/);
    await shot('28-map-run-failed');
    await redrive.click();
    // The same Map Run, redriven once; item 2 fails again.
    await page.locator('.page-head .meta', { hasText: 'redriven 1×' }).waitFor({ timeout: 15_000 });
    await page.locator('.page-head h1 .status', { hasText: 'Failed' }).waitFor({ timeout: 15_000 });
    const d = await waitForEnd(server.client, started.executionArn!);
    assert.equal(d.redriveCount, 1);
    const run = await server.client.send(new DescribeMapRunCommand({ mapRunArn: runArn }));
    assert.equal(run.redriveCount, 1);
    assert.equal(run.status, 'FAILED');
    await waitCount('items-failed', '1');
    await page.getByRole('button', { name: 'Redrive' }).waitFor();
  });

  it('made no request outside the server and logged no error', () => {
    assert.deepEqual(problems(), []);
  });
});
