// The operator dashboard in headless Chromium: one user with three sockets (opened by stream-chat, as a
// leaky integration would) and one with a single socket; the dashboard must flag the first with 3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { apiKey, apiSecret, baseURL, connect, disconnectAll, uid, TIMEOUT } from '../lib/parley.mjs';

const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.PARLEY_SCREENSHOT || join('..', 'target', 'dashboard.png');

const triple = uid('triple');
const single = uid('single');
const clients = [];
let profile;
let context;

before(async () => {
  for (let i = 0; i < 3; i++) {
    clients.push((await connect({ id: triple, name: 'Leaky Integration' })).client);
  }
  clients.push((await connect({ id: single, name: 'Well Behaved' })).client);
  profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  if (profile) {
    rmSync(profile, { recursive: true, force: true });
  }
  await disconnectAll(...clients);
});

test('dashboard flags the user with three sockets and keeps no secret in the browser', { timeout: TIMEOUT * 3 }, async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  const failures = [];
  page.on('pageerror', (e) => failures.push(e.message));
  page.on('console', (m) => m.type() === 'error' && failures.push(m.text()));

  await page.goto(`${baseURL}/dashboard`);
  await page.fill('#api-key', apiKey);
  await page.fill('#api-secret', apiSecret);
  await page.click('#sign-in-form button[type=submit]');

  const row = page.locator(`#duplicates tr[data-user="${triple}"]`);
  await row.waitFor({ timeout: TIMEOUT });
  assert.equal((await row.locator('td.count').textContent()).trim(), '3');
  assert.equal(await page.locator(`#duplicates tr[data-user="${single}"]`).count(), 0);
  assert.ok(Number(await page.textContent('#live-connections')) >= 4);
  assert.ok(Number(await page.textContent('#mau-current')) >= 2);

  await row.locator('button').click();
  await page.locator('#duplicates tr.details').first().waitFor();
  assert.equal(await page.locator('#duplicates tr.details').count(), 3);
  assert.match(await page.locator('#duplicates tr.details').first().textContent(), /stream-chat-js/);

  await page.fill('#search-user', single);
  await page.click('#search-form button[type=submit]');
  await page.locator('#search-results tbody tr').first().waitFor();
  assert.equal(await page.locator('#search-results tbody tr').count(), 1);

  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
  assert.ok(!stored.includes(apiSecret), 'the API secret must not be kept in browser storage');
  assert.ok(stored.includes('parley.admin'), 'the admin session token is kept in sessionStorage');
  assert.equal(await page.inputValue('#api-secret'), '');

  await page.waitForFunction(() => document.querySelector('#concurrency-chart').width > 0);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.deepEqual(failures, []);
});
