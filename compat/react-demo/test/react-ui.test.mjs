// stream-chat-react in headless Chromium against a running Parley: two users, two browser contexts.
//
// Env: PARLEY_BASE_URL (default http://localhost:8080), PARLEY_API_KEY (required); the server must run
// with auth checks disabled, because the demo signs in with devToken(user). PARLEY_REACT_OUTPUT is the
// folder for screenshots (default compat/target).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium, openAs } from './lib/browser.mjs';
import { serveStatic } from './lib/static-server.mjs';

const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_DIR = join(DEMO_DIR, 'dist');
const OUTPUT_DIR = resolve(process.env.PARLEY_REACT_OUTPUT ?? join(DEMO_DIR, '..', 'target'));
const BASE_URL = process.env.PARLEY_BASE_URL ?? 'http://localhost:8080';
const API_KEY = process.env.PARLEY_API_KEY;
const UI_TIMEOUT = 15_000;

// Fresh user ids per run, so a long-lived server's earlier channels do not show up.
const RUN = Date.now().toString(36);
const ALICE = `alice-${RUN}`;
const BOB = `bob-${RUN}`;

let app;
let browser;
let alice;
let bob;

async function screenshot(who, step) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `react-${step}-${who.user.split('-')[0]}.png`);
  await who.page.screenshot({ path });
  console.log(`screenshot ${path}`);
}

function assertNoProblems(...users) {
  for (const u of users) assert.deepEqual(u.problems, [], `problems on ${u.user}'s page`);
}

describe('stream-chat-react demo against Parley', { timeout: 120_000 }, () => {
  before(async () => {
    assert.ok(API_KEY, 'PARLEY_API_KEY is not set');
    assert.ok(existsSync(join(DEMO_DIR, 'node_modules')), 'run npm ci in compat/react-demo first');
    const started = Date.now();
    await build({ root: DEMO_DIR, logLevel: 'warn', build: { outDir: DIST_DIR, emptyOutDir: true } });
    console.log(`built the app with Vite in ${Date.now() - started} ms`);
    app = await serveStatic(DIST_DIR);
    browser = await launchChromium();
    console.log(`serving ${DIST_DIR} at ${app.url}; Chromium ${browser.version()}; Parley at ${BASE_URL}`);
  });

  // A failed test leaves what each user saw, next to the log.
  afterEach(async (t) => {
    if (t.passed) return;
    for (const who of [alice, bob]) if (who) await screenshot(who, 'failed').catch(() => {});
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await browser?.close();
    await app?.close();
  });

  test('alice and bob sign in and each sees an empty channel list', async () => {
    const server = { baseURL: BASE_URL, apiKey: API_KEY };
    alice = await openAs(browser, app.url, { ...server, user: ALICE, name: 'Alice' });
    bob = await openAs(browser, app.url, { ...server, user: BOB, name: 'Bob' });
    for (const [who, name] of [[alice, 'Alice'], [bob, 'Bob']]) {
      const chat = who.page.locator(`[data-testid="chat"][data-user="${who.user}"]`);
      await chat.waitFor({ timeout: UI_TIMEOUT });
      await who.page.getByTestId('me').getByText(name).waitFor({ timeout: UI_TIMEOUT });
      await who.page.locator('.str-chat__channel-list-empty').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await who.page.locator('[data-testid="connect-error"]').count(), 0);
      await screenshot(who, 'signed-in');
    }
    assertNoProblems(alice, bob);
  });

  test('alice starts a chat with bob; message, thread reply and reaction reach both', async () => {
    assert.ok(alice && bob, 'both users signed in');
    const hello = `Hello Bob, this is Alice (${RUN})`;
    const reply = `Hi Alice, Bob replying in a thread (${RUN})`;

    // alice: start the 1:1 channel and send a message
    await alice.page.getByLabel('User id to chat with').fill(BOB);
    await alice.page.getByRole('button', { name: `Start chat with ${BOB}` }).click();
    await alice.page.locator('.str-chat__channel-header').getByText('Bob').waitFor({ timeout: UI_TIMEOUT });
    await send(alice.page.locator('.str-chat__main-panel'), hello);
    await messageIn(alice.page.locator('.str-chat__main-panel'), hello).waitFor({ timeout: UI_TIMEOUT });

    // bob: the channel arrives in his list; he opens it and sees alice's message
    const bobList = bob.page.getByTestId('channel-list-item-button');
    await bobList.filter({ hasText: 'Alice' }).click({ timeout: UI_TIMEOUT });
    const bobHello = messageIn(bob.page.locator('.str-chat__main-panel'), hello);
    await bobHello.waitFor({ timeout: UI_TIMEOUT });

    // bob: reply in a thread
    await openThread(bob.page, bobHello);
    const bobThread = bob.page.locator('.str-chat__thread');
    await send(bobThread, reply);
    await messageIn(bobThread, reply).waitFor({ timeout: UI_TIMEOUT });

    // alice: the reply count appears under her message; she opens the thread and reacts to the reply
    const aliceHello = messageIn(alice.page.locator('.str-chat__main-panel'), hello);
    await aliceHello.getByTestId('replies-count-button').click({ timeout: UI_TIMEOUT });
    const aliceThread = alice.page.locator('.str-chat__thread');
    const aliceReply = messageIn(aliceThread, reply);
    await aliceReply.waitFor({ timeout: UI_TIMEOUT });
    await react(alice.page, aliceReply, 'love');

    // both: the reaction shows on the reply
    for (const who of [alice, bob]) {
      const replyHere = messageIn(who.page.locator('.str-chat__thread'), reply);
      await loveOn(replyHere).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await replyHere.getByTestId('message-reactions-total-count').textContent(), '1');
      await screenshot(who, 'chat');
    }
    assert.ok(await aliceHello.isVisible());
    assertNoProblems(alice, bob);
  });
});

/** The message element (list item) in `scope` whose text contains `text`. */
function messageIn(scope, text) {
  const body = scope.page().locator('.str-chat__message-text', { hasText: text });
  return scope.locator('.str-chat__li').filter({ has: body });
}

async function send(scope, text) {
  const input = scope.getByTestId('message-input');
  await input.fill(text);
  await input.press('Enter');
}

async function openThread(page, message) {
  await message.hover();
  await message.getByTestId('thread-action').first().click();
  await page.locator('.str-chat__thread').waitFor({ timeout: UI_TIMEOUT });
}

async function react(page, message, type) {
  await message.hover();
  await message.getByTestId('message-reaction-action').first().click();
  await page.locator(`[data-testid="select-reaction-button"][data-text="${type}"]`).first().click();
  await page.keyboard.press('Escape');
}

/** The ❤️ ("love") in the message's reaction list; the default list shows emoji, not type names. */
function loveOn(message) {
  const icons = message.locator('.str-chat__message-reactions').getByTestId('message-reactions-list-item-icon');
  return icons.filter({ hasText: '❤️' });
}
