// Stream's JS SDK against a Parley cluster: three nodes behind nginx (README.md, "Scaling out";
// docs/PROTOCOL.md §8.5). PARLEY_BASE_URL is nginx; PARLEY_NODE_URLS the nodes themselves, so that clients
// can be placed on chosen nodes; PARLEY_KILL_PID the process of the node one scenario kills; PARLEY_CONTROL_URL
// the test driver's handle on Redis and the nodes (StreamChatJsClusterTest).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { StreamChat } from 'stream-chat';
import { apiKey, apiSecret, baseURL, createUsers, disconnectAll, eventually, nextEvent, serverClient, tokenFor, uid } from '../lib/parley.mjs';

const nodes = (process.env.PARLEY_NODE_URLS ?? '').split(',').filter(Boolean);
const killPid = Number(process.env.PARLEY_KILL_PID ?? 0);
const opened = [];
after(() => disconnectAll(...opened));

/**
 * A user's client whose REST calls and socket go to `url` (a node, or nginx). Its REST calls may take 10 s, not
 * the SDK's 3: the SDK does not retry a failed recovery query, and a node just restarted on a loaded box can be
 * slower than that for a moment.
 */
async function connectAt(url, id) {
  const client = new StreamChat(apiKey, { baseURL: url, allowServerSideConnect: true, timeout: 10_000 });
  await client.connectUser({ id, name: id }, tokenFor(id));
  opened.push(client);
  return client;
}

/**
 * Every message of a channel as `ch` reads it, page by page from the newest: a disruption that lasts long sends more than
 * one page (300, the largest a query returns), and a single page would miss the earliest.
 */
async function allMessageIds(ch) {
  const ids = new Set();
  let page = await ch.query({ messages: { limit: 300 } });
  while (page.messages.length > 0) {
    page.messages.forEach((m) => ids.add(m.id));
    if (page.messages.length < 300) break;
    page = await ch.query({ messages: { limit: 300, id_lt: page.messages[0].id } });
  }
  return ids;
}

async function channelOf(id, members) {
  const ch = serverClient().channel('messaging', id, { members, created_by_id: members[0] });
  await ch.create();
  return ch;
}

test('three nodes serve one cluster', () => {
  assert.equal(nodes.length, 3, `PARLEY_NODE_URLS names ${nodes.length} nodes`);
});

test('clients on different nodes exchange messages, reactions, typing, reads and presence with their own unread counts',
  { timeout: 30_000 }, async () => {
    const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(uid);
    await createUsers(alice, bob, carol, dave);
    const id = uid('across');
    await channelOf(id, [alice, bob, carol]);
    const onA = await connectAt(nodes[0], alice);
    const onB = await connectAt(nodes[1], bob);
    const viaNginx = await connectAt(baseURL, carol);
    const [aliceCh, bobCh, carolCh] = [onA, onB, viaNginx].map((c) => c.channel('messaging', id));
    await Promise.all([aliceCh.watch(), bobCh.watch(), carolCh.watch()]);
    await onA.queryUsers({ id: dave }, {}, { presence: true });

    const toAlice = nextEvent(onA, 'message.new', (e) => e.message?.text === 'hello from node 2');
    const toCarol = nextEvent(viaNginx, 'message.new', (e) => e.message?.text === 'hello from node 2');
    const { message } = await bobCh.sendMessage({ text: 'hello from node 2' });
    const [a, c] = await Promise.all([toAlice, toCarol]);
    assert.equal(a.message.id, message.id);
    assert.equal(c.message.id, message.id);
    assert.equal(a.unread_count, 1, 'alice\'s unread count in message.new');
    assert.equal(a.total_unread_count, 1, 'alice\'s total unread count in message.new');
    assert.equal(aliceCh.countUnread(), 1, 'the SDK\'s unread count of the channel on node 1');

    const reacted = nextEvent(onB, 'reaction.new', (e) => e.reaction?.user_id === alice);
    await aliceCh.sendReaction(message.id, { type: 'love' });
    assert.equal((await reacted).message.id, message.id);

    const typing = nextEvent(onA, 'typing.start', (e) => e.user?.id === carol);
    await carolCh.keystroke();
    await typing;

    const read = nextEvent(onA, 'message.read', (e) => e.user?.id === bob);
    await bobCh.markRead();
    await read;

    const online = nextEvent(onA, 'user.presence.changed', (e) => e.user?.id === dave && e.user.online === true);
    const daveOnC = await connectAt(nodes[2], dave);
    await online;
    const offline = nextEvent(onA, 'user.presence.changed', (e) => e.user?.id === dave && e.user.online === false, 10_000);
    await daveOnC.disconnectUser();
    await offline;
  });

test('a user with tabs on two nodes is online, seen from a third, until both tabs close', { timeout: 30_000 }, async () => {
  const erin = uid('erin');
  await createUsers(erin);
  // Seen from node 3, which holds none of erin's sockets.
  const fromC = new StreamChat(apiKey, apiSecret, { baseURL: nodes[2] });
  const stored = async () => (await fromC.queryUsers({ id: erin })).users[0];
  const tab1 = await connectAt(nodes[0], erin);
  const tab2 = await connectAt(nodes[1], erin);
  await eventually(async () => assert.equal((await stored()).online, true));

  await tab1.disconnectUser();
  assert.equal((await stored()).online, true, 'closing the tab on node 1 took erin offline while node 2 holds one');
  await tab2.disconnectUser();
  await eventually(async () => assert.equal((await stored()).online, false), 10_000);
});

/** Asks the test's driver to do something to the cluster's processes (StreamChatJsClusterTest). */
async function control(path) {
  const url = process.env.PARLEY_CONTROL_URL;
  assert.ok(url, 'PARLEY_CONTROL_URL is not set');
  const res = await fetch(`${url}${path}`, { method: 'POST' });
  assert.equal(res.status, 200, `${path}: ${await res.text()}`);
}

/**
 * Six clients through nginx watch one channel while a server-side sender sends one message every 50 ms;
 * `disrupt` runs once 20 messages are out, and the sends go on until it is done and 20 more are out. Every
 * acknowledged message must be stored; each client must have, live, every message acknowledged after its
 * last recovery (the SDK's connection.recovered: a new socket, its channels queried again), and its own query
 * must have them all. Returns the seconds from the start of `disrupt` to each client's first new socket (the SDK's
 * connection.changed back online).
 */
async function steadySendsThrough(name, disrupt) {
  const ids = Array.from({ length: 6 }, (_, i) => uid(`${name}${i}`));
  const sender = uid('sender');
  await createUsers(sender, ...ids);
  const id = uid(name);
  await channelOf(id, [sender, ...ids]);
  const clients = [];
  for (const u of ids) clients.push(await connectAt(baseURL, u));
  const channels = clients.map((c) => c.channel('messaging', id));
  for (const ch of channels) await ch.watch(); // one at a time: each watch tells every watcher before it
  let disruptedAt = 0;
  const first = new Map();
  const last = new Map();
  // Each client's sockets, for a failure's message: when (ms after the disruption began) and which connection.
  const sockets = clients.map((c) => [`start:${c._getConnectionID()}`]);
  clients.forEach((c, i) => {
    c.on('connection.changed', (e) => {
      if (disruptedAt !== 0 && e.online === true && !first.has(i)) first.set(i, Date.now());
      sockets[i].push(`${e.online ? 'online' : 'offline'}@${Date.now() - disruptedAt}:${c._getConnectionID()}`);
    });
    c.on('connection.recovered', () => {
      if (disruptedAt !== 0) last.set(i, Date.now());
      sockets[i].push(`recovered@${Date.now() - disruptedAt}:${c._getConnectionID()}`);
    });
  });

  const senderCh = serverClient().channel('messaging', id);
  const acknowledged = [];
  const ackedAt = new Map();
  let disruption = null;
  let done = false;
  let after = 0;
  let attempts = 0;
  for (let n = 0; n < 2_000 && after < 20; n++) {
    if (n === 20) {
      disruptedAt = Date.now();
      disruption = disrupt().finally(() => { done = true; });
    }
    if (done) after++;
    const mid = `${id}-m${n}`;
    attempts++;
    try {
      await senderCh.sendMessage({ id: mid, text: `steady ${n}`, user_id: sender });
      acknowledged.push(mid);
      ackedAt.set(mid, Date.now());
    } catch {
      // not acknowledged: the node that took it went away; it need not exist
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await disruption;
  assert.ok(done, 'the disruption did not end within 2,000 sends');
  assert.ok(acknowledged.length >= attempts * 0.8, `only ${acknowledged.length} of ${attempts} sends were acknowledged`);

  const inStore = await allMessageIds(senderCh);
  assert.deepEqual(acknowledged.filter((m) => !inStore.has(m)), [], 'acknowledged messages missing from the database');
  for (const [i, ch] of channels.entries()) {
    const since = last.get(i) ?? 0;
    const expected = acknowledged.filter((m) => ackedAt.get(m) > since);
    await eventually(() => {
      const have = new Set(ch.state.messages.map((m) => m.id));
      const missing = expected.filter((m) => !have.has(m));
      assert.deepEqual(missing, [], `client ${i} (recovered: ${last.has(i)}; sockets: ${sockets[i].join(' ')}) misses messages`);
    }, 15_000);
    const seen = await allMessageIds(ch);
    assert.deepEqual(acknowledged.filter((m) => !seen.has(m)), [], `client ${i}'s own query misses messages`);
  }
  return [...first.values()].map((t) => (t - disruptedAt) / 1000).sort((x, y) => x - y);
}

test('a node killed under steady sends loses no acknowledged message; its clients reconnect through nginx and recover',
  { timeout: 60_000 }, async () => {
    assert.ok(killPid > 0, 'PARLEY_KILL_PID is not set');
    // Each client's time is mostly the SDK's own: it waits 0.25-2.5 s at random before its first retry.
    const seconds = await steadySendsThrough('killed', async () => process.kill(killPid, 'SIGKILL'));
    console.log(`reconnect seconds of the ${seconds.length} clients of the killed node: ${seconds.join(', ')}`);
    assert.ok(seconds.length > 0, 'no client recovered: none was on the killed node');
    assert.ok(seconds.at(-1) <= 10, `a client took ${seconds.at(-1)} s to reconnect`);
    assert.ok(seconds[Math.ceil(seconds.length * 0.95) - 1] <= 3, `95 % of reconnects took more than 3 s: ${seconds}`);
  });

test('Redis stopped for 10 s under steady sends: sends go on, and no client misses a message', { timeout: 90_000 },
  async () => {
    const seconds = await steadySendsThrough('redis', async () => {
      await control('/redis/stop');
      await new Promise((resolve) => setTimeout(resolve, 10_000)); // the outage itself
      await control('/redis/start');
    });
    console.log(`clients that reconnected during the Redis outage: ${seconds.length}`);
  });

test('every node restarted in turn under steady sends: no client misses a message', { timeout: 120_000 }, async () => {
  const seconds = await steadySendsThrough('rolling', async () => {
    for (const i of [2, 0, 1]) { // the third node was killed above: it starts again first
      await control(`/nodes/${i}/restart`);
    }
  });
  console.log(`first reconnect seconds during the rolling restart: ${seconds.join(', ')}`);
  assert.ok(seconds.length > 0, 'no client was moved by the rolling restart');
});
