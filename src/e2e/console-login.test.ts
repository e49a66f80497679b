/**
 * The console behind a login, when the server requires signed requests: in real Chromium, the page asks
 * for an access key and its secret, refuses a wrong one, and once signed in works as usual (its requests
 * carry the session cookie instead of a signature); the console's read endpoints refuse anyone without
 * a session, and signing out ends it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../cli/serve.js';
import { REGION, ROLE } from './helpers.js';

const CHROMIUM = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';
const KEY = { accessKeyId: 'AKIDCONSOLE', secretAccessKey: 'console-secret' };
let dir = '';
let running: RunningServer;
let endpoint = '';
let browser: Browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-console-login-'));
  running = await startServer({ port: 0, host: '127.0.0.1', region: REGION, accountId: '123456789012', db: join(dir, 'db.sqlite'), credentials: [KEY] }, () => {});
  endpoint = `http://127.0.0.1:${running.port}`;
  const c = new SFNClient({ endpoint, region: REGION, credentials: KEY, maxAttempts: 1 });
  await c.send(new CreateStateMachineCommand({ name: 'behind-login', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
  c.destroy();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console (Chromium) behind a login', () => {
  it('asks to sign in, refuses a wrong secret, then shows the state machines; signing out ends the session', async () => {
    const page = await browser.newPage();
    await page.goto(`${endpoint}/#/state-machines`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Access key ID').fill(KEY.accessKeyId);
    await page.getByLabel('Secret access key').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    await page.getByLabel('Secret access key').fill(KEY.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'behind-login' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'stepwise_session');
    assert.ok(cookie?.httpOnly, 'the session is an HttpOnly cookie');
    assert.equal(cookie?.sameSite, 'Strict');
    // Signed out, the same cookie no longer opens anything.
    const out = await page.request.post(`${endpoint}/console/logout`);
    assert.equal(out.status(), 200);
    const again = await fetch(`${endpoint}/console/api/state-machines`, { headers: { cookie: `stepwise_session=${cookie!.value}` } });
    assert.equal(again.status, 403);
    await page.close();
  });

  it('without a session the console’s endpoints and the API refuse; the page itself holds no data', async () => {
    const api = await fetch(`${endpoint}/console/api/state-machines`);
    assert.equal(api.status, 403);
    assert.equal(((await api.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const aws = await fetch(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines', cookie: 'stepwise_session=made-up' }, body: '{}' });
    assert.equal(aws.status, 403);
    const pageHtml = await (await fetch(`${endpoint}/`)).text();
    assert.ok(!pageHtml.includes('behind-login'));
  });
});
