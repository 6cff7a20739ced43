// The users REST API through the SDK: upsert, partial update, query, permissions; app settings and
// warm-up (PROTOCOL.md §7.1, §7.15, §9.3).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  TIMEOUT,
  apiKey,
  baseURL,
  connect,
  disconnectAll,
  errorCode,
  rejection,
  serverClient,
  tokenFor,
  uid,
} from '../lib/parley.mjs';
import { StreamChat } from 'stream-chat';

const opened = [];
after(() => disconnectAll(...opened));

const server = serverClient();

async function stored(id) {
  const { users } = await server.queryUsers({ id });
  assert.equal(users.length, 1, `queryUsers({id: ${id}}) returned ${users.length} users`);
  return users[0];
}

test('upsertUser creates a user and upsertUsers replaces it, dropping fields not sent', { timeout: TIMEOUT }, async () => {
  const id = uid('upsert');
  const other = uid('upsert');

  const created = await server.upsertUser({ id, name: 'Up', color: 'blue', team_size: 3 });
  assert.equal(typeof created.duration, 'string', 'success bodies carry duration');
  const user = created.users?.[id];
  assert.ok(user, `response users map lacks ${id}: ${JSON.stringify(created)}`);
  assert.equal(user.name, 'Up');
  assert.equal(user.color, 'blue');
  assert.equal(user.team_size, 3);
  assert.equal(user.role, 'user');
  assert.ok(user.created_at, 'created_at is missing');

  const replaced = await server.upsertUsers([{ id, name: 'Up2' }, { id: other, name: 'Other' }]);
  assert.deepEqual(Object.keys(replaced.users).sort(), [id, other].sort());
  assert.equal(replaced.users[id].name, 'Up2');
  assert.equal(replaced.users[id].color, undefined, 'upsert did not remove a custom field it was not sent');

  const after = await stored(id);
  assert.equal(after.name, 'Up2');
  assert.equal(after.color, undefined);
  assert.equal(after.team_size, undefined);
  assert.equal((await stored(other)).name, 'Other');
});

test('partialUpdateUser sets dotted paths and unsets fields', { timeout: TIMEOUT }, async () => {
  const id = uid('partial');
  await server.upsertUser({ id, name: 'Pat', mood: 'meh', profile: { city: 'Bergen', zip: '5003' } });

  const { users } = await server.partialUpdateUser({
    id,
    set: { 'profile.city': 'Oslo', mood: 'ok', 'prefs.theme': 'dark' },
    unset: ['name'],
  });
  const user = users[id];
  assert.deepEqual(user.profile, { city: 'Oslo', zip: '5003' });
  assert.deepEqual(user.prefs, { theme: 'dark' });
  assert.equal(user.mood, 'ok');
  assert.equal(user.name, undefined, 'unset did not remove name');

  const after = await stored(id);
  assert.deepEqual(after.profile, { city: 'Oslo', zip: '5003' });
  assert.equal(after.name, undefined);
});

test('queryUsers filters by id $in, name $autocomplete and a custom field, with sort and limit',
  { timeout: TIMEOUT }, async () => {
    const squad = uid('squad');
    const alice = `${squad}-alice`;
    const alfred = `${squad}-alfred`;
    const bob = `${squad}-bob`;
    await server.upsertUsers([
      { id: alice, name: 'Alice Q', squad },
      { id: alfred, name: 'Alfred', squad },
      { id: bob, name: 'Bob', squad },
      { id: uid('outsider'), name: 'Alma', squad: 'elsewhere' },
    ]);
    const ids = (res) => res.users.map((u) => u.id);

    const byIds = await server.queryUsers({ id: { $in: [alice, bob] } }, { id: 1 });
    assert.deepEqual(ids(byIds), [alice, bob].sort());

    const bySquad = await server.queryUsers({ squad }, [{ name: 1 }]);
    assert.deepEqual(ids(bySquad), [alfred, alice, bob]);

    const byPrefix = await server.queryUsers({ squad, name: { $autocomplete: 'al' } }, { name: 1 });
    assert.deepEqual(ids(byPrefix), [alfred, alice]);

    const firstTwoDescending = await server.queryUsers({ squad }, { name: -1 }, { limit: 2 });
    assert.deepEqual(ids(firstTwoDescending), [bob, alice]);

    const nextPage = await server.queryUsers({ squad }, { name: -1 }, { limit: 2, offset: 2 });
    assert.deepEqual(ids(nextPage), [alfred]);
  });

test('a user token may partially update its own user but not its role (code 17)', { timeout: TIMEOUT }, async () => {
  const id = uid('self');
  const { client } = await connect({ id, name: 'Self' });
  opened.push(client);

  const { users } = await client.partialUpdateUser({ id, set: { mood: 'happy' } });
  assert.equal(users[id].mood, 'happy');
  assert.equal((await stored(id)).mood, 'happy');

  const err = await rejection(client.partialUpdateUser({ id, set: { role: 'admin' } }));
  assert.equal(errorCode(err), 17, `unexpected error: ${err.message}`);
  assert.equal(err.status, 403);
  assert.equal((await stored(id)).role, 'user');
});

test('a user token may not update another user (code 17)', { timeout: TIMEOUT }, async () => {
  const victim = uid('victim');
  await server.upsertUser({ id: victim, name: 'Victim' });
  const { client } = await connect({ id: uid('intruder') });
  opened.push(client);

  const err = await rejection(client.partialUpdateUser({ id: victim, set: { name: 'Pwned' } }));
  assert.equal(errorCode(err), 17, `unexpected error: ${err.message}`);
  assert.equal((await stored(victim)).name, 'Victim');
});

test('getAppSettings with the server client returns app', { timeout: TIMEOUT }, async () => {
  const settings = await server.getAppSettings();
  assert.equal(typeof settings.app, 'object');
  assert.notEqual(settings.app, null);
  assert.equal(typeof settings.app.channel_configs, 'object', 'app.channel_configs is missing');
});

test('warm-up: GET /hi answers 200, bare and as the SDK sends it with warmUp', { timeout: TIMEOUT }, async () => {
  const bare = await fetch(`${baseURL}/hi?api_key=${encodeURIComponent(apiKey)}`);
  assert.equal(bare.status, 200);

  // With warmUp the SDK fires GET /hi during connectUser and drops the outcome; catch it on its way back.
  const client = new StreamChat(apiKey, { baseURL, allowServerSideConnect: true, warmUp: true });
  const hi = new Promise((resolve) => {
    const isHi = (config) => new URL(config.url).pathname.endsWith('/hi');
    client.axiosInstance.interceptors.response.use(
      (response) => {
        if (isHi(response.config)) resolve(response.status);
        return response;
      },
      (error) => {
        if (error.config && isHi(error.config)) resolve(error.response?.status ?? String(error));
        return Promise.reject(error);
      },
    );
  });
  const id = uid('warm');
  opened.push(client);
  await client.connectUser({ id }, tokenFor(id));
  assert.equal(await hi, 200);
});

test('REST errors carry the full envelope', { timeout: TIMEOUT }, async () => {
  const response = await fetch(`${baseURL}/users?api_key=wrong-key`, {
    headers: { Authorization: tokenFor('nobody'), 'stream-auth-type': 'jwt' },
  });
  assert.equal(response.status, 401);
  const body = await response.json();
  assert.equal(body.code, 2);
  assert.equal(body.StatusCode, 401);
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.duration, 'string');
  assert.equal(typeof body.more_info, 'string');
  assert.deepEqual(body.details, []);
});

test('CORS preflights allow the headers and methods a browser SDK sends', { timeout: TIMEOUT }, async () => {
  const response = await fetch(`${baseURL}/users?api_key=${encodeURIComponent(apiKey)}`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://localhost:3000',
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'authorization,stream-auth-type,x-stream-client,x-client-request-id,content-type',
    },
  });
  assert.ok(response.status >= 200 && response.status < 300, `preflight answered ${response.status}`);
  const allowOrigin = response.headers.get('access-control-allow-origin');
  assert.ok(allowOrigin === '*' || allowOrigin === 'http://localhost:3000', `allow-origin: ${allowOrigin}`);
  const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
  for (const header of ['authorization', 'stream-auth-type', 'x-stream-client', 'x-client-request-id', 'content-type']) {
    assert.ok(allowed === '*' || allowed.includes(header), `${header} not in allow-headers: ${allowed}`);
  }
  assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
});

test('exportUser answers the user with every message and reaction of theirs; a user token is refused', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const [ann, bob] = [uid('ann'), uid('bob')];
  await server.upsertUsers([{ id: ann, name: 'Ann' }, { id: bob }]);
  const channel = server.channel('messaging', uid('export'), { members: [ann, bob], created_by_id: ann });
  await channel.create();
  const { message: first } = await channel.sendMessage({ text: 'mine', user_id: ann });
  const { message: reply } = await channel.sendMessage({ text: 'in a thread', parent_id: first.id, user_id: ann });
  const { message: theirs } = await channel.sendMessage({ text: 'not mine', user_id: bob });
  await channel.sendReaction(theirs.id, { type: 'like', user_id: ann });

  const out = await server.exportUser(ann);
  assert.equal(out.user.id, ann);
  assert.equal(out.user.name, 'Ann');
  assert.deepEqual(out.messages.map((m) => m.id), [first.id, reply.id]);
  assert.deepEqual(out.reactions.map((r) => [r.message_id, r.type]), [[theirs.id, 'like']]);

  const { client: annClient } = await connect({ id: ann });
  try {
    assert.equal(errorCode(await rejection(annClient.exportUser(ann))), 17);
  } finally {
    await disconnectAll(annClient);
  }
});
