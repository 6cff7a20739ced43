// Channels with the official client: create and watch, queryChannels, watchers, typing, hide/show,
// truncate, delete and distinct channels (PROTOCOL.md §7.2 to §7.8, §4.5, §11.4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, nextEvent, serverClient, uid } from '../lib/parley.mjs';

test('a watched channel has config and capabilities, and queryChannels finds it by member sorted by last message',
  { timeout: TIMEOUT }, async () => {
    const [ann, bob] = [uid('ann'), uid('bob')];
    const clients = await connectAll(ann, bob);
    try {
      const [annClient, bobClient] = clients;
      const older = annClient.channel('messaging', uid('older'), { name: 'Older', members: [ann, bob] });
      const newer = annClient.channel('messaging', uid('newer'), { name: 'Newer', members: [ann, bob] });
      const state = await older.watch();
      await newer.watch();
      await newer.sendMessage({ text: 'first' });
      await older.sendMessage({ text: 'latest' });

      assert.equal(state.channel.config.typing_events, true);
      assert.ok(state.channel.own_capabilities.includes('send-message'), 'no send-message capability');
      assert.equal(state.channel.member_count, 2);

      const channels = await bobClient.queryChannels({ members: { $in: [bob] } }, [{ last_message_at: -1 }], { watch: true });
      assert.deepEqual(channels.map((c) => c.id), [older.id, newer.id]);
      assert.equal(channels[0].data.name, 'Older');
      assert.equal(channels[0].state.messages.at(-1).text, 'latest');
    } finally {
      await disconnectAll(...clients);
    }
  });

test('watching sends user.watching.start with watcher_count to the other watcher', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('watch');
    const channel = annClient.channel('messaging', id, { members: [ann, bob] });
    await channel.watch();

    const started = nextEvent(annClient, 'user.watching.start', (e) => e.user?.id === bob);
    await bobClient.channel('messaging', id).watch();
    const event = await started;

    assert.equal(event.watcher_count, 2);
    assert.equal(event.cid, `messaging:${id}`);
    assert.equal(channel.state.watcher_count, 2);
  } finally {
    await disconnectAll(...clients);
  }
});

test('typing.start and typing.stop reach the other user', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('typing');
    await annClient.channel('messaging', id, { members: [ann, bob] }).create();
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();
    const annChannel = annClient.channel('messaging', id);
    await annChannel.watch();

    const started = new Promise((resolve) => bobChannel.on('typing.start', (e) => e.user?.id === ann && resolve(e)));
    await annChannel.keystroke();
    const start = await started;
    const stopped = new Promise((resolve) => bobChannel.on('typing.stop', (e) => e.user?.id === ann && resolve(e)));
    await annChannel.stopTyping();
    const stop = await stopped;

    assert.equal(start.channel_id, id);
    assert.equal(stop.cid, `messaging:${id}`);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a hidden channel leaves queryChannels until it is shown again', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  try {
    const [client] = clients;
    const channel = client.channel('messaging', uid('hide'), { members: [ann] });
    await channel.watch();
    const filter = { members: { $in: [ann] } };

    const hiddenEvent = nextEvent(client, 'channel.hidden');
    await channel.hide();
    await hiddenEvent;
    const whileHidden = await client.queryChannels(filter);
    await channel.show();
    const afterShow = await client.queryChannels(filter);

    assert.equal(whileHidden.length, 0);
    assert.deepEqual(afterShow.map((c) => c.cid), [channel.cid]);
  } finally {
    await disconnectAll(...clients);
  }
});

test('truncate empties the channel for the other watcher', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('trunc');
    const annChannel = annClient.channel('messaging', id, { members: [ann, bob] });
    await annChannel.watch();
    await annChannel.sendMessage({ text: 'soon gone' });
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();
    assert.equal(bobChannel.state.messages.length, 1);

    const truncated = new Promise((resolve) => bobChannel.on('channel.truncated', resolve));
    await annChannel.truncate();
    const event = await truncated;

    assert.ok(event.channel.truncated_at, 'channel.truncated carries no truncated_at');
    assert.equal(bobChannel.state.messages.length, 0);
    const again = await bobClient.channel('messaging', id).query({ messages: { limit: 10 } });
    assert.equal(again.messages.length, 0);
  } finally {
    await disconnectAll(...clients);
  }
});

test('deleting a channel sends channel.deleted and later queries no longer find it', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('del');
    const annChannel = annClient.channel('messaging', id, { members: [ann, bob] });
    await annChannel.watch();
    await bobClient.channel('messaging', id).watch();

    const deleted = nextEvent(bobClient, 'channel.deleted', (e) => e.cid === `messaging:${id}`);
    const response = await annChannel.delete();
    await deleted;

    assert.ok(response.channel.deleted_at, 'the delete response has no deleted_at');
    const left = await bobClient.queryChannels({ cid: `messaging:${id}` });
    assert.equal(left.length, 0);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a soft-deleted channel comes back empty, and a distinct one deleted with skip_truncate with its history', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('soft');
    const named = annClient.channel('messaging', id, { members: [ann, bob] });
    await named.watch();
    await named.sendMessage({ text: 'before the delete' });
    // The SDK drops its channel object when channel.deleted arrives: wait for it, or the object made next may be
    // the old one, disconnected under the query.
    const deleted = nextEvent(annClient, 'channel.deleted', (e) => e.cid === named.cid);
    await named.delete();
    await deleted;
    const recreated = annClient.channel('messaging', id, { members: [ann, bob] });
    const state = await recreated.query({ messages: { limit: 10 } });
    assert.equal(state.messages.length, 0, 'a soft-deleted channel comes back empty');

    const pair = bobClient.channel('messaging', { members: [ann, bob] });
    await pair.watch();
    const { message } = await pair.sendMessage({ text: 'we met before' });
    const annHeard = nextEvent(annClient, 'notification.channel_deleted', (e) => e.cid === pair.cid);
    await serverClient().channel('messaging', pair.id).delete({ skip_truncate: true });
    await annHeard;
    assert.equal((await bobClient.queryChannels({ cid: pair.cid })).length, 0);
    const again = annClient.channel('messaging', { members: [bob, ann] });
    const back = await again.query({ messages: { limit: 10 } });
    assert.equal(back.channel.id, pair.id);
    assert.deepEqual(back.messages.map((m) => m.id), [message.id]);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a channel created from members only is the same distinct channel for both users', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const fromAnn = annClient.channel('messaging', { members: [ann, bob] });
    await fromAnn.watch();
    const fromBob = bobClient.channel('messaging', { members: [bob, ann] });
    await fromBob.watch();

    assert.ok(fromAnn.id, 'the distinct channel got no id');
    assert.equal(fromAnn.id, fromBob.id);
  } finally {
    await disconnectAll(...clients);
  }
});

test('addMembers and removeMembers send member events to watchers and notifications to the member',
  { timeout: TIMEOUT }, async () => {
    const [ann, bob] = [uid('ann'), uid('bob')];
    const clients = await connectAll(ann, bob);
    try {
      const [annClient, bobClient] = clients;
      const channel = annClient.channel('messaging', uid('team'), { members: [ann] });
      await channel.watch();

      const memberAdded = new Promise((resolve) => channel.on('member.added', resolve));
      const invited = nextEvent(bobClient, 'notification.added_to_channel', (e) => e.cid === channel.cid);
      await channel.addMembers([bob]);
      assert.equal((await memberAdded).member.user.id, bob);
      assert.equal((await invited).channel.cid, channel.cid);
      assert.ok(channel.state.members[bob], 'the added member is not in the local state');

      const memberRemoved = new Promise((resolve) => channel.on('member.removed', resolve));
      const removed = nextEvent(bobClient, 'notification.removed_from_channel', (e) => e.cid === channel.cid);
      await channel.removeMembers([bob]);
      assert.equal((await memberRemoved).user.id, bob);
      await removed;
      assert.equal(channel.state.members[bob], undefined);
    } finally {
      await disconnectAll(...clients);
    }
  });

test('channel.update and updatePartial send channel.updated with the new data', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('upd');
    const channel = annClient.channel('messaging', id, { name: 'Before', members: [ann, bob] });
    await channel.watch();
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();

    const updated = new Promise((resolve) => bobChannel.on('channel.updated', resolve));
    await channel.update({ name: 'After', topic: 'news' });
    assert.equal((await updated).channel.name, 'After');
    assert.equal(bobChannel.data.name, 'After');

    const partial = new Promise((resolve) => bobChannel.on('channel.updated', resolve));
    const response = await channel.updatePartial({ set: { mood: 'calm' }, unset: ['topic'] });
    assert.equal((await partial).channel.mood, 'calm');
    assert.equal(response.channel.topic, undefined);
    assert.ok(response.channel.own_capabilities.includes('update-channel'));
  } finally {
    await disconnectAll(...clients);
  }
});

test('stopWatching sends user.watching.stop and ends the subscription', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('stop');
    const channel = annClient.channel('messaging', id, { members: [ann, bob] });
    await channel.watch();
    const bobChannel = bobClient.channel('messaging', id);
    await bobChannel.watch();

    const stopped = nextEvent(annClient, 'user.watching.stop', (e) => e.user?.id === bob);
    await bobChannel.stopWatching();
    const event = await stopped;

    assert.equal(event.watcher_count, 1);
    const notified = nextEvent(bobClient, 'notification.message_new', (e) => e.cid === channel.cid);
    await channel.sendMessage({ text: 'you stopped watching' });
    assert.equal((await notified).message.text, 'you stopped watching');
  } finally {
    await disconnectAll(...clients);
  }
});

test('queryMembers finds members by name, and pin/archive mark the own membership', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient] = clients;
    const channel = annClient.channel('messaging', uid('mem'), { members: [ann, bob] });
    await channel.watch();

    const { members } = await channel.queryMembers({ name: { $autocomplete: bob.slice(0, 5) } });
    assert.deepEqual(members.map((m) => m.user_id), [bob]);

    const pinned = await channel.pin();
    const archived = await channel.archive();
    assert.ok(pinned.pinned_at, 'pin() returned no pinned_at');
    assert.ok(archived.archived_at, 'archive() returned no archived_at');
    const found = await annClient.queryChannels({ pinned: true, archived: true });
    assert.deepEqual(found.map((c) => c.cid), [channel.cid]);
  } finally {
    await disconnectAll(...clients);
  }
});

test('pinMessage shows up in pinned_messages and unpinMessage removes it', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  try {
    const [client] = clients;
    const channel = client.channel('messaging', uid('pinmsg'), { members: [ann] });
    await channel.watch();
    const { message } = await channel.sendMessage({ text: 'remember this' });

    const { message: pinned } = await client.pinMessage(message);
    const state = await channel.query({ messages: { limit: 10 } });
    assert.equal(pinned.pinned, true);
    assert.deepEqual(state.pinned_messages.map((m) => m.id), [message.id]);

    await client.unpinMessage(message);
    const after = await channel.query({ messages: { limit: 10 } });
    assert.equal(after.pinned_messages.length, 0);
  } finally {
    await disconnectAll(...clients);
  }
});

test('inviteMembers sends notification.invited and acceptInvite notifies the inviter', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const [annClient, bobClient] = clients;
    const id = uid('inv');
    const channel = annClient.channel('messaging', id, { members: [ann] });
    await channel.watch();

    const invited = nextEvent(bobClient, 'notification.invited', (e) => e.cid === channel.cid);
    await channel.inviteMembers([bob]);
    assert.equal((await invited).member.status, 'pending');
    const pending = await bobClient.queryChannels({ invite: 'pending' });
    assert.deepEqual(pending.map((c) => c.cid), [channel.cid]);

    const accepted = nextEvent(annClient, 'notification.invite_accepted', (e) => e.cid === channel.cid);
    await bobClient.channel('messaging', id).acceptInvite();
    assert.equal((await accepted).user.id, bob);
  } finally {
    await disconnectAll(...clients);
  }
});

test('queryChannels sorts by the user\'s unread count and by has_unread', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const tag = uid('sort');
    const ids = ['quiet', 'busy', 'some'].map((n) => `${tag}-${n}`);
    for (const id of ids) await clients[0].channel('messaging', id, { members: [ann, bob], tag }).create();
    const bobs = ids.map((id) => clients[1].channel('messaging', id));
    for (const c of bobs) await c.watch();
    await bobs[1].sendMessage({ text: 'one' });
    await bobs[1].sendMessage({ text: 'two' });
    await bobs[2].sendMessage({ text: 'three' });

    const byCount = await clients[0].queryChannels({ tag }, [{ unread_count: -1 }], { watch: false, state: false });
    assert.deepEqual(byCount.map((c) => c.id), [ids[1], ids[2], ids[0]]);
    const byUnread = await clients[0].queryChannels({ tag }, [{ has_unread: -1 }, { created_at: 1 }], { watch: false, state: false });
    assert.deepEqual(byUnread.map((c) => c.id), [ids[1], ids[2], ids[0]]);
  } finally {
    await disconnectAll(...clients);
  }
});

test('members added with hide_history see only what is sent after they joined', { timeout: TIMEOUT }, async () => {
  const [ann, bob, cy] = [uid('ann'), uid('bob'), uid('cy')];
  const clients = await connectAll(ann, bob, cy);
  try {
    const channel = clients[0].channel('messaging', uid('history'), { members: [ann] });
    await channel.watch();
    await channel.sendMessage({ text: 'before bob' });
    await channel.addMembers([bob], undefined, { hide_history: true });
    await channel.addMembers([cy]);
    await channel.sendMessage({ text: 'after bob' });

    const bobView = clients[1].channel('messaging', channel.id);
    const bobState = await bobView.watch();
    assert.deepEqual(bobState.messages.map((m) => m.text), ['after bob']);
    assert.ok(bobState.hide_messages_before, 'the state says where bob\'s history starts');
    const cyState = await clients[2].channel('messaging', channel.id).watch();
    assert.deepEqual(cyState.messages.map((m) => m.text), ['before bob', 'after bob']);
  } finally {
    await disconnectAll(...clients);
  }
});
