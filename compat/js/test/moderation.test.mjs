// Moderation, search and uploads with the official client: user and channel mutes, bans, blocks,
// message search and channel file/image uploads (PROTOCOL.md §7.9, §7.12, §7.13, §7.1 U11, §13 item 18).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TIMEOUT, connect, connectAll, disconnectAll, errorCode, nextEvent, rejection, serverClient, uid,
} from '../lib/parley.mjs';

/** Two connected users and a channel both watch: `{ann, bob, clients, annChannel, bobChannel}`. */
async function pair(prefix) {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const id = uid(prefix);
  const annChannel = clients[0].channel('messaging', id, { members: [ann, bob] });
  await annChannel.watch();
  const bobChannel = clients[1].channel('messaging', id);
  await bobChannel.watch();
  return { ann, bob, clients, annChannel, bobChannel };
}

/** A 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

test('muteUser answers the mute, and notification.mutes_updated replaces the client\'s muted users',
  { timeout: TIMEOUT }, async () => {
    const { bob, clients } = await pair('mute');
    try {
      const [annClient] = clients;
      const updated = nextEvent(annClient, 'notification.mutes_updated');
      const response = await annClient.muteUser(bob);
      const event = await updated;

      assert.equal(response.mute.target.id, bob);
      assert.deepEqual(event.me.mutes.map((m) => m.target.id), [bob]);
      assert.deepEqual(annClient.mutedUsers.map((m) => m.target.id), [bob]);

      const cleared = nextEvent(annClient, 'notification.mutes_updated');
      await annClient.unmuteUser(bob);
      await cleared;
      assert.equal(annClient.mutedUsers.length, 0);
    } finally {
      await disconnectAll(...clients);
    }
  });

test('a muted channel reports muted through muteStatus and a new connection\'s me', { timeout: TIMEOUT }, async () => {
  const { ann, clients, annChannel } = await pair('chmute');
  let again;
  try {
    const [annClient] = clients;
    const updated = nextEvent(annClient, 'notification.channel_mutes_updated');
    const response = await annChannel.mute({ expiration: 3_600_000 });
    await updated;

    assert.equal(response.channel_mute.channel.cid, annChannel.cid);
    assert.equal(annChannel.muteStatus().muted, true);

    again = await connect({ id: ann });
    assert.deepEqual(again.me.channel_mutes.map((m) => m.channel.cid), [annChannel.cid]);
  } finally {
    await disconnectAll(...clients, again?.client);
  }
});

test('a user banned from the channel cannot send: code 17; unbanned, it can again', { timeout: TIMEOUT }, async () => {
  const { ann, bob, clients, annChannel, bobChannel } = await pair('ban');
  try {
    const server = serverClient();
    const banned = nextEvent(clients[0], 'user.banned', (e) => e.user?.id === bob);
    await server.banUser(bob, { type: 'messaging', id: annChannel.id, banned_by_id: ann, reason: 'spam' });
    const event = await banned;
    const err = await rejection(bobChannel.sendMessage({ text: 'let me in' }));

    assert.equal(event.cid, annChannel.cid);
    assert.equal(errorCode(err), 17);

    await server.unbanUser(bob, { type: 'messaging', id: annChannel.id });
    const { message } = await bobChannel.sendMessage({ text: 'back again' });
    assert.equal(message.text, 'back again');
  } finally {
    await disconnectAll(...clients);
  }
});

test('blockUser lists the user in getBlockedUsers and in the next handshake\'s blocked_user_ids',
  { timeout: TIMEOUT }, async () => {
    const { ann, bob, clients } = await pair('block');
    let again;
    try {
      const [annClient] = clients;
      const blocked = await annClient.blockUser(bob);
      const { blocks } = await annClient.getBlockedUsers();
      again = await connect({ id: ann });

      assert.equal(blocked.blocked_user_id, bob);
      assert.deepEqual(blocks.map((b) => b.blocked_user_id), [bob]);
      assert.deepEqual(again.me.blocked_user_ids, [bob]);
      assert.deepEqual(again.client.blockedUsers.getLatestValue().userIds, [bob]);
    } finally {
      await disconnectAll(...clients, again?.client);
    }
  });

test('search finds messages by text in the caller\'s channels, each with its channel', { timeout: TIMEOUT }, async () => {
  const { ann, clients, annChannel, bobChannel } = await pair('search');
  try {
    const needle = uid('needle');
    await annChannel.sendMessage({ text: `where is the ${needle}?` });
    await bobChannel.sendMessage({ text: 'no match here' });
    await bobChannel.sendMessage({ text: `found the ${needle.toUpperCase()}` });

    const { results } = await clients[0].search({ members: { $in: [ann] } }, needle, { limit: 10 });

    assert.deepEqual(results.map((r) => r.message.text), [`found the ${needle.toUpperCase()}`, `where is the ${needle}?`]);
    assert.equal(results[0].message.channel.cid, annChannel.cid);
  } finally {
    await disconnectAll(...clients);
  }
});

test('sendImage and sendFile return absolute URLs that the other user fetches from a message attachment',
  { timeout: TIMEOUT }, async () => {
    const { clients, annChannel, bobChannel } = await pair('upload');
    try {
      const image = await annChannel.sendImage(PNG, 'dot.png', 'image/png');
      const file = await annChannel.sendFile(Buffer.from('hello parley'), 'notes.txt', 'text/plain');
      const received = new Promise((resolve) => bobChannel.on('message.new', (e) => resolve(e)));
      await annChannel.sendMessage({
        text: 'see attached',
        attachments: [
          { type: 'image', image_url: image.file, thumb_url: image.thumb_url, fallback: 'dot.png' },
          { type: 'file', asset_url: file.file, title: 'notes.txt', mime_type: 'text/plain' },
        ],
      });
      const { message } = await received;

      assert.match(image.file, /^https?:\/\//);
      const [img, doc] = message.attachments;
      const gotImage = await fetch(img.image_url);
      const gotFile = await fetch(doc.asset_url);
      assert.equal(gotImage.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await gotImage.arrayBuffer()), PNG);
      assert.equal(await gotFile.text(), 'hello parley');
    } finally {
      await disconnectAll(...clients);
    }
  });
