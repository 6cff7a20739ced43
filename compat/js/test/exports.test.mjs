// Channel and user exports as tasks, with the official server client (PROTOCOL.md §17.6): the task's status, the
// signed link to the file, and the errors of each route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, createUsers, errorCode, eventually, rejection, serverClient, uid } from '../lib/parley.mjs';

/** The task's status once it has ended. */
function finished(read) {
  return eventually(async () => {
    const status = await read();
    assert.ok(status.status === 'completed' || status.status === 'failed', `still ${status.status}`);
    return status;
  }, 10_000);
}

test('exportChannels makes a task whose completed status links to a file of the channel in the import format', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const [ann, bob] = [uid('ann'), uid('bob')];
  await createUsers(ann, bob);
  const channel = server.channel('messaging', uid('exported'), { created_by_id: ann, members: [ann, bob] });
  await channel.create();
  const { message } = await channel.sendMessage({ text: 'kept in the export', user_id: ann });
  await channel.sendReaction(message.id, { type: 'like', user_id: bob });

  const { task_id: taskId } = await server.exportChannels([{ type: 'messaging', id: channel.id }], {
    clear_deleted_message_text: true,
  });
  const status = await finished(() => server.getExportChannelStatus(taskId));
  assert.equal(status.status, 'completed');
  assert.equal(status.task_id, taskId);
  assert.equal((await server.getTask(taskId)).status, 'completed');

  const res = await fetch(status.result.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  const records = (await res.text()).trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual([...new Set(records.map((r) => r.type))], ['user', 'channel', 'member', 'message', 'reaction']);
  assert.ok(records.some((r) => r.type === 'message' && r.item.text === 'kept in the export'));

  const tampered = await fetch(status.result.url.replace(/signature=./, 'signature=x'));
  assert.equal(tampered.status, 403);
  assert.equal((await tampered.json()).code, 17);
});

test('exportUsers makes a task that getTask follows, and bad export requests are refused', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const ann = uid('ann');
  await createUsers(ann);
  const { task_id: taskId } = await server.exportUsers({ user_ids: [ann] });
  const status = await finished(() => server.getTask(taskId));
  assert.equal(status.status, 'completed');
  const file = await (await fetch(status.result.url)).text();
  assert.equal(JSON.parse(file.trim().split('\n')[0]).item.id, ann);

  assert.equal(errorCode(await rejection(server.exportChannels([]))), 4);
  assert.equal(errorCode(await rejection(server.exportChannels([{ type: 'messaging', id: uid('nowhere') }]))), 16);
  assert.equal(errorCode(await rejection(server.getExportChannelStatus(taskId))), 16);
  assert.equal(errorCode(await rejection(server.exportUsers({ user_ids: [] }))), 4);
});
