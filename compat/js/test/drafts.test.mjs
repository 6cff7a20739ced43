// Drafts with the official client (PROTOCOL.md §7.22): Channel.createDraft/getDraft/deleteDraft, thread drafts,
// client.queryDrafts, the draft.updated and draft.deleted events, the draft a send removes, and the draft a
// channel's state carries into its MessageComposer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connect, connectAll, disconnectAll, errorCode, nextEvent, rejection, uid } from '../lib/parley.mjs';

test('createDraft, getDraft and deleteDraft round-trip and the user\'s own client hears of each', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient] = clients;
  try {
    const channel = annClient.channel('messaging', uid('drafts'), { members: [ann, bob] });
    await channel.watch();

    const updated = nextEvent(annClient, 'draft.updated');
    const { draft } = await channel.createDraft({ text: 'half written', mentioned_users: [bob] });
    assert.equal(draft.channel_cid, channel.cid);
    assert.equal(draft.message.text, 'half written');
    assert.ok(draft.message.id);
    assert.equal((await updated).draft.message.text, 'half written');

    await channel.createDraft({ text: 'fully written' });
    assert.equal((await channel.getDraft()).draft.message.text, 'fully written');

    const deleted = nextEvent(annClient, 'draft.deleted');
    await channel.deleteDraft();
    assert.equal((await deleted).draft.channel_cid, channel.cid);
    assert.equal(errorCode(await rejection(channel.getDraft())), 16);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a thread keeps its own draft, a send removes the channel\'s, and queryDrafts lists what is left', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  const [annClient] = clients;
  try {
    const channel = annClient.channel('messaging', uid('drafts'), { members: [ann] });
    await channel.watch();
    const { message: parent } = await channel.sendMessage({ text: 'topic' });
    await channel.createDraft({ text: 'for the channel' });
    await channel.createDraft({ text: 'for the thread', parent_id: parent.id });

    const threadDraft = await channel.getDraft({ parent_id: parent.id });
    assert.equal(threadDraft.draft.message.text, 'for the thread');
    assert.equal(threadDraft.draft.parent_id, parent.id);
    const { drafts: threads } = await annClient.queryDrafts({ filter: { parent_id: { $exists: true } } });
    assert.deepEqual(threads.map((d) => d.message.text), ['for the thread']);

    const removed = nextEvent(annClient, 'draft.deleted');
    await channel.sendMessage({ text: 'sent at last' });
    assert.equal((await removed).draft.message.text, 'for the channel');

    const { drafts } = await annClient.queryDrafts({ filter: { channel_cid: channel.cid }, sort: [{ created_at: -1 }] });
    assert.deepEqual(drafts.map((d) => d.message.text), ['for the thread']);
    const page = await annClient.queryDrafts({ limit: 1 });
    assert.equal(page.drafts.length, 1);
  } finally {
    await disconnectAll(...clients);
  }
});

test('queryChannels on another device brings the draft into the channel\'s MessageComposer', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  let other;
  try {
    const channel = clients[0].channel('messaging', uid('drafts'), { members: [ann] });
    await channel.watch();
    await channel.createDraft({ text: 'started on the phone' });

    other = (await connect({ id: ann, name: ann })).client;
    const [found] = await other.queryChannels({ cid: channel.cid });
    assert.equal(found.messageComposer.textComposer.text, 'started on the phone');
    assert.ok(found.messageComposer.draftId);
  } finally {
    await disconnectAll(...clients, other);
  }
});
