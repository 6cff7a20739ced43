// Slash commands with the official clients: the server client's command calls and channel type update, the
// commands a channel's config offers the composer, a built-in command, and a custom command's ephemeral answer
// confirmed through channel.sendAction (PROTOCOL.md §15.5).
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, eventually, serverClient, uid } from '../lib/parley.mjs';

/** A command handler on a free port: previews a ticket, and stores it once the sender confirms. */
async function ticketHandler() {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const { message, form_data: form } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const answer = form
        ? { message: { type: 'regular', text: `ticket: ${message.args}` } }
        : {
          message: {
            type: 'ephemeral',
            text: `Open a ticket about ${message.args}?`,
            attachments: [{ type: 'form', actions: [{ name: 'action', value: 'confirm', type: 'button', text: 'Yes' }] }],
          },
        };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/{type}`, close: () => server.close() };
}

test('the server client manages commands, and a channel type offers them to the composer', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const name = `t${uid('c').replace(/[^a-z0-9]/g, '').slice(-10)}`;
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const created = await server.createCommand({ name, description: 'Open a ticket', args: '[topic]' });
    assert.equal(created.command.name, name);
    assert.equal((await server.getCommand(name)).description, 'Open a ticket');
    assert.ok((await server.listCommands()).commands.some((c) => c.name === name));
    await server.updateCommand(name, { description: 'Open a support ticket' });

    const updated = await server.updateChannelType('team', { commands: [name, 'moderation_set'] });
    assert.deepEqual(updated.commands, [name, 'ban', 'unban', 'mute', 'unmute']);

    const channel = clients[0].channel('team', uid('room'), { members: [ann, bob] });
    await channel.watch();
    const offered = channel.getConfig().commands;
    assert.equal(offered[0].name, name);
    assert.equal(offered[0].description, 'Open a support ticket');
    assert.equal(offered[1].set, 'moderation_set');

    const muted = await channel.sendMessage({ text: `/mute @${bob}`, mentioned_users: [bob] });
    assert.equal(muted.message.type, 'ephemeral');
    assert.equal(muted.message.command, 'mute');
    // the mute list arrives with notification.mutes_updated, which may come after the send's answer
    await eventually(() => assert.deepEqual(clients[0].mutedUsers.map((m) => m.target.id), [bob]));
  } finally {
    await server.updateChannelType('team', { commands: ['moderation_set'] });
    await server.deleteCommand(name);
    await disconnectAll(...clients);
  }
});

test('a custom command\'s ephemeral answer becomes a message through sendAction', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const handler = await ticketHandler();
  const name = `k${uid('c').replace(/[^a-z0-9]/g, '').slice(-10)}`;
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    await server.createCommand({ name, description: 'File a ticket' });
    await server.updateChannelType('team', { commands: [name] });
    await server.updateAppSettings({ custom_action_handler_url: handler.url });
    const channel = clients[0].channel('team', uid('room'), { members: [ann, bob] });
    await channel.watch();

    const preview = await channel.sendMessage({ text: `/${name} printer` });
    assert.equal(preview.message.type, 'ephemeral');
    assert.equal(preview.message.text, 'Open a ticket about printer?');

    const confirmed = await channel.sendAction(preview.message.id, { action: 'confirm' });
    assert.equal(confirmed.message.type, 'regular');
    assert.equal(confirmed.message.id, preview.message.id);
    const { messages } = await channel.query({ messages: { limit: 10 } });
    assert.deepEqual(messages.map((m) => m.text), ['ticket: printer']);
  } finally {
    await server.updateAppSettings({ custom_action_handler_url: '' });
    await server.updateChannelType('team', { commands: ['moderation_set'] });
    await server.deleteCommand(name);
    handler.close();
    await disconnectAll(...clients);
  }
});
