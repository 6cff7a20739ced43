// Reminders and saved-for-later messages with the official client (PROTOCOL.md §7.23): createReminder,
// updateReminder, deleteReminder and queryReminders, the ReminderManager that keeps them from the events and the
// errors it recognises, its paginator, and notification.reminder_due when the time comes.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TIMEOUT, connect, connectAll, disconnectAll, errorCode, eventually, nextEvent, rejection, serverClient, uid } from '../lib/parley.mjs';

before(async () => {
  await serverClient().updateChannelType('messaging', { user_message_reminders: true });
});

async function channelWithMessages(client, members, ...texts) {
  const channel = client.channel('messaging', uid('reminders'), { members });
  await channel.watch();
  const ids = [];
  for (const text of texts) {
    ids.push((await channel.sendMessage({ text })).message.id);
  }
  return { channel, ids };
}

test('a message saved for later gets a time and is deleted, and the ReminderManager follows', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  const [annClient] = clients;
  try {
    annClient.reminders.registerSubscriptions();
    const { ids: [messageId] } = await channelWithMessages(annClient, [ann], 'read me later');

    const created = nextEvent(annClient, 'reminder.created');
    const { reminder } = await annClient.createReminder({ messageId });
    assert.equal(reminder.message_id, messageId);
    assert.equal(reminder.remind_at ?? null, null);
    assert.equal(reminder.message.text, 'read me later');
    assert.equal((await created).reminder.message_id, messageId);
    await eventually(() => assert.ok(annClient.reminders.getFromState(messageId)));

    // The manager creates, finds the SDK's "already has reminder" error, and updates instead.
    const remindAt = new Date(Date.now() + 3_600_000).toISOString();
    const updated = nextEvent(annClient, 'reminder.updated');
    await annClient.reminders.upsertReminder({ messageId, remind_at: remindAt });
    assert.equal(new Date((await updated).reminder.remind_at).getTime(), new Date(remindAt).getTime());
    const err = await rejection(annClient.createReminder({ messageId }));
    assert.equal(errorCode(err), 4);
    assert.match(err.message, /already has reminder created for this message_id/);

    const { reminders } = await annClient.queryReminders({ filter: { remind_at: { $exists: true } } });
    assert.deepEqual(reminders.map((r) => r.message_id), [messageId]);

    const deleted = nextEvent(annClient, 'reminder.deleted');
    await annClient.reminders.deleteReminder(messageId);
    assert.equal((await deleted).message_id, messageId);
    assert.match((await rejection(annClient.deleteReminder(messageId))).message, /reminder does not exist/);
    assert.equal(annClient.reminders.getFromState(messageId), undefined);
  } finally {
    annClient.reminders.unregisterSubscriptions();
    await disconnectAll(...clients);
  }
});

test('the ReminderManager\'s paginator pages through the user\'s reminders', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  const [annClient] = clients;
  try {
    const { ids } = await channelWithMessages(annClient, [ann], 'one', 'two', 'three');
    for (const messageId of ids) {
      await annClient.createReminder({ messageId });
    }
    annClient.reminders.paginator.pageSize = 2;
    annClient.reminders.paginator.sort = { created_at: 1 };
    await annClient.reminders.queryNextReminders();
    assert.deepEqual(annClient.reminders.paginator.items.map((r) => r.message_id), ids.slice(0, 2));
    assert.equal(annClient.reminders.paginator.hasNext, true);
    await annClient.reminders.queryNextReminders();
    assert.deepEqual(annClient.reminders.paginator.items.map((r) => r.message_id), ids);
    assert.equal(annClient.reminders.paginator.hasNext, false);
  } finally {
    await disconnectAll(...clients);
  }
});

test('notification.reminder_due arrives once the reminder\'s time has passed', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  const [annClient] = clients;
  try {
    const { ids: [messageId] } = await channelWithMessages(annClient, [ann], 'ping me');
    const due = nextEvent(annClient, 'notification.reminder_due', (e) => e.reminder?.message_id === messageId, 10_000);
    await annClient.createReminder({ messageId, remind_at: new Date(Date.now() + 1_000).toISOString() });
    const event = await due;
    assert.equal(event.reminder.message.text, 'ping me');
    assert.equal(event.cid, event.reminder.channel_cid);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a channel type with user_message_reminders off refuses a reminder', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  const [annClient] = clients;
  try {
    const channel = annClient.channel('team', uid('team'), { members: [ann] });
    await channel.watch();
    const { message } = await channel.sendMessage({ text: 'not here' });
    assert.equal(errorCode(await rejection(annClient.createReminder({ messageId: message.id }))), 19);
  } finally {
    await disconnectAll(...clients);
  }
});

test('queryChannels on another device fills its ReminderManager from the messages\' reminders', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  let other;
  try {
    const { channel, ids: [messageId] } = await channelWithMessages(clients[0], [ann], 'bookmarked');
    await clients[0].createReminder({ messageId });

    other = (await connect({ id: ann, name: ann })).client;
    await other.queryChannels({ cid: channel.cid });
    assert.equal(other.reminders.getFromState(messageId)?.state.getLatestValue().message_id, messageId);
  } finally {
    await disconnectAll(...clients, other);
  }
});
