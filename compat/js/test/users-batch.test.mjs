// Batch deletes and restores of users, and custom events to one user, with the official clients (PROTOCOL.md §7.1
// U5, U8, U12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, connectAll, createUsers, disconnectAll, errorCode, nextEvent, rejection, serverClient, uid } from '../lib/parley.mjs';

test('deleteUsers answers a task that getTask finds completed, and restoreUsers brings soft-deleted users back', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const [ann, bob] = [uid('ann'), uid('bob')];
  await createUsers(ann, bob);

  const { task_id: taskId } = await server.deleteUsers([ann, bob], { user: 'soft' });
  const task = await server.getTask(taskId);
  assert.equal(task.status, 'completed');
  assert.equal(task.result[ann].status, 'ok');
  const { users: deleted } = await server.queryUsers({ id: { $in: [ann, bob] } });
  assert.ok(deleted.every((u) => u.deleted_at), 'both are marked deleted');
  assert.equal(errorCode(await rejection(server.deleteUsers([ann], { messages: 'hard' }))), 4);

  await server.restoreUsers([ann, bob]);
  const { users: restored } = await server.queryUsers({ id: { $in: [ann, bob] } });
  assert.equal(restored.length, 2);
  assert.ok(restored.every((u) => !u.deleted_at), 'neither is deleted any more');
});

test('sendUserCustomEvent reaches the user it names and refuses built-in event types', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  try {
    const heard = nextEvent(clients[0], 'friendship_request');
    await server.sendUserCustomEvent(ann, { type: 'friendship_request', from: bob });
    const event = await heard;
    assert.equal(event.from, bob);
    assert.equal(errorCode(await rejection(server.sendUserCustomEvent(ann, { type: 'message.new' }))), 4);
  } finally {
    await disconnectAll(...clients);
  }
});
