// connectUser against Parley: the handshake, user_details merging, auth failures and the heartbeat
// (PROTOCOL.md §2, §3, §4).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  TIMEOUT,
  apiKey,
  connect,
  connectUrl,
  disconnectAll,
  epochSeconds,
  errorCode,
  nextEvent,
  rawSocket,
  rejection,
  serverClient,
  tokenFor,
  uid,
  userClient,
} from '../lib/parley.mjs';
import { StreamChat } from 'stream-chat';

const opened = [];
function track(client) {
  opened.push(client);
  return client;
}
after(() => disconnectAll(...opened));

test('connectUser creates a new user and resolves with me', { timeout: TIMEOUT }, async () => {
  const id = uid('new');
  const { client, health, me } = await connect({ id, name: 'Nadia', custom_field: 'custom value' });
  track(client);

  assert.equal(health.type, 'health.check');
  assert.equal(typeof health.connection_id, 'string');
  assert.ok(health.connection_id.length > 0, 'connection_id is empty');
  assert.ok(me, 'the first health.check carries no me');
  assert.equal(me.id, id);
  assert.equal(me.name, 'Nadia');
  assert.equal(me.custom_field, 'custom value');
  assert.equal(me.role, 'user');
  assert.equal(me.online, true);
  assert.ok(Array.isArray(me.mutes) && Array.isArray(me.channel_mutes) && Array.isArray(me.devices),
    `me lacks the OwnUser arrays: ${JSON.stringify(me)}`);
  assert.equal(client.user.id, id, 'the SDK did not take its user from me');
  assert.equal(client._getConnectionID(), health.connection_id);
});

test('a reconnect with other user_details adds fields and keeps the stored ones', { timeout: TIMEOUT }, async () => {
  const id = uid('merge');
  const first = await connect({ id, name: 'A', color: 'red' });
  await first.client.disconnectUser();

  const second = await connect({ id, nickname: 'x' });
  track(second.client);
  assert.equal(second.me.color, 'red');
  assert.equal(second.me.name, 'A');
  assert.equal(second.me.nickname, 'x');
});

test('connecting with a role other than the stored one is refused with code 17', { timeout: TIMEOUT }, async () => {
  const id = uid('role');
  const first = await connect({ id, role: 'user' });
  await first.client.disconnectUser();

  const client = track(userClient());
  const err = await rejection(client.connectUser({ id, role: 'admin' }, tokenFor(id)));
  assert.equal(errorCode(err), 17, `unexpected error: ${err.message}`);

  const { users } = await serverClient().queryUsers({ id });
  assert.equal(users[0]?.role, 'user', 'the refused handshake changed the stored role');
});

test('an expired token from a token provider is refreshed and the connect succeeds', { timeout: TIMEOUT }, async () => {
  const id = uid('provider');
  const tokens = [tokenFor(id, epochSeconds(-3600)), tokenFor(id)];
  let calls = 0;
  const provider = async () => tokens[Math.min(calls++, tokens.length - 1)];

  const client = track(userClient());
  const health = await client.connectUser({ id }, provider);
  assert.equal(health.me?.id, id);
  assert.equal(calls, 2, 'the provider should be called once up front and once after code 40');
});

test('a token signed with another secret is refused with code 43', { timeout: TIMEOUT }, async () => {
  const id = uid('badsig');
  const forged = new StreamChat(apiKey, 'not-the-app-secret-0000000000000000000000', {}).createToken(id);
  const client = track(userClient());
  const err = await rejection(client.connectUser({ id }, forged));
  assert.equal(errorCode(err), 43, `unexpected error: ${err.message}`);
});

test('an expired static token is refused with code 40', { timeout: TIMEOUT }, async () => {
  const id = uid('expired');
  const client = track(userClient());
  const err = await rejection(client.connectUser({ id }, tokenFor(id, epochSeconds(-3600))));
  assert.equal(errorCode(err), 40, `unexpected error: ${err.message}`);
});

test('an unknown api key is refused with code 2', { timeout: TIMEOUT }, async () => {
  const id = uid('badkey');
  const client = track(userClient('wrong-key'));
  const err = await rejection(client.connectUser({ id }, tokenFor(id)));
  assert.equal(errorCode(err), 2, `unexpected error: ${err.message}`);
});

test('a refused handshake is one connection.error frame, then a close with 1000', { timeout: TIMEOUT }, async () => {
  const id = uid('rawbad');
  const socket = rawSocket(connectUrl({ userId: id, token: tokenFor(id, epochSeconds(-3600)) }));
  const frame = await socket.next();
  assert.equal(frame.type, 'connection.error');
  assert.equal(frame.error?.code, 40);
  assert.equal(frame.error?.StatusCode, 401);
  assert.equal(typeof frame.error?.message, 'string');
  assert.ok(Array.isArray(frame.error?.details), 'error.details is not an array');
  const { code } = await socket.closed;
  assert.equal(code, 1000);
});

test('the server answers the SDK heartbeat with a health.check without me', { timeout: TIMEOUT }, async () => {
  const id = uid('ping');
  const { client, health } = await connect({ id });
  track(client);

  // The SDK pings 25 s after each health.check; shorten that interval and let it send its own ping.
  const reply = nextEvent(client, 'health.check');
  client.wsConnection.pingInterval = 10;
  client.wsConnection.scheduleNextPing();
  const event = await reply;
  assert.equal(event.connection_id, health.connection_id);
  assert.equal(event.me, undefined, 'a heartbeat reply must not carry me');
});

test('a raw socket gets the handshake frame, then a heartbeat reply without me', { timeout: TIMEOUT }, async () => {
  const id = uid('raw');
  const socket = rawSocket(connectUrl({ userId: id, token: tokenFor(id), details: { id, name: 'Raw' } }));
  try {
    const first = await socket.next();
    assert.equal(first.type, 'health.check');
    assert.equal(first.cid, '*');
    assert.ok(first.connection_id, 'connection_id is empty');
    assert.ok(!Number.isNaN(Date.parse(first.created_at)), `created_at is not a timestamp: ${first.created_at}`);
    assert.equal(first.me?.id, id);
    assert.equal(first.me?.name, 'Raw');

    socket.send([{ type: 'health.check', client_id: `${id}--x` }]);
    const reply = await socket.next();
    assert.equal(reply.type, 'health.check');
    assert.equal(reply.connection_id, first.connection_id);
    assert.equal(reply.cid, '*');
    assert.equal(reply.me, undefined, 'a heartbeat reply must not carry me');
  } finally {
    socket.close();
    await socket.closed;
  }
});

/** Opens a raw socket, returns its first frame and closes it. */
async function firstFrame(url, options) {
  const socket = rawSocket(url, options);
  try {
    return await socket.next();
  } finally {
    socket.close();
    await socket.closed;
  }
}

test('a handshake without user_details is refused with code 4', { timeout: TIMEOUT }, async () => {
  const id = uid('nodetails');
  const frame = await firstFrame(connectUrl({ userId: id, token: tokenFor(id), details: null }));
  assert.equal(frame.type, 'connection.error');
  assert.equal(frame.error?.code, 4);
});

test('a handshake may carry the token in Authorization and Stream-Auth-Type headers', { timeout: TIMEOUT }, async () => {
  const id = uid('headers');
  const frame = await firstFrame(connectUrl({ userId: id }), {
    headers: { Authorization: tokenFor(id), 'Stream-Auth-Type': 'jwt' },
  });
  assert.equal(frame.type, 'health.check', `refused: ${JSON.stringify(frame.error)}`);
  assert.equal(frame.me?.id, id);
});

test('a token issued in the future is refused with code 42', { timeout: TIMEOUT }, async () => {
  const id = uid('future');
  const client = track(userClient());
  const err = await rejection(client.connectUser({ id }, tokenFor(id, undefined, epochSeconds(3600))));
  assert.equal(errorCode(err), 42, `unexpected error: ${err.message}`);
});

test('tokens issued before a user-level revocation date are refused with code 40', { timeout: TIMEOUT }, async () => {
  const id = uid('revoked');
  const server = serverClient();
  const issuedEarlier = tokenFor(id, undefined, epochSeconds(-120));
  await server.upsertUser({ id });
  await server.partialUpdateUser({ id, set: { revoke_tokens_issued_before: new Date(Date.now() - 60_000).toISOString() } });

  const old = await rejection(track(userClient()).connectUser({ id }, issuedEarlier));
  assert.equal(errorCode(old), 40, `unexpected error: ${old.message}`);
  const noIat = await rejection(track(userClient()).connectUser({ id }, tokenFor(id)));
  assert.equal(errorCode(noIat), 40, `a token without iat survived a user-level revocation: ${noIat.message}`);

  const fresh = await connect({ id }, tokenFor(id, undefined, epochSeconds(0)));
  track(fresh.client);
  assert.equal(fresh.me.id, id);
});

test('simultaneous first connects of one new user all succeed and create one user', { timeout: TIMEOUT }, async () => {
  const id = uid('race');
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => connect({ id, name: `R${i}` })));
  results.filter((r) => r.status === 'fulfilled').forEach((r) => track(r.value.client));
  const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  assert.deepEqual(failures, []);
  const ids = new Set(results.map((r) => r.value.health.connection_id));
  assert.equal(ids.size, 6, 'connection ids are not unique');

  const { users } = await serverClient().queryUsers({ id });
  assert.equal(users.length, 1);
  assert.equal(users[0].online, true);
});
