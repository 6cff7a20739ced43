// Moderation a dashboard operates, with the official client: message flags, flag reports and their review,
// unblocking, and blocklists applied on send (PROTOCOL.md §7.26, §7.27).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TIMEOUT, connect, disconnectAll, errorCode, rejection, serverClient, uid,
} from '../lib/parley.mjs';

/** A user, a moderator and a channel the user created: `{ann, mod, annClient, modClient, channel}`. */
async function room(prefix, type = 'messaging') {
  const [ann, mod] = [uid('ann'), uid('mod')];
  await serverClient().upsertUsers([{ id: ann }, { id: mod, role: 'moderator' }]);
  const annClient = (await connect({ id: ann })).client;
  const modClient = (await connect({ id: mod })).client;
  const channel = annClient.channel(type, uid(prefix), { members: [ann, mod] });
  await channel.watch();
  return { ann, mod, annClient, modClient, channel };
}

/** A custom channel type using a new blocklist of `words` with `behavior`; returns both names. */
async function typeWithBlocklist(words, behavior) {
  const server = serverClient();
  const list = uid('words');
  const type = uid('mod').replace('-', '_');
  await server.createBlockList({ name: list, words });
  await server.createChannelType({ name: type });
  await server.updateChannelType(type, { blocklist: list, blocklist_behavior: behavior });
  return { list, type };
}

async function dropType({ list, type }) {
  const server = serverClient();
  await server.deleteChannelType(type).catch(() => {});
  await server.deleteBlockList(list).catch(() => {});
}

test('a moderator sees a user\'s flag in queryMessageFlags and in the reports, and reviews it', { timeout: TIMEOUT }, async () => {
  const { ann, mod, annClient, modClient, channel } = await room('flags');
  try {
    const { message } = await channel.sendMessage({ text: 'borderline' });
    const flagged = await modClient.flagMessage(message.id, { reason: 'rude' });
    assert.equal(flagged.flag.target_message_id, message.id);

    const { flags } = await modClient.queryMessageFlags({ channel_cid: channel.cid });
    assert.deepEqual(flags.map((f) => f.message.id), [message.id]);
    assert.equal(flags[0].user.id, mod);
    assert.equal(flags[0].reviewed_at, undefined);

    const { flag_reports: reports } = await modClient._queryFlagReports({ message_id: message.id });
    assert.equal(reports.length, 1);
    assert.equal(reports[0].flags_count, 1);
    assert.equal(reports[0].user.id, ann);

    const { flag_report: reviewed } = await modClient._reviewFlagReport(reports[0].id, 'approved', {
      review_details: { note: 'fine' },
    });
    assert.equal(reviewed.review_result, 'approved');
    assert.equal(reviewed.reviewed_by.id, mod);

    const after = await modClient.queryMessageFlags({ channel_cid: channel.cid, is_reviewed: true });
    assert.equal(after.flags.length, 1);
    assert.ok(after.flags[0].approved_at);
    const err = await rejection(annClient._queryFlagReports({ message_id: message.id }));
    assert.equal(errorCode(err), 17);
  } finally {
    await disconnectAll(annClient, modClient);
  }
});

test('the server client queries flags by reporter and rejects a report, which deletes the message', { timeout: TIMEOUT }, async () => {
  const { ann, mod, annClient, modClient, channel } = await room('reject');
  try {
    const { message } = await channel.sendMessage({ text: 'spam spam spam' });
    await modClient.flagMessage(message.id);
    const server = serverClient();

    const { flags } = await server._queryFlags({ reporter_id: mod, channel_cid: channel.cid });
    assert.deepEqual(flags.map((f) => f.target_message.id), [message.id]);

    const { flag_reports: reports } = await server._queryFlagReports({ channel_cid: channel.cid, is_reviewed: false });
    await server._reviewFlagReport(reports[0].id, 'rejected', { user_id: mod });

    const { message: gone } = await annClient.getMessage(message.id);
    assert.equal(gone.type, 'deleted');
    const open = await server._queryFlagReports({ channel_cid: channel.cid, is_reviewed: false });
    assert.equal(open.flag_reports.length, 0);
    assert.equal(ann, gone.user.id);
  } finally {
    await disconnectAll(annClient, modClient);
  }
});

test('blocklists are created, listed, updated and deleted with the server client only', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const name = uid('list');
  await server.createBlockList({ name, words: ['Fudge', 'cream'] });
  try {
    const { blocklist } = await server.getBlockList(name);
    assert.deepEqual(blocklist.words, ['fudge', 'cream']);
    const { blocklists } = await server.listBlockLists();
    assert.ok(blocklists.some((b) => b.name === name));

    await server.updateBlockList(name, { words: ['sugar'] });
    assert.deepEqual((await server.getBlockList(name)).blocklist.words, ['sugar']);

    const { client } = await connect({ id: uid('user') });
    try {
      const err = await rejection(client.createBlockList({ name: uid('mine'), words: ['x'] }));
      assert.equal(errorCode(err), 17);
    } finally {
      await disconnectAll(client);
    }
  } finally {
    await server.deleteBlockList(name);
  }
  const err = await rejection(server.getBlockList(name));
  assert.equal(errorCode(err), 16);
});

test('a channel type\'s blocklist blocks a send under block, and flags it under flag', { timeout: TIMEOUT }, async () => {
  const setup = await typeWithBlocklist(['fudge'], 'block');
  const { annClient, modClient, channel } = await room('blocked', setup.type);
  try {
    const { message: blocked } = await channel.sendMessage({ text: 'More FUDGE, please' });
    assert.equal(blocked.type, 'error');
    // What the SDK's (unexported) isBlockedMessage looks at: an error whose moderation action removed it.
    assert.equal(blocked.moderation_details.action, 'MESSAGE_RESPONSE_ACTION_REMOVE');
    const { messages } = await channel.query({ messages: { limit: 10 } });
    assert.equal(messages.length, 0);

    await serverClient().updateChannelType(setup.type, { blocklist_behavior: 'flag' });
    const { message: flagged } = await channel.sendMessage({ text: 'fudge again' });
    assert.equal(flagged.type, 'regular');
    const { flags } = await modClient.queryMessageFlags({ channel_cid: channel.cid });
    assert.equal(flags.length, 1);
    assert.equal(flags[0].message.id, flagged.id);
    assert.equal(flags[0].created_by_automod, true);
    assert.equal(flags[0].details.automod.result.blocked_word, 'fudge');

    const { flag_reports: reports } = await modClient._queryFlagReports({ message_id: flagged.id });
    assert.equal(reports[0].flags_count, 1);
    await modClient.unblockMessage(flagged.id);
    const { flag_reports: after } = await modClient._queryFlagReports({ message_id: flagged.id });
    assert.equal(after[0].review_result, 'approved');
  } finally {
    await disconnectAll(annClient, modClient);
    await dropType(setup);
  }
});

test('moderation v2: a flag makes a review queue item, which a moderator marks reviewed', { timeout: TIMEOUT }, async () => {
  const { ann, mod, annClient, modClient, channel } = await room('queue');
  try {
    const { message } = await channel.sendMessage({ text: 'buy cheap watches' });
    const { item_id: itemId } = await modClient.moderation.flagMessage(message.id, 'spam');
    assert.ok(itemId);

    const { items } = await modClient.moderation.queryReviewQueue(
      { entity_id: message.id }, [{ created_at: -1 }], { limit: 10 });
    assert.deepEqual(items.map((i) => i.id), [itemId]);
    assert.equal(items[0].entity_type, 'stream:chat:v1:message');
    assert.equal(items[0].entity_creator_id, ann);
    assert.equal(items[0].status, 'pending');
    assert.equal(items[0].flags[0].user.id, mod);

    const { item } = await modClient.moderation.submitAction('mark_reviewed', itemId);
    assert.equal(item.status, 'completed');
    const pending = await modClient.moderation.queryReviewQueue({ entity_id: message.id, status: 'pending' });
    assert.equal(pending.items.length, 0);
  } finally {
    await disconnectAll(annClient, modClient);
  }
});

test('moderation v2: the user report shows a user\'s mutes made through the v2 mute', { timeout: TIMEOUT }, async () => {
  const { ann, mod, annClient, modClient } = await room('report');
  try {
    await annClient.moderation.muteUser(mod, { timeout: 60 });
    const report = await serverClient().moderation.getUserModerationReport(ann, { include_user_mutes: true });
    assert.equal(report.user.id, ann);
    assert.deepEqual(report.user_mutes.map((m) => m.target.id), [mod]);
    await annClient.moderation.unmuteUser(mod, {});
    const after = await serverClient().moderation.getUserModerationReport(ann, { include_user_mutes: true });
    assert.equal(after.user_mutes.length, 0);
  } finally {
    await disconnectAll(annClient, modClient);
  }
});
