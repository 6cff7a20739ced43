// The operator dashboard in headless Chromium: one user with three sockets (opened by stream-chat, as a
// leaky integration would) and one with a single socket; the dashboard must flag the first with 3, and its
// nodes panel must say the server runs alone.
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
  await page.locator('#single-node').waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.equal((await page.textContent('#single-node')).trim(), 'Single node (not clustered).');
  assert.ok(await page.locator('#nodes').isHidden());

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

  // A cluster needs Redis and PostgreSQL, so its answer is played to the page: the rows come sorted by id,
  // with ages in seconds, and a node id that looks like markup stays text.
  const hostile = '<img src=x id=injected>';
  const ago = (s) => new Date(Date.now() - s * 1000).toISOString();
  await page.route('**/parley/nodes?*', (route) => route.fulfill({ json: { clustered: true, nodes: [
    { node_id: 'node-b', address: '10.0.0.2:8081', connections: 3, last_heartbeat: ago(1), this_node: false },
    { node_id: hostile, address: '', connections: 0, last_heartbeat: ago(6), this_node: false },
    { node_id: 'node-a', address: '10.0.0.1:8080', connections: 1, last_heartbeat: ago(2), this_node: true },
  ] } }));
  await page.locator('#nodes tbody tr').first().waitFor({ timeout: TIMEOUT });
  assert.ok(await page.locator('#single-node').isHidden());
  const rows = await page.$$eval('#nodes tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), [hostile, 'node-a', 'node-b']);
  assert.deepEqual(rows.map((r) => r[1]), ['-', '10.0.0.1:8080', '10.0.0.2:8081']);
  assert.deepEqual(rows.map((r) => r[2]), ['0', '1', '3']);
  for (const [, , , age] of rows) {
    assert.match(age, /^\d+ s ago$/);
  }
  assert.ok(parseInt(rows[0][3], 10) >= 6);
  assert.equal(await page.locator('#injected').count(), 0);

  // Webhook health: the real answer of a server without hooks first, then a played one with dead letters.
  await page.locator('#webhook-hooks', { hasText: 'none configured' }).waitFor({ timeout: TIMEOUT });
  assert.ok(await page.locator('#webhook-retry').isHidden(), 'nothing to retry');
  let retried = null;
  await page.route('**/parley/webhooks/dead_letters/retry?*', (route) => {
    retried = route.request().postDataJSON();
    return route.fulfill({ json: { retried: 2 } });
  });
  await page.route('**/parley/webhooks?*', (route) => route.fulfill({ json: {
    hooks: [{ id: 'webhook_url', url: 'https://backend.example/hooks', event_types: [] }],
    pending: 7, dead_letters: 2, oldest_pending_at: ago(30), delivering_node: true,
    delivered_since_start: 41, failed_attempts_since_start: 9,
    last_failure: { hook_id: 'webhook_url', event_type: 'message.new', error: hostile, at: ago(3) },
  } }));
  await page.locator('#webhook-dead', { hasText: '2' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.textContent('#webhook-hooks'), 'https://backend.example/hooks');
  assert.equal(await page.textContent('#webhook-pending'), '7');
  assert.match(await page.textContent('#webhook-oldest'), /^\d+ s ago$/);
  assert.match(await page.textContent('#webhook-failure'), /^message\.new to webhook_url: <img src=x id=injected>/);
  assert.equal(await page.locator('#injected').count(), 0);
  await page.click('#webhook-retry');
  await page.locator('#updated', { hasText: '2 dead letters sent again' }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(retried, {}, 'retry every dead letter');
  assert.deepEqual(failures, []);
});
