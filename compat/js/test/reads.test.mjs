// Read state and unread counts with the official client: me counters, channel.countUnread(),
// markRead/markUnread and their events, getUnreadCount (PROTOCOL.md §6.1, §6.6, §7.8, §7.17).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connect, connectAll, createUsers, disconnectAll, nextEvent, uid } from '../lib/parley.mjs';

test('messages sent while away show in me.total_unread_count and channel.countUnread()', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  await createUsers(bob);
  const clients = await connectAll(ann);
  try {
    const channel = clients[0].channel('messaging', uid('away'), { members: [ann, bob] });
    await channel.watch();
    await channel.sendMessage({ text: 'one' });
    await channel.sendMessage({ text: 'two' });

    const { client, me } = await connect({ id: bob });
    clients.push(client);
    assert.equal(me.total_unread_count, 2);
    assert.equal(me.unread_channels, 1);
    assert.equal(client.user.total_unread_count, 2);
    const [bobChannel] = await client.queryChannels({ cid: channel.cid }, {}, { watch: true });
    assert.equal(bobChannel.countUnread(), 2);
  } finally {
    await disconnectAll(...clients);
  }
});

test('markRead zeroes the unread count, sends notification.mark_read to the reader and message.read to others',
  { timeout: TIMEOUT }, async () => {
    const [ann, bob] = [uid('ann'), uid('bob')];
    const clients = await connectAll(ann, bob);
    try {
      const [annClient, bobClient] = clients;
      const id = uid('read');
      const annChannel = annClient.channel('messaging', id, { members: [ann, bob] });
      await annChannel.watch();
      const bobChannel = bobClient.channel('messaging', id);
      await bobChannel.watch();
      const arrived = new Promise((resolve) => bobChannel.on('message.new', resolve));
      const { message } = await annChannel.sendMessage({ text: 'read me' });
      await arrived;
      assert.equal(bobChannel.countUnread(), 1);

      const markRead = nextEvent(bobClient, 'notification.mark_read');
      const readByBob = nextEvent(annClient, 'message.read', (e) => e.user?.id === bob);
      const response = await bobChannel.markRead();
      const notification = await markRead;
      const read = await readByBob;

      assert.equal(response.event.last_read_message_id, message.id);
      assert.equal(notification.unread_channels, 0);
      assert.equal(notification.total_unread_count, 0);
      assert.equal(read.last_read_message_id, message.id);
      assert.equal(bobChannel.countUnread(), 0);
      assert.equal(annChannel.state.read[bob].unread_messages, 0);
      assert.equal((await bobClient.getUnreadCount()).total_unread_count, 0);
    } finally {
      await disconnectAll(...clients);
    }
  });

test('markUnread makes a message and the ones after it unread again', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('unread');
    const annChannel = annClient.channel('messaging', id, { members: [ann, bob] });
    await annChannel.watch();
    const ids = [];
    for (const text of ['a', 'b', 'c']) {
      ids.push((await annChannel.sendMessage({ text })).message.id);
    }
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();
    await bobChannel.markRead();

    const marked = nextEvent(bobClient, 'notification.mark_unread');
    await bobChannel.markUnread({ message_id: ids[1] });
    const event = await marked;

    assert.equal(event.unread_messages, 2);
    assert.equal(event.first_unread_message_id, ids[1]);
    assert.equal(event.last_read_message_id, ids[0]);
    const counts = await bobClient.getUnreadCount();
    assert.equal(counts.total_unread_count, 2);
    assert.equal(counts.channels[0].channel_id, `messaging:${id}`);
  } finally {
    await disconnectAll(...clients);
  }
});

test('markChannelsDelivered sends message.delivered to the author and fills read[] delivery fields',
  { timeout: TIMEOUT }, async () => {
    const [ann, bob] = [uid('ann'), uid('bob')];
    const clients = await connectAll(ann, bob);
    try {
      const [annClient, bobClient] = clients;
      const id = uid('deliv');
      const annChannel = annClient.channel('messaging', id, { members: [ann, bob] });
      await annChannel.watch();
      assert.equal(annChannel.data.config.delivery_events, true);
      const { message } = await annChannel.sendMessage({ text: 'did it arrive?' });

      const delivered = nextEvent(annClient, 'message.delivered', (e) => e.user?.id === bob);
      await bobClient.markChannelsDelivered({ latest_delivered_messages: [{ cid: annChannel.cid, id: message.id }] });
      const event = await delivered;

      assert.equal(event.last_delivered_message_id, message.id);
      assert.equal(annChannel.state.read[bob].last_delivered_message_id, message.id);
    } finally {
      await disconnectAll(...clients);
    }
  });

test('addDevice, getDevices and removeDevice manage the user own push devices', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  try {
    const [client] = clients;
    await client.addDevice('device-token-1', 'firebase');
    const { devices } = await client.getDevices();
    assert.deepEqual(devices.map((d) => [d.id, d.push_provider]), [['device-token-1', 'firebase']]);
    await client.removeDevice('device-token-1');
    assert.equal((await client.getDevices()).devices.length, 0);
  } finally {
    await disconnectAll(...clients);
  }
});
