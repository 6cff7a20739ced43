// stream-chat-react in headless Chromium against a running Parley: two users, two browser contexts (and a
// third user, carol, so that bob can have another chat open). The scenario: sign-in; message, thread
// reply and reaction; alice's typing indicator on bob's page, gone when she stops or sends; an unread
// badge on alice's chat in bob's list while he has carol's open, gone once he opens it (mark read); a new
// reply in alice's thread on the Threads button, gone once she opens the thread from the thread list; a poll
// alice makes in the composer's poll dialog, bob's vote on it, and the count on alice's page.
//
// Env: PARLEY_BASE_URL (default http://localhost:8080), PARLEY_API_KEY and PARLEY_API_SECRET (required: the
// test turns polls on for the messaging type, as an app's backend does); the server must run with auth checks
// disabled, because the demo signs in with devToken(user). PARLEY_REACT_OUTPUT is the folder for screenshots
// (default compat/target).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DevToken, StreamChat } from 'stream-chat';
import { build } from 'vite';
import { launchChromium, openAs } from './lib/browser.mjs';
import { serveStatic } from './lib/static-server.mjs';

const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_DIR = join(DEMO_DIR, 'dist');
const OUTPUT_DIR = resolve(process.env.PARLEY_REACT_OUTPUT ?? join(DEMO_DIR, '..', 'target'));
const BASE_URL = process.env.PARLEY_BASE_URL ?? 'http://localhost:8080';
const API_KEY = process.env.PARLEY_API_KEY;
const API_SECRET = process.env.PARLEY_API_SECRET;
const UI_TIMEOUT = 15_000;
// A receiver drops a typing user 7 s after the last typing.start (stream-chat's channel.clean()); an
// indicator gone well before that was removed by the typing.stop the server relayed.
const TYPING_STOP_WITHIN = 5_000;

// Fresh user ids per run, so a long-lived server's earlier channels do not show up.
const RUN = Date.now().toString(36);
const ALICE = `alice-${RUN}`;
const BOB = `bob-${RUN}`;
const CAROL = `carol-${RUN}`;
// alice's first message, which bob answers in a thread
const HELLO = `Hello Bob, this is Alice (${RUN})`;

let app;
let browser;
let alice;
let bob;
let carol;

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
    assert.ok(API_SECRET, 'PARLEY_API_SECRET is not set');
    // Polls are off until an app turns them on for a channel type (PROTOCOL.md §7.21).
    const admin = new StreamChat(API_KEY, API_SECRET, { baseURL: BASE_URL });
    await admin.updateChannelType('messaging', { polls: true });
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
    for (const who of [alice, bob, carol]) if (who) await screenshot(who, 'failed').catch(() => {});
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await carol?.close();
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
    const hello = HELLO;
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

  test("alice typing shows on bob's page until she stops, and again until she sends", async () => {
    assert.ok(alice && bob, 'both users signed in');
    const draft = `Alice is drafting (${RUN})`;
    const sent = ` and now sends it`;
    const aliceInput = alice.page.locator('.str-chat__main-panel').getByTestId('message-input');
    // Bob has the 1:1 channel open from the previous test: the header subtitle and the message list's
    // typing indicator belong to it.
    const bobHeaderTyping = bob.page.locator('.str-chat__channel-header').getByTestId('typing-indicator-header');
    const bobListTyping = bob.page.locator('.str-chat__main-panel .str-chat__message-list').getByTestId('typing-indicator');
    assert.equal(await bobHeaderTyping.count(), 0, 'no typing indicator before alice types');
    assert.equal(await bobListTyping.count(), 0, 'no typing indicator before alice types');

    // alice types without sending: typing.start reaches bob
    await aliceInput.click();
    await aliceInput.pressSequentially(draft, { delay: 10 });
    await bobHeaderTyping.waitFor({ timeout: UI_TIMEOUT });
    let seenAt = Date.now();
    assert.equal(await bobHeaderTyping.textContent(), 'Alice is typing');
    await bobListTyping.waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await bobListTyping.getByTestId('typing-indicator-status').textContent(), 'Alice is typing');
    // her own page never shows herself typing
    assert.equal(await alice.page.getByTestId('typing-indicator-header').count(), 0);
    await screenshot(bob, 'typing');

    // alice stops typing: her client sends typing.stop about a second later and bob's header clears
    // before the 7 s expiry could have done it
    await bobHeaderTyping.waitFor({ state: 'detached', timeout: TYPING_STOP_WITHIN });
    assert.ok(Date.now() - seenAt < TYPING_STOP_WITHIN, 'typing.stop, not the 7 s expiry, cleared it');
    console.log(`typing indicator gone ${Date.now() - seenAt} ms after bob saw it (alice stopped)`);
    // the list indicator hides 2 s after the typing users go, to avoid flicker
    await bobListTyping.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.equal(await messageIn(bob.page.locator('.str-chat__main-panel'), draft).count(), 0, 'the draft was not sent');

    // alice types on and sends: the indicator comes back, then goes with the message's arrival
    await aliceInput.press('End');
    await aliceInput.pressSequentially(sent, { delay: 10 });
    await bobHeaderTyping.waitFor({ timeout: UI_TIMEOUT });
    seenAt = Date.now();
    await aliceInput.press('Enter');
    await messageIn(bob.page.locator('.str-chat__main-panel'), draft + sent).waitFor({ timeout: UI_TIMEOUT });
    await bobHeaderTyping.waitFor({ state: 'detached', timeout: TYPING_STOP_WITHIN });
    assert.ok(Date.now() - seenAt < TYPING_STOP_WITHIN, 'typing.stop, not the 7 s expiry, cleared it');
    console.log(`typing indicator gone ${Date.now() - seenAt} ms after bob saw it (alice sent)`);
    await bobListTyping.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assertNoProblems(alice, bob);
  });

  test("a message to bob's other channel shows an unread badge there until he opens it", async () => {
    assert.ok(alice && bob, 'both users signed in');
    const news = `News for Bob while he talks to Carol (${RUN})`;

    // bob opens a second chat (carol must have signed in once), so the one with alice is not active
    carol = await openAs(browser, app.url, { baseURL: BASE_URL, apiKey: API_KEY, user: CAROL, name: 'Carol' });
    await carol.page.locator(`[data-testid="chat"][data-user="${CAROL}"]`).waitFor({ timeout: UI_TIMEOUT });
    await bob.page.getByLabel('User id to chat with').fill(CAROL);
    await bob.page.getByRole('button', { name: `Start chat with ${CAROL}` }).click();
    await bob.page.locator('.str-chat__channel-header').getByText('Carol').waitFor({ timeout: UI_TIMEOUT });
    const bobAliceItem = bob.page.getByTestId('channel-list-item-button').filter({ hasText: 'Alice' });
    const badge = bobAliceItem.getByTestId('unread-badge');
    assert.equal(await bobAliceItem.getAttribute('aria-selected'), null, "alice's chat is not the active one");
    await bob.page.getByTestId('channel-list-item-button').filter({ hasText: 'Carol' }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await badge.count(), 0, 'bob has read everything alice wrote so far');
    assert.equal(await serverUnread(BOB, ALICE), 0, "the server's read state for bob before the new message");

    // alice writes; bob's list shows the message and a badge on alice's chat
    await send(alice.page.locator('.str-chat__main-panel'), news);
    const aliceNews = messageIn(alice.page.locator('.str-chat__main-panel'), news);
    await aliceNews.waitFor({ timeout: UI_TIMEOUT });
    await bobAliceItem.filter({ hasText: news }).waitFor({ timeout: UI_TIMEOUT });
    await badge.waitFor({ timeout: UI_TIMEOUT });
    const count = Number(await badge.textContent());
    assert.ok(count >= 1, `unread badge shows ${count}`);
    assert.match(await bobAliceItem.getAttribute('class'), /str-chat__channel-list-item--unread/);
    assert.ok((await serverUnread(BOB, ALICE)) >= 1, 'the server counts the new message as unread for bob');
    // alice sees no read receipt: bob has not seen it
    assert.equal(await aliceNews.getByTestId('message-status-read-by').count(), 0, 'not read by bob yet');
    await screenshot(bob, 'unread');

    // bob opens alice's chat: it is marked read, the badge goes, alice gets the read receipt
    await bobAliceItem.click();
    await bob.page.locator('.str-chat__channel-header').getByText('Alice').waitFor({ timeout: UI_TIMEOUT });
    await messageIn(bob.page.locator('.str-chat__main-panel'), news).waitFor({ timeout: UI_TIMEOUT });
    await badge.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    assert.doesNotMatch(await bobAliceItem.getAttribute('class'), /str-chat__channel-list-item--unread/);
    await aliceNews.getByTestId('message-status-read-by').waitFor({ timeout: UI_TIMEOUT });
    await waitFor(async () => (await serverUnread(BOB, ALICE)) === 0, "the server's read state for bob after he opened the chat");
    await screenshot(bob, 'read');
    assertNoProblems(alice, bob, carol);
  });

  test("bob's reply lights alice's Threads badge; she opens the thread from the thread list and it clears", async () => {
    assert.ok(alice && bob, 'both users signed in');
    const more = `One more thing in the thread (${RUN})`;
    const { cid, parentId } = await threadOf(ALICE, BOB);

    // bob replies over REST, as his client would; alice is a participant (she wrote the parent)
    await sendAs(BOB, cid, { text: more, parent_id: parentId });
    const selectorBadge = alice.page.locator('.str-chat__chat-view__selector .str-chat__unread-count-badge');
    await selectorBadge.waitFor({ timeout: UI_TIMEOUT });
    assert.ok(Number(await selectorBadge.textContent()) >= 1, 'the Threads button counts the unread thread');
    assert.ok((await serverUnreadThreads(ALICE)) >= 1, 'the server counts the thread as unread for alice');

    // alice switches to the thread list: the thread (shown by its parent) is there with its unread replies
    await alice.page.locator('.str-chat__chat-view__selector-button', { hasText: 'Threads' }).click();
    const item = alice.page.locator('.str-chat__thread-list-item').filter({ hasText: HELLO });
    await item.waitFor({ timeout: UI_TIMEOUT });
    assert.ok(Number(await item.locator('.str-chat__badge--variant-primary').textContent()) >= 1, 'unread replies on the item');
    await screenshot(alice, 'thread-list');

    // she opens it: the reply shows, the thread is marked read, both badges go
    await item.click();
    const thread = alice.page.getByTestId('threads-view').locator('.str-chat__thread');
    await messageIn(thread, more).waitFor({ timeout: UI_TIMEOUT });
    await selectorBadge.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await item.locator('.str-chat__badge--variant-primary').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await waitFor(async () => (await serverUnreadThreads(ALICE)) === 0, "the server's thread read state for alice");
    await screenshot(alice, 'thread-read');

    // back to the channels for the next test
    await alice.page.locator('.str-chat__chat-view__selector-button', { hasText: 'Channels' }).click();
    await alice.page.getByTestId('channel-list-item-button').filter({ hasText: 'Bob' }).click({ timeout: UI_TIMEOUT });
    await alice.page.locator('.str-chat__channel-header').getByText('Bob').waitFor({ timeout: UI_TIMEOUT });
    assertNoProblems(alice, bob);
  });

  test("alice's composer lists the channel type's slash commands after a /", async () => {
    assert.ok(alice, 'alice signed in');
    const input = alice.page.locator('.str-chat__main-panel').getByTestId('message-input');
    await input.fill('/');
    // The picker shows each command with its args from the channel's config: "/mute [@username]".
    for (const name of ['ban', 'unban', 'mute', 'unmute']) {
      await alice.page.getByText(`/${name} [@username]`).first().waitFor({ timeout: UI_TIMEOUT });
    }
    await screenshot(alice, 'commands');
    await input.fill('');
    assertNoProblems(alice);
  });

  test('alice sends a poll from the composer, bob votes on it, and alice sees the count', async () => {
    assert.ok(alice && bob, 'both users signed in');
    const question = `Lunch? (${RUN})`;
    const panel = alice.page.locator('.str-chat__main-panel');
    await panel.locator('.str-chat__attachment-selector__menu-button').click();
    await alice.page.locator('.str-chat__attachment-selector-actions-menu__create-poll-button').click();
    const dialog = alice.page.getByTestId('poll-creation-dialog');
    await dialog.locator('#name').fill(question);
    const optionInputs = dialog.getByPlaceholder('Add an option');
    await optionInputs.nth(0).fill('Pizza');
    await optionInputs.nth(1).fill('Sushi');
    await screenshot(alice, 'poll-dialog');
    await dialog.locator('.str-chat__prompt__footer__controls-button--submit').click();
    const alicePoll = panel.locator('.str-chat__poll').filter({ hasText: question });
    await alicePoll.waitFor({ timeout: UI_TIMEOUT });

    // bob: the poll is in alice's chat; he votes for Pizza
    await bob.page.getByTestId('channel-list-item-button').filter({ hasText: 'Alice' }).click({ timeout: UI_TIMEOUT });
    const bobPoll = bob.page.locator('.str-chat__main-panel .str-chat__poll').filter({ hasText: question });
    await bobPoll.waitFor({ timeout: UI_TIMEOUT });
    await bobPoll.locator('.str-chat__poll-option').filter({ hasText: 'Pizza' }).click();
    await bobPoll.locator('.str-chat__poll-option[aria-pressed="true"]').filter({ hasText: 'Pizza' }).waitFor({ timeout: UI_TIMEOUT });

    // alice: the count under Pizza comes from bob's poll.vote_casted
    const pizzaCount = alicePoll.locator('.str-chat__poll-option').filter({ hasText: 'Pizza' }).locator('.str-chat__poll-option-vote-count');
    await waitFor(async () => (await pizzaCount.textContent())?.trim() === '1', "bob's vote on alice's page");
    await screenshot(alice, 'poll-voted');
    const { polls } = await restAs(ALICE, 'POST', '/polls/query', { filter: { name: question } });
    assert.equal(polls.length, 1);
    assert.equal(polls[0].vote_count, 1);
    assertNoProblems(alice, bob);
  });
});

/**
 * `unread_messages` in the server's read state of `user` for the channel whose members include `other`,
 * as `user` asks for it over REST with a development token (the same request ChannelList makes).
 */
async function serverUnread(user, other) {
  const url = new URL('/channels', BASE_URL);
  url.searchParams.set('api_key', API_KEY);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: DevToken(user), 'stream-auth-type': 'jwt' },
    body: JSON.stringify({ filter_conditions: { members: { $in: [user] } }, state: true, watch: false, presence: false }),
  });
  assert.equal(res.status, 200, `POST /channels as ${user}: ${res.status}`);
  const { channels } = await res.json();
  const channel = channels.find((c) => c.members.length === 2 && c.members.some((m) => m.user_id === other));
  assert.ok(channel, `${user} is in a 1:1 channel with ${other}`);
  const read = channel.read.find((r) => r.user.id === user);
  assert.ok(read, `read state of ${user} in ${channel.channel.cid}`);
  return read.unread_messages;
}

/** A REST call as `user` with a development token, answered 200. */
async function restAs(user, method, path, body) {
  const url = new URL(path, BASE_URL);
  url.searchParams.set('api_key', API_KEY);
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: DevToken(user), 'stream-auth-type': 'jwt' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${method} ${path} as ${user}: ${res.status}`);
  return res.json();
}

/** The cid of `user`'s 1:1 channel with `other` and the id of its message that has replies. */
async function threadOf(user, other) {
  const { channels } = await restAs(user, 'POST', '/channels', {
    filter_conditions: { members: { $in: [user] } },
    state: true,
    watch: false,
    presence: false,
  });
  const channel = channels.find((c) => c.members.length === 2 && c.members.some((m) => m.user_id === other));
  assert.ok(channel, `${user} is in a 1:1 channel with ${other}`);
  const parent = channel.messages.find((m) => m.reply_count > 0);
  assert.ok(parent, `a message with replies in ${channel.channel.cid}`);
  return { cid: channel.channel.cid, parentId: parent.id };
}

async function sendAs(user, cid, message) {
  const [type, id] = cid.split(':');
  await restAs(user, 'POST', `/channels/${type}/${id}/message`, { message });
}

/** `total_unread_threads_count` of `GET /unread` for `user`. */
async function serverUnreadThreads(user) {
  return (await restAs(user, 'GET', '/unread')).total_unread_threads_count;
}

async function waitFor(check, what, timeout = UI_TIMEOUT) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

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
