// Several sockets for one user, online/last_active and user.presence.changed (PROTOCOL.md §3.9, §4.3, §4.4).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TIMEOUT, connect, disconnectAll, eventually, nextEvent, serverClient, uid } from '../lib/parley.mjs';

const opened = [];
after(() => disconnectAll(...opened));

async function storedUser(id) {
  const { users } = await serverClient().queryUsers({ id });
  assert.equal(users.length, 1, `queryUsers({id: ${id}}) returned ${users.length} users`);
  return users[0];
}

test('two sockets keep a user online until both close, and presence subscribers hear both changes',
  { timeout: TIMEOUT }, async () => {
    const watched = uid('present');
    await serverClient().upsertUser({ id: watched, name: 'Watched' });

    const watcher = await connect({ id: uid('watcher') });
    opened.push(watcher.client);
    const { users } = await watcher.client.queryUsers({ id: watched }, {}, { presence: true });
    assert.equal(users.length, 1);
    assert.equal(users[0].online, false, 'a user who never connected is online');

    const cameOnline = nextEvent(watcher.client, 'user.presence.changed',
      (e) => e.user?.id === watched && e.user?.online === true);
    const first = await connect({ id: watched });
    const second = await connect({ id: watched });
    opened.push(first.client, second.client);
    assert.notEqual(first.health.connection_id, second.health.connection_id, 'two sockets share a connection_id');

    const online = await cameOnline;
    assert.ok(online.created_at, 'user.presence.changed has no created_at');
    assert.equal((await storedUser(watched)).online, true);

    const wentOffline = nextEvent(watcher.client, 'user.presence.changed',
      (e) => e.user?.id === watched && e.user?.online === false, 10_000);
    await first.client.disconnectUser();
    assert.equal((await storedUser(watched)).online, true, 'closing one of two sockets took the user offline');

    const before = Date.now();
    await second.client.disconnectUser();
    const offline = await wentOffline;
    assert.ok(offline.user.last_active, 'the offline presence event carries no last_active');

    const stored = await eventually(async () => {
      const user = await storedUser(watched);
      assert.equal(user.online, false);
      return user;
    });
    assert.ok(stored.last_active, 'last_active is not set after the last socket closed');
    assert.ok(Date.parse(stored.last_active) >= before - 5_000,
      `last_active ${stored.last_active} is older than the disconnect`);
  });

test('presence subscribers receive user.updated when the user is partially updated', { timeout: TIMEOUT }, async () => {
  const watched = uid('updated');
  await serverClient().upsertUser({ id: watched, name: 'Before' });
  const watcher = await connect({ id: uid('watcher') });
  opened.push(watcher.client);
  await watcher.client.queryUsers({ id: watched }, {}, { presence: true });

  const updated = nextEvent(watcher.client, 'user.updated', (e) => e.user?.id === watched);
  await serverClient().partialUpdateUser({ id: watched, set: { name: 'After' } });
  const event = await updated;
  assert.equal(event.user.name, 'After');
  assert.ok(event.created_at, 'user.updated has no created_at');
});
