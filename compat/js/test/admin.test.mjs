// The admin of channel types, roles and permissions with the official server client: a custom type with its own
// flags and grants, a custom channel role that can write once a type grants it permissions, role search, and the
// permission list (PROTOCOL.md §11.5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connectAll, createUsers, disconnectAll, errorCode, rejection, serverClient, uid } from '../lib/parley.mjs';

function name(prefix) {
  return uid(prefix).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

test('a custom channel type keeps its flags and grants, and its channels follow them', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const type = name('support');
  const [ann, bob] = [uid('ann'), uid('bob')];
  await createUsers(ann, bob);
  const created = await server.createChannelType({
    name: type,
    reactions: false,
    grants: { channel_member: ['read-channel', 'create-message'] },
  });
  assert.equal(created.name, type);
  assert.equal(created.reactions, false);
  assert.deepEqual(created.commands, ['ban', 'unban', 'mute', 'unmute']); // the SDK asks for 'all'
  const { channel_types: types } = await server.listChannelTypes();
  assert.ok(types[type], 'the new type is listed');
  assert.equal((await server.getChannelType(type)).grants.channel_member.length, 2);

  const clients = await connectAll(ann, bob);
  try {
    const channel = clients[0].channel(type, uid('desk'), { members: [ann, bob] });
    await channel.watch();
    assert.equal(channel.getConfig().reactions, false);
    const bobChannel = clients[1].channel(type, channel.id);
    await bobChannel.watch();
    const { message } = await bobChannel.sendMessage({ text: 'hello support' });
    assert.equal(errorCode(await rejection(bobChannel.sendReaction(message.id, { type: 'like' }))), 19);
    assert.ok(!bobChannel.data.own_capabilities.includes('send-reaction'));
  } finally {
    await disconnectAll(...clients);
  }

  const updated = await server.updateChannelType(type, { reactions: true });
  assert.equal(updated.reactions, true);
  assert.equal(errorCode(await rejection(server.updateChannelType(type, { automod: 'AI' }))), 4);
  assert.equal(errorCode(await rejection(server.deleteChannelType(type))), 4, 'a type with channels stays');
  const spare = name('spare');
  await server.createChannelType({ name: spare });
  await server.deleteChannelType(spare);
  assert.equal(errorCode(await rejection(server.getChannelType(spare))), 16);
});

test('a custom channel role writes once the type grants it, and roles can be searched and deleted', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const role = name('helper');
  const [ann, hal] = [uid('ann'), uid('hal')];
  await createUsers(ann, hal);
  const created = await server.createRole(role);
  assert.equal(created.role.name, role);
  assert.ok((await server.listRoles()).roles.some((r) => r.name === role && r.custom));
  const found = await server.searchRoles({ query: role.slice(0, 12) });
  assert.ok(found.roles.some((r) => r.name === role));

  const channel = server.channel('messaging', uid('room'), { members: [ann], created_by_id: ann });
  await channel.create();
  await channel.addMembers([{ user_id: hal, channel_role: role }]);
  const [halClient] = await connectAll(hal);
  try {
    const halChannel = halClient.channel('messaging', channel.id);
    assert.equal(errorCode(await rejection(halChannel.watch())), 17, 'the role has no grants yet');
    await server.updateChannelType('messaging', { grants: { [role]: ['read-channel', 'create-message'] } });
    await halChannel.watch();
    await halChannel.sendMessage({ text: 'helping' });
    assert.equal(errorCode(await rejection(server.deleteRole(role))), 4, 'still granted in messaging');
  } finally {
    await disconnectAll(halClient);
    await server.updateChannelType('messaging', { grants: { [role]: [] } });
  }
  await server.deleteRole(role);
  assert.ok(!(await server.listRoles()).roles.some((r) => r.name === role));
});

test('permissions are listed and one can be read', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const { permissions } = await server.listPermissions();
  assert.ok(permissions.some((p) => p.id === 'create-message' && p.level === 'channel'));
  const { permission } = await server.getPermission('ban-user');
  assert.equal(permission.level, 'app');
  assert.equal(errorCode(await rejection(server.getPermission('fly'))), 16);
});

test('a custom permission granted to a custom channel role lets its members post', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const type = name('desk');
  const role = name('poster');
  const perm = name('post-here');
  const [ann, pat] = [uid('ann'), uid('pat')];
  await createUsers(ann, pat);
  await server.createRole(role);
  await server.createChannelType({ name: type });
  await server.createPermission({ id: perm, name: 'Post here', action: 'CreateMessage', condition: {} });
  const { permission } = await server.getPermission(perm);
  assert.equal(permission.custom, true);
  await server.updateChannelType(type, { grants: { [role]: ['read-channel', perm] } });
  const id = uid('room');
  await server.channel(type, id, { created_by_id: ann }).create();
  await server.channel(type, id).addMembers([{ user_id: pat, channel_role: role }]);

  const clients = await connectAll(pat);
  try {
    const channel = clients[0].channel(type, id);
    await channel.watch();
    const { message } = await channel.sendMessage({ text: 'allowed by a custom permission' });
    assert.equal(message.text, 'allowed by a custom permission');
    assert.equal(errorCode(await rejection(channel.sendReaction(message.id, { type: 'like' }))), 17);
  } finally {
    await disconnectAll(...clients);
  }
  assert.equal(errorCode(await rejection(server.deletePermission(perm))), 4, 'still granted');
  await server.updateChannelType(type, { grants: { [role]: ['read-channel'] } });
  await server.deletePermission(perm);
});

test('app-wide grants set with updateAppSettings decide what a custom global role may do', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const role = name('muter');
  const [ann, bob] = [uid('ann'), uid('bob')];
  await server.createRole(role);
  await server.upsertUsers([{ id: ann, role }, { id: bob }]);
  const clients = await connectAll(ann);
  try {
    const [annClient] = clients;
    assert.equal(errorCode(await rejection(annClient.muteUser(bob))), 17, 'a new role has no app-wide grants');
    await server.updateAppSettings({ grants: { [role]: ['mute-user'] } });
    const { app } = await server.getAppSettings();
    assert.deepEqual(app.grants[role], ['mute-user']);
    const muted = await annClient.muteUser(bob);
    assert.equal(muted.mute.target.id, bob);
    assert.equal(errorCode(await rejection(server.updateAppSettings({ grants: { [role]: ['create-message'] } }))), 4);
  } finally {
    await disconnectAll(...clients);
  }
});
