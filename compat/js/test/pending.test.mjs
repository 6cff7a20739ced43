// Pending messages with the official clients: a server-side send or a type's mark_messages_pending holds a message
// for its sender, whose channel state lists it, until the server side commits it (PROTOCOL.md §7.29).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, errorCode, nextEvent, rejection, serverClient, uid } from '../lib/parley.mjs';

function name(prefix) {
  return uid(prefix).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

test('a pending message shows to its sender alone until commitMessage publishes it', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const id = uid('held');
    await annClient.channel('messaging', id, { members: [ann, bob] }).watch();
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();
    const server = serverClient();

    const sent = await server
      .channel('messaging', id)
      .sendMessage({ text: 'awaiting review', user_id: ann }, { pending: true, pending_message_metadata: { ticket: '7' } });
    assert.deepEqual(sent.pending_message_metadata, { ticket: '7' });

    const [annState] = await annClient.queryChannels({ cid: `messaging:${id}` });
    assert.equal(annState.state.messages.at(-1).text, 'awaiting review');
    const { pending_messages: pending } = await annClient.channel('messaging', id).query({});
    assert.equal(pending.length, 1);
    assert.equal(pending[0].message.id, sent.message.id);
    assert.deepEqual(pending[0].pending_message_metadata, { ticket: '7' });
    const { messages: bobs } = await bobChannel.query({ messages: { limit: 10 } });
    assert.deepEqual(bobs, []);
    assert.equal(errorCode(await rejection(bobClient.getMessage(sent.message.id))), 16);
    assert.equal(errorCode(await rejection(annClient.commitMessage(sent.message.id))), 17);

    const arrived = nextEvent(bobClient, 'message.new');
    const committed = await server.commitMessage(sent.message.id);
    assert.equal(committed.message.id, sent.message.id);
    assert.equal((await arrived).message.text, 'awaiting review');
    assert.equal((await bobClient.getMessage(sent.message.id)).message.text, 'awaiting review');
    assert.equal((await server.commitMessage(sent.message.id)).message.created_at, committed.message.created_at);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a type with mark_messages_pending holds its members\' messages for the server side to commit', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const type = name('moderated');
  const created = await server.createChannelType({ name: type, mark_messages_pending: true });
  assert.equal(created.mark_messages_pending, true);
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const annChannel = annClient.channel(type, uid('desk'), { members: [ann, bob] });
    await annChannel.watch();
    assert.equal(annChannel.getConfig().mark_messages_pending, true);
    const bobChannel = bobClient.channel(type, annChannel.id);
    await bobChannel.watch();

    const { message } = await annChannel.sendMessage({ text: 'is this allowed?' });
    assert.equal(errorCode(await rejection(annClient.partialUpdateMessage(message.id, { set: { text: 'x' } }))), 4);
    const { messages: before } = await bobChannel.query({ messages: { limit: 10 } });
    assert.deepEqual(before, []);

    await server.commitMessage(message.id);
    const { messages: after } = await bobChannel.query({ messages: { limit: 10 } });
    assert.deepEqual(after.map((m) => m.text), ['is this allowed?']);
  } finally {
    await disconnectAll(...clients);
    await server.updateChannelType(type, { mark_messages_pending: false });
  }
});
