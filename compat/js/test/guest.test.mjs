// Guest users with the official client: setGuestUser creates a user with role guest through POST /guest (sent
// without a token) and connects as it, once the app allows guests (PROTOCOL.md §2.6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, errorCode, rejection, serverClient, uid, userClient } from '../lib/parley.mjs';

test('setGuestUser connects a new guest once the app allows guests, and never takes an existing id', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const id = uid('guest');
  const refused = await rejection(userClient().setGuestUser({ id }));
  assert.equal(errorCode(refused), 17, 'guests are off by default');

  await server.updateAppSettings({ guest_user_creation_disabled: false });
  try {
    const client = userClient();
    const health = await client.setGuestUser({ id, name: 'Visitor', role: 'admin' });
    assert.equal(client.userID, id);
    assert.equal(health.me.role, 'guest');
    assert.equal(health.me.name, 'Visitor');
    await client.disconnectUser();
    assert.equal(errorCode(await rejection(userClient().setGuestUser({ id }))), 4);
  } finally {
    await server.updateAppSettings({ guest_user_creation_disabled: true });
  }
});
