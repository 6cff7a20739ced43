// Push with the official clients: a user's push preferences, the server client's push providers and
// testPushSettings (/check_push), and who a new message's push goes to: members not watching the channel
// (PROTOCOL.md §16).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { TIMEOUT, connectAll, createUsers, disconnectAll, errorCode, jsonReceiver, rejection, serverClient, uid } from '../lib/parley.mjs';

test('a user sets its own push preferences, for itself and for a channel, and no one else\'s', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const channel = clients[0].channel('messaging', uid('prefs'), { members: [ann, bob] });
    await channel.create();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const set = await clients[0].setPushPreferences([
      { chat_level: 'mentions' },
      { channel_cid: channel.cid, chat_level: 'none', disabled_until: until },
    ]);
    assert.equal(set.user_preferences[ann].chat_level, 'mentions');
    assert.equal(set.user_channel_preferences[ann][channel.cid].chat_level, 'none');
    assert.equal(Date.parse(set.user_channel_preferences[ann][channel.cid].disabled_until), Date.parse(until));

    const resumed = await clients[0].setPushPreferences([{ channel_cid: channel.cid, remove_disable: true }]);
    assert.equal(resumed.user_channel_preferences[ann][channel.cid].chat_level, 'none');
    assert.equal(resumed.user_channel_preferences[ann][channel.cid].disabled_until, undefined);

    const err = await rejection(clients[0].setPushPreferences([{ user_id: bob, chat_level: 'none' }]));
    assert.equal(errorCode(err), 17);
    const bad = await rejection(clients[0].setPushPreferences([{ chat_level: 'loud' }]));
    assert.equal(errorCode(bad), 4);
  } finally {
    await disconnectAll(...clients);
  }
});

test('the server client manages push providers and testPushSettings renders a message for a user', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const name = uid('ios').replace(/[^A-Za-z0-9_-]/g, '').slice(-30);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const [ann, bob] = [uid('ann'), uid('bob')];
  await createUsers(ann, bob);
  try {
    const up = await server.upsertPushProvider({
      type: 'apn',
      name,
      apn_auth_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      apn_key_id: 'KEY1234567',
      apn_team_id: 'TEAM123456',
      apn_topic: 'dev.parley.app',
      apn_host: 'https://127.0.0.1:9',
    });
    assert.equal(up.push_provider.name, name);
    assert.equal(up.push_provider.apn_auth_key, undefined, 'the key is never shown again');
    const listed = await server.listPushProviders();
    assert.ok(listed.push_providers.some((p) => p.type === 'apn' && p.name === name));

    const channel = server.channel('messaging', uid('check'), { members: [ann, bob], created_by_id: ann });
    await channel.create();
    const sent = await channel.sendMessage({ text: 'check me', user_id: ann });
    const checked = await server.testPushSettings(bob, {
      messageID: sent.message.id,
      apnTemplate: '{"aps":{"alert":"{{ sender.id }} to {{ receiver.id }}: {{ message.text }}"}}',
      pushProviderType: 'apn',
      pushProviderName: name,
      skipDevices: true,
    });
    assert.equal(JSON.parse(checked.rendered_apn_template).aps.alert, `${ann} to ${bob}: check me`);
    assert.equal(checked.skip_devices, true);
    assert.deepEqual(checked.general_errors, []);

    const missing = await rejection(server.testPushSettings(bob, { messageID: 'no-such-message' }));
    assert.equal(errorCode(missing), 16);
  } finally {
    await server.deletePushProvider({ type: 'apn', name });
  }
  const after = await server.listPushProviders();
  assert.ok(!after.push_providers.some((p) => p.name === name));
});

test('a new message\'s push names the members who are not watching, not those who are', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const id = uid('pushed');
  const hook = await jsonReceiver((e) => e.type === 'push.message.new' && e.cid === `messaging:${id}`, '/push');
  const name = uid('backend').replace(/[^A-Za-z0-9_-]/g, '').slice(-30);
  const [ann, bob, cat] = [uid('ann'), uid('bob'), uid('cat')];
  await createUsers(cat);
  const clients = await connectAll(ann, bob);
  try {
    await server.upsertPushProvider({ type: 'webhook', name, webhook_url: hook.url });
    const channel = clients[0].channel('messaging', id, { members: [ann, bob, cat] });
    await channel.watch();
    await clients[1].channel('messaging', id).watch();

    const sent = await channel.sendMessage({ text: 'who gets a push?' });

    const { body: push } = await hook.first;
    assert.equal(push.message.id, sent.message.id);
    assert.equal(push.user.id, ann);
    assert.deepEqual(push.receivers.map((r) => r.user.id), [cat], 'bob watches; ann sent it');
  } finally {
    await server.deletePushProvider({ type: 'webhook', name });
    hook.close();
    await disconnectAll(...clients);
  }
});
