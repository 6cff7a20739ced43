// Moderation v2 configurations, checks and rules with the official client: client.moderation.upsertConfig and
// its block list rules applied on send, check, checkUserProfile, addCustomMessageFlags, moderation rules,
// updateFlags and queryFutureChannelBans (PROTOCOL.md §7.28). Every configuration here names one channel
// (`chat:messaging:<id>`) or a key of its own, so that scenarios running at once do not see each other's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TIMEOUT, connect, disconnectAll, errorCode, rejection, serverClient, uid,
} from '../lib/parley.mjs';

const MESSAGE = 'stream:chat:v1:message';
const USER = 'stream:user';

/** A user, a moderator and a channel the user created: `{ann, mod, annClient, modClient, channel}`. */
async function room(prefix) {
  const [ann, mod] = [uid('ann'), uid('mod')];
  await serverClient().upsertUsers([{ id: ann }, { id: mod, role: 'moderator' }]);
  const annClient = (await connect({ id: ann })).client;
  const modClient = (await connect({ id: mod })).client;
  const channel = annClient.channel('messaging', uid(prefix), { members: [ann, mod] });
  await channel.watch();
  return { ann, mod, annClient, modClient, channel };
}

async function blocklist(words) {
  const name = uid('words');
  await serverClient().createBlockList({ name, words });
  return name;
}

test('a channel\'s moderation config is upserted, read, queried and deleted, and its block list rule removes a send', { timeout: TIMEOUT }, async () => {
  const { annClient, modClient, channel } = await room('cfg');
  const server = serverClient();
  const list = await blocklist(['fudge']);
  const key = `chat:messaging:${channel.id}`;
  try {
    const { config } = await server.moderation.upsertConfig({
      key,
      block_list_config: { enabled: true, rules: [{ name: list, action: 'remove' }] },
      automod_toxicity_config: { enabled: true, rules: [{ label: 'insult', threshold: 0.8, action: 'flag' }] },
    });
    assert.equal(config.key, key);
    assert.ok(config.created_at);

    const got = await modClient.moderation.getConfig(key);
    assert.equal(got.config.block_list_config.rules[0].name, list);
    assert.equal(got.config.automod_toxicity_config.rules[0].label, 'insult');
    const { configs } = await modClient.moderation.queryConfigs({ key: { $in: [key] } }, [{ field: 'key', direction: 1 }]);
    assert.deepEqual(configs.map((c) => c.key), [key]);

    const { message: blocked } = await channel.sendMessage({ text: 'more fudge please' });
    assert.equal(blocked.type, 'error');
    const { message: fine } = await channel.sendMessage({ text: 'more tea please' });
    assert.equal(fine.type, 'regular');

    const err = await rejection(annClient.moderation.upsertConfig({ key }));
    assert.equal(errorCode(err), 17);

    await server.moderation.deleteConfig(key);
    assert.equal(errorCode(await rejection(server.moderation.getConfig(key))), 16);
    const { message: after } = await channel.sendMessage({ text: 'fudge again' });
    assert.equal(after.type, 'regular');
  } finally {
    await server.moderation.deleteConfig(key).catch(() => {});
    await server.deleteBlockList(list).catch(() => {});
    await disconnectAll(annClient, modClient);
  }
});

test('a check recommends what its config says and queues the flagged user; checkUserProfile without a config keeps it', { timeout: TIMEOUT }, async () => {
  const { ann, annClient, modClient } = await room('check');
  const server = serverClient();
  const list = await blocklist(['scam']);
  const key = uid('profiles');
  try {
    await server.moderation.upsertConfig({
      key,
      block_list_config: { enabled: true, rules: [{ name: list, action: 'flag' }] },
    });
    const flagged = await server.moderation.check(USER, ann, ann, { texts: ['scam master'] }, key);
    assert.equal(flagged.recommended_action, 'flag');
    assert.equal(flagged.item.entity_id, ann);

    const kept = await server.moderation.check(USER, ann, ann, { texts: ['hello'] }, key);
    assert.equal(kept.recommended_action, 'keep_content');
    assert.equal(kept.item, undefined);

    const profile = await server.moderation.checkUserProfile(ann, { username: 'scam master' });
    assert.equal(profile.recommended_action, 'keep_content');

    const { items } = await modClient.moderation.queryReviewQueue({ entity_id: ann, entity_type: USER });
    assert.deepEqual(items.map((i) => i.id), [flagged.item.id]);
  } finally {
    await server.moderation.deleteConfig(key).catch(() => {});
    await server.deleteBlockList(list).catch(() => {});
    await disconnectAll(annClient, modClient);
  }
});

test('addCustomMessageFlags puts a message in the review queue with the custom flags, and updateFlags reviews it', { timeout: TIMEOUT }, async () => {
  const { mod, annClient, modClient, channel } = await room('custom');
  const server = serverClient();
  try {
    const { message } = await channel.sendMessage({ text: 'send me your password' });
    const res = await server.moderation.addCustomMessageFlags(message.id, [
      { type: 'phishing', reason: 'asks for credentials', labels: ['fraud'] },
    ]);
    assert.equal(res.status, 'completed');
    assert.equal(res.item.entity_id, message.id);
    assert.equal(res.item.entity_type, MESSAGE);

    const pending = await modClient.moderation.queryReviewQueue({ entity_id: message.id, status: 'pending' });
    assert.deepEqual(pending.items.map((i) => i.id), [res.id]);
    assert.equal(pending.items[0].flags[0].reason, 'asks for credentials');

    await server.updateFlags([message.id], mod);
    const done = await modClient.moderation.queryReviewQueue({ entity_id: message.id, status: 'completed' });
    assert.deepEqual(done.items.map((i) => i.id), [res.id]);
    assert.equal(done.items[0].reviewed_by, mod);
  } finally {
    await disconnectAll(annClient, modClient);
  }
});

test('moderation rules are upserted by name, queried, read and deleted', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const name = uid('rule');
  const rule = {
    id: 'r1',
    rule_type: 'user',
    conditions: [{ type: 'user_flag_count', user_flag_count_params: { threshold: 3 } }],
    action: { type: 'ban_user', ban_options: { duration: 3600 } },
  };
  const first = await server.moderation.upsertModerationRule({
    name, description: 'ban repeat offenders', config_keys: ['chat'], team: '', rule, enabled: true,
  });
  const second = await server.moderation.upsertModerationRule({
    name, description: 'paused', config_keys: ['chat'], team: '', rule, enabled: false,
  });
  assert.equal(second.rule.id, first.rule.id);

  const { rules } = await server.moderation.queryModerationRules({ name, enabled: false });
  assert.deepEqual(rules.map((r) => r.id), [first.rule.id]);
  const got = await server.moderation.getModerationRule(first.rule.id);
  assert.equal(got.rule.description, 'paused');
  assert.equal(got.rule.rule.conditions[0].user_flag_count_params.threshold, 3);

  await server.moderation.deleteModerationRule(first.rule.id);
  assert.equal(errorCode(await rejection(server.moderation.getModerationRule(first.rule.id))), 16);
});

test('a ban from future channels bans the target in the channels its moderator creates later', { timeout: TIMEOUT }, async () => {
  const { ann, mod, annClient, modClient, channel } = await room('future');
  try {
    await modClient.banUser(ann, { type: 'messaging', id: channel.id, reason: 'trolling', ban_from_future_channels: true });
    const { bans } = await modClient.queryFutureChannelBans();
    assert.deepEqual(bans.map((b) => b.user.id), [ann]);
    assert.equal(bans[0].reason, 'trolling');

    const later = modClient.channel('messaging', uid('later'), { members: [mod, ann] });
    await later.create();
    const err = await rejection(annClient.channel('messaging', later.id).sendMessage({ text: 'hi' }));
    assert.equal(errorCode(err), 17);

    const listed = await serverClient().queryFutureChannelBans({ user_id: mod, target_user_id: ann });
    assert.equal(listed.bans.length, 1);
  } finally {
    await disconnectAll(annClient, modClient);
  }
});
