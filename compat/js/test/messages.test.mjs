// Messages with the official client: send and receive, duplicate ids, threads, reactions, edits,
// deletes and pagination (PROTOCOL.md §7.10, §7.11, §9.7, §13 items 11, 12, 16, 17).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, errorCode, nextEvent, rejection, serverClient, uid } from '../lib/parley.mjs';

/** Two connected users watching one new channel: `{clients, annChannel, bobChannel}`. */
async function pair() {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const id = uid('msgs');
  const annChannel = clients[0].channel('messaging', id, { members: [ann, bob] });
  await annChannel.watch();
  const bobChannel = clients[1].channel('messaging', id);
  await bobChannel.watch();
  return { ann, bob, clients, annChannel, bobChannel };
}

function once(channel, type, predicate = () => true) {
  return new Promise((resolve) => {
    const sub = channel.on(type, (e) => {
      if (predicate(e)) {
        sub.unsubscribe();
        resolve(e);
      }
    });
  });
}

test('a sent message reaches the other user through message.new', { timeout: TIMEOUT }, async () => {
  const { ann, clients, annChannel, bobChannel } = await pair();
  try {
    const id = randomUUID();
    const received = once(bobChannel, 'message.new');
    const { message } = await annChannel.sendMessage({ id, text: 'hello bob' });
    const event = await received;

    assert.equal(message.id, id);
    assert.equal(event.message.id, id);
    assert.equal(event.message.user.id, ann);
    assert.equal(event.channel_type, 'messaging');
    assert.equal(bobChannel.state.messages.at(-1).text, 'hello bob');
  } finally {
    await disconnectAll(...clients);
  }
});

test('resending a message id fails with code 4 and "already exists"', { timeout: TIMEOUT }, async () => {
  const { clients, annChannel } = await pair();
  try {
    const id = randomUUID();
    await annChannel.sendMessage({ id, text: 'once' });
    const err = await rejection(annChannel.sendMessage({ id, text: 'twice' }));

    assert.equal(errorCode(err), 4);
    assert.match(err.message, /already exists/);
  } finally {
    await disconnectAll(...clients);
  }
});

test('thread replies are listed by getReplies and raise the parent reply_count', { timeout: TIMEOUT }, async () => {
  const { bob, clients, annChannel, bobChannel } = await pair();
  try {
    const { message: parent } = await annChannel.sendMessage({ text: 'parent' });
    const parentUpdated = once(annChannel, 'message.updated', (e) => e.message.id === parent.id && e.message.reply_count === 2);
    await bobChannel.sendMessage({ text: 'r1', parent_id: parent.id });
    await bobChannel.sendMessage({ text: 'r2', parent_id: parent.id });
    await parentUpdated;

    const { messages } = await annChannel.getReplies(parent.id, { limit: 10 });
    assert.deepEqual(messages.map((m) => m.text), ['r1', 'r2']);
    const { messages: older } = await annChannel.getReplies(parent.id, { limit: 1, id_lt: messages[1].id });
    assert.deepEqual(older.map((m) => m.text), ['r1']);
    const { message } = await clients[0].getMessage(parent.id);
    assert.equal(message.reply_count, 2);
    assert.equal(message.thread_participants[0].id, bob);
    assert.ok(!annChannel.state.messages.some((m) => m.text === 'r1'), 'a thread-only reply landed in the channel');
  } finally {
    await disconnectAll(...clients);
  }
});

test('a reaction reaches the author as reaction.new with counts and groups', { timeout: TIMEOUT }, async () => {
  const { bob, clients, annChannel, bobChannel } = await pair();
  try {
    const { message } = await annChannel.sendMessage({ text: 'react' });
    const reacted = once(annChannel, 'reaction.new');
    const ownEcho = once(bobChannel, 'reaction.new');
    const response = await bobChannel.sendReaction(message.id, { type: 'love' });
    const event = await reacted;
    await ownEcho;

    assert.equal(response.reaction.user_id, bob);
    assert.equal(event.reaction.type, 'love');
    assert.equal(event.message.reaction_counts.love, 1);
    assert.equal(event.message.reaction_groups.love.count, 1);
    const local = annChannel.state.messages.find((m) => m.id === message.id);
    assert.equal(local.latest_reactions.length, 1);
    assert.equal(bobChannel.state.messages.find((m) => m.id === message.id).own_reactions[0].type, 'love');

    const { reactions } = await clients[0].queryReactions(message.id, { type: 'love' });
    assert.deepEqual(reactions.map((r) => r.user_id), [bob]);

    const removed = once(annChannel, 'reaction.deleted');
    await bobChannel.deleteReaction(message.id, 'love');
    assert.equal((await removed).message.reaction_counts.love, undefined);
  } finally {
    await disconnectAll(...clients);
  }
});

test('editing and deleting a message send message.updated and message.deleted', { timeout: TIMEOUT }, async () => {
  const { clients, annChannel, bobChannel } = await pair();
  try {
    const { message } = await annChannel.sendMessage({ text: 'draft' });
    const updated = once(bobChannel, 'message.updated');
    await clients[0].updateMessage({ ...message, text: 'final' });
    assert.equal((await updated).message.text, 'final');
    assert.equal(bobChannel.state.messages.find((m) => m.id === message.id).text, 'final');

    const deleted = once(bobChannel, 'message.deleted');
    await clients[0].deleteMessage(message.id);
    const event = await deleted;
    assert.equal(event.message.type, 'deleted');
    assert.equal(event.hard_delete, false);
  } finally {
    await disconnectAll(...clients);
  }
});

test('channel.query pages older messages with id_lt, oldest first', { timeout: TIMEOUT }, async () => {
  const { clients, annChannel, bobChannel } = await pair();
  try {
    const sent = [];
    for (let i = 0; i < 5; i += 1) {
      sent.push((await annChannel.sendMessage({ text: `m${i}` })).message.id);
    }
    const latest = await bobChannel.query({ messages: { limit: 2 } });
    assert.deepEqual(latest.messages.map((m) => m.id), sent.slice(3));
    const older = await bobChannel.query({ messages: { limit: 2, id_lt: latest.messages[0].id } });
    assert.deepEqual(older.messages.map((m) => m.id), sent.slice(1, 3));

    const stillWatching = once(bobChannel, 'message.new', (e) => e.message.text === 'after paging');
    await annChannel.sendMessage({ text: 'after paging' });
    assert.equal((await stillWatching).message.text, 'after paging');
  } finally {
    await disconnectAll(...clients);
  }
});

test('queryThreads returns the thread with its parent and latest replies', { timeout: TIMEOUT }, async () => {
  const { clients, annChannel, bobChannel } = await pair();
  try {
    const { message: parent } = await annChannel.sendMessage({ text: 'thread topic' });
    await bobChannel.sendMessage({ text: 'first reply', parent_id: parent.id });
    await bobChannel.sendMessage({ text: 'second reply', parent_id: parent.id });

    const { threads } = await clients[1].queryThreads({ reply_limit: 1 });
    assert.equal(threads.length, 1);
    const state = threads[0].state.getLatestValue();
    assert.equal(threads[0].id, parent.id);
    assert.equal(state.parentMessage.text, 'thread topic');
    assert.deepEqual(state.replies.map((m) => m.text), ['second reply']);

    const thread = await clients[0].getThread(parent.id);
    assert.equal(thread.id, parent.id);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a message deleted for me is deleted for its reader only', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const annChannel = clients[0].channel('messaging', uid('forme'), { members: [ann, bob] });
    await annChannel.watch();
    const { message } = await annChannel.sendMessage({ text: 'not for bob forever' });
    const bobChannel = clients[1].channel('messaging', annChannel.id);
    await bobChannel.watch();

    const seenByAnn = [];
    const annListens = clients[0].on('message.deleted', (e) => seenByAnn.push(e));
    const deleted = nextEvent(clients[1], 'message.deleted', (e) => e.deleted_for_me === true);
    await clients[1].deleteMessage(message.id, { deleteForMe: true });
    assert.equal((await deleted).message.id, message.id);

    const forBob = await clients[1].channel('messaging', annChannel.id).query({ messages: { limit: 10 } });
    const forAnn = await clients[0].channel('messaging', annChannel.id).query({ messages: { limit: 10 } });
    assert.equal(forBob.messages[0].type, 'deleted');
    assert.equal(forBob.messages[0].deleted_for_me, true);
    assert.equal(forAnn.messages[0].type, 'regular');
    assert.equal(forAnn.messages[0].deleted_for_me, undefined);
    // anything sent to ann about the deletion would have come before her own later message
    const later = nextEvent(clients[0], 'message.new', (e) => e.message.text === 'later');
    await annChannel.sendMessage({ text: 'later' });
    await later;
    annListens.unsubscribe();
    assert.deepEqual(seenByAnn, [], 'the author hears nothing of it');
  } finally {
    await disconnectAll(...clients);
  }
});

test('a message with restricted_visibility reaches and shows to the users it names only', { timeout: TIMEOUT }, async () => {
  const [ann, bob, cat] = [uid('ann'), uid('bob'), uid('cat')];
  const clients = await connectAll(ann, bob, cat);
  const [annClient, bobClient, catClient] = clients;
  try {
    const id = uid('whisper');
    await annClient.channel('messaging', id, { members: [ann, bob, cat] }).watch();
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();
    const catChannel = catClient.channel('messaging', id);
    await catChannel.watch();

    const toBob = nextEvent(bobClient, 'message.new');
    const toCat = nextEvent(catClient, 'message.new');
    const server = serverClient().channel('messaging', id);
    await server.sendMessage({ text: 'only for bob', user_id: ann, restricted_visibility: [bob] });
    await server.sendMessage({ text: 'for all', user_id: ann });
    assert.equal((await toBob).message.text, 'only for bob');
    assert.deepEqual((await toBob).message.restricted_visibility, [bob]);
    assert.equal((await toCat).message.text, 'for all', "cat's first message.new is the one for all");

    const { messages: bobs } = await bobChannel.query({ messages: { limit: 10 } });
    const { messages: cats } = await catChannel.query({ messages: { limit: 10 } });
    assert.deepEqual(bobs.map((m) => m.text), ['only for bob', 'for all']);
    assert.deepEqual(cats.map((m) => m.text), ['for all']);
    const refused = await rejection(bobChannel.sendMessage({ text: 'psst', restricted_visibility: [ann] }));
    assert.equal(errorCode(refused), 17);
  } finally {
    await disconnectAll(...clients);
  }
});

test('queryMessageHistory lists the versions of an edited message', { timeout: TIMEOUT }, async () => {
  const { ann, clients, annChannel } = await pair();
  try {
    const { message } = await annChannel.sendMessage({ text: 'draft one' });
    await clients[0].partialUpdateMessage(message.id, { set: { text: 'draft two' } });
    await clients[0].partialUpdateMessage(message.id, { set: { text: 'final' } });

    const { message_history: newest } = await clients[1].queryMessageHistory({ message_id: message.id });
    const { message_history: oldest, next } = await clients[1].queryMessageHistory(
      { message_id: { $eq: message.id } },
      [{ message_updated_at: 1 }],
      { limit: 2 },
    );
    assert.deepEqual(newest.map((e) => e.text), ['final', 'draft two', 'draft one']);
    assert.deepEqual(oldest.map((e) => e.text), ['draft one', 'draft two']);
    assert.equal(oldest[0].message_updated_by_id, ann);
    const { message_history: rest } = await clients[1].queryMessageHistory({ message_id: message.id }, [{ message_updated_at: 1 }], { limit: 2, next });
    assert.deepEqual(rest.map((e) => e.text), ['final']);
  } finally {
    await disconnectAll(...clients);
  }
});
