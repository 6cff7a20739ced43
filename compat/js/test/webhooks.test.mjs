// Webhooks with the official server client: the settings it writes, the hook events it lists, and a webhook
// Parley posts that passes the SDK's own signature check (PROTOCOL.md §15).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, jsonReceiver, serverClient, uid } from '../lib/parley.mjs';

test('a message.new Parley posts to an event hook passes the SDK\'s verifyWebhook', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const id = uid('hooked');
  const hook = await jsonReceiver((e) => e.type === 'message.new' && e.channel_id === id);
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    await server.updateAppSettings({
      event_hooks: [{ hook_type: 'webhook', webhook_url: hook.url, event_types: ['message.new'] }],
    });
    const settings = await server.getAppSettings();
    assert.equal(settings.app.event_hooks.length, 1);
    assert.equal(settings.app.event_hooks[0].webhook_url, hook.url);
    assert.ok(settings.app.event_hooks[0].id, 'the server gave the hook an id');

    const channel = clients[0].channel('messaging', id, { members: [ann, bob] });
    await channel.watch();
    const sent = await channel.sendMessage({ text: 'hello webhook' });
    const { raw, headers } = await hook.first;
    const [signature, apiKey] = [headers['x-signature'], headers['x-api-key']];

    assert.equal(server.verifyWebhook(raw, signature), true);
    assert.equal(server.verifyWebhook(Buffer.concat([raw, Buffer.from(' ')]), signature), false);
    assert.equal(apiKey, server.key);
    const event = JSON.parse(raw.toString('utf8'));
    assert.equal(event.message.id, sent.message.id);
    assert.equal(event.user.id, ann);
    assert.equal(event.cid, `messaging:${id}`);
  } finally {
    await server.updateAppSettings({ event_hooks: [] });
    hook.close();
    await disconnectAll(...clients);
  }
});

test('getHookEvents lists the events Parley posts, and an SQS hook is refused by name', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const { events } = await server.getHookEvents();
  const names = events.map((e) => e.name);
  assert.ok(names.includes('message.new'));
  assert.ok(names.includes('channel.created'));
  assert.ok(!names.includes('typing.start'));

  await assert.rejects(
    server.updateAppSettings({ event_hooks: [{ hook_type: 'sqs', sqs_queue_url: 'https://sqs.example/q' }] }),
    (err) => err.code === 4 && /hook_type 'sqs'/.test(err.message),
  );
});

test('unread reminders: a type\'s reminders flag and the app\'s reminders_interval are set, shown and bounded',
  { timeout: TIMEOUT }, async () => {
    const server = serverClient();
    const type = uid('remind').toLowerCase().replace(/[^a-z0-9_-]/g, '');
    await server.createChannelType({ name: type, reminders: true });
    try {
      assert.equal((await server.getChannelType(type)).reminders, true);
      await server.updateChannelType(type, { reminders: false });
      assert.equal((await server.getChannelType(type)).reminders, false);

      await server.updateAppSettings({ reminders_interval: 3600 });
      assert.equal((await server.getAppSettings()).app.reminders_interval, 3600);
      await assert.rejects(server.updateAppSettings({ reminders_interval: 30 }),
        (err) => err.code === 4 && /reminders_interval/.test(err.message));
      const { events } = await server.getHookEvents();
      assert.ok(events.map((e) => e.name).includes('user.unread_message_reminder'));
    } finally {
      await server.updateAppSettings({ reminders_interval: null });
      await server.deleteChannelType(type);
    }
    assert.equal((await server.getAppSettings()).app.reminders_interval, 300);
  });
