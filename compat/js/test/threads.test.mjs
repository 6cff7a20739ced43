// Threads with the official client: the ThreadManager's unread thread count, a Thread's read state and
// markAsRead, markUnread of a thread, and partialUpdateThread seen by another client (PROTOCOL.md §7.18).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, eventually, nextEvent, uid } from '../lib/parley.mjs';

test('replies light the thread list\'s unread count and Thread.markAsRead puts it out', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const cid = uid('threads');
    await annClient.channel('messaging', cid, { members: [ann, bob] }).watch();
    const bobChannel = bobClient.channel('messaging', cid);
    await bobChannel.watch();
    const { message: parent } = await annClient.channel('messaging', cid).sendMessage({ text: 'plans?' });

    annClient.threads.registerSubscriptions();
    const announced = nextEvent(annClient, 'notification.thread_message_new');
    await bobChannel.sendMessage({ text: 'friday', parent_id: parent.id });
    await bobChannel.sendMessage({ text: 'or saturday', parent_id: parent.id });
    assert.equal((await announced).message.parent_id, parent.id);
    await eventually(() => assert.equal(annClient.threads.state.getLatestValue().unreadThreadCount, 1));

    const { threads } = await annClient.queryThreads({ reply_limit: 5 });
    assert.equal(threads.length, 1);
    const thread = threads[0];
    assert.equal(thread.id, parent.id);
    assert.equal(thread.ownUnreadCount, 2);
    const unread = await annClient.getUnreadCount();
    assert.equal(unread.total_unread_threads_count, 1);
    assert.equal(unread.threads[0].parent_message_id, parent.id);

    const readByAnn = nextEvent(bobClient, 'message.read', (e) => e.thread?.parent_message_id === parent.id);
    await thread.markAsRead();
    await eventually(() => assert.equal(annClient.threads.state.getLatestValue().unreadThreadCount, 0));
    assert.equal((await readByAnn).user.id, ann);
    assert.equal((await annClient.getUnreadCount()).total_unread_threads_count, 0);
    annClient.threads.unregisterSubscriptions();
  } finally {
    await disconnectAll(...clients);
  }
});

test('a thread marked unread from a reply counts the replies from there', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const cid = uid('unread');
    const annChannel = annClient.channel('messaging', cid, { members: [ann, bob] });
    await annChannel.watch();
    const bobChannel = bobClient.channel('messaging', cid);
    await bobChannel.watch();
    const { message: parent } = await annChannel.sendMessage({ text: 'topic' });
    const { message: first } = await bobChannel.sendMessage({ text: 'one', parent_id: parent.id });
    await bobChannel.sendMessage({ text: 'two', parent_id: parent.id });

    const marked = nextEvent(annClient, 'notification.mark_unread', (e) => e.thread_id === parent.id);
    await annChannel.markUnread({ thread_id: parent.id, message_id: first.id });
    const event = await marked;
    assert.equal(event.unread_messages, 2);
    assert.equal(event.first_unread_message_id, first.id);
    assert.equal(event.unread_threads, 1);
  } finally {
    await disconnectAll(...clients);
  }
});

test('partialUpdateThread sets a title and a custom field that another client\'s Thread shows', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const cid = uid('titled');
    const annChannel = annClient.channel('messaging', cid, { members: [ann, bob] });
    await annChannel.watch();
    const { message: parent } = await annChannel.sendMessage({ text: 'topic' });
    await annChannel.sendMessage({ text: 'first reply', parent_id: parent.id });

    const bobThread = await bobClient.getThread(parent.id, { watch: true });
    bobThread.registerSubscriptions();
    const updated = nextEvent(bobClient, 'thread.updated');
    const answer = await annClient.partialUpdateThread(parent.id, { set: { title: 'Weekend plans', topic: 'travel' } });
    assert.equal(answer.thread.title, 'Weekend plans');
    assert.equal((await updated).thread.title, 'Weekend plans');
    await eventually(() => {
      const state = bobThread.state.getLatestValue();
      assert.equal(state.title, 'Weekend plans');
      assert.equal(state.custom.topic, 'travel');
    });
    bobThread.unregisterSubscriptions();
  } finally {
    await disconnectAll(...clients);
  }
});
