// Static and live locations with the official client (PROTOCOL.md §7.24): Channel.sendSharedLocation,
// client.getSharedLocations, client.updateLocation and Channel.stopLiveLocationSharing, with another member
// watching the message change.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import { TIMEOUT, connectAll, disconnectAll, errorCode, nextEvent, rejection, serverClient, uid } from '../lib/parley.mjs';

before(async () => {
  await serverClient().updateChannelType('messaging', { shared_locations: true });
});

test('a live location is listed, moves for the watchers and stops', { timeout: TIMEOUT }, async () => {
  const [ann, bob] = [uid('ann'), uid('bob')];
  const clients = await connectAll(ann, bob);
  const [annClient, bobClient] = clients;
  try {
    const id = uid('places');
    const annChannel = annClient.channel('messaging', id, { members: [ann, bob] });
    await annChannel.watch();
    await bobClient.channel('messaging', id).watch();
    const messageId = randomUUID();

    const arrived = nextEvent(bobClient, 'message.new', (e) => e.message?.id === messageId);
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const { message } = await annChannel.sendSharedLocation({
      message_id: messageId,
      created_by_device_id: 'ann-phone',
      latitude: 48.8584,
      longitude: 2.2945,
      end_at: end,
    });
    assert.equal(message.shared_location.latitude, 48.8584);
    assert.equal(new Date(message.shared_location.end_at).getTime(), new Date(end).getTime());
    assert.equal((await arrived).message.shared_location.longitude, 2.2945);

    const { active_live_locations: active } = await annClient.getSharedLocations();
    assert.deepEqual(active.map((l) => l.message_id), [messageId]);

    const moved = nextEvent(bobClient, 'message.updated', (e) => e.message?.id === messageId);
    const location = await annClient.updateLocation({ message_id: messageId, latitude: 48.86, longitude: 2.3 });
    assert.equal(location.latitude, 48.86);
    assert.equal((await moved).message.shared_location.latitude, 48.86);
    assert.equal(bobClient.channel('messaging', id).state.messages.at(-1).shared_location.latitude, 48.86);

    const stopped = nextEvent(bobClient, 'message.updated', (e) => e.message?.id === messageId);
    await annChannel.stopLiveLocationSharing({ message_id: messageId });
    assert.ok(new Date((await stopped).message.shared_location.end_at).getTime() <= Date.now());
    assert.deepEqual((await annClient.getSharedLocations()).active_live_locations, []);
    assert.equal(errorCode(await rejection(bobClient.updateLocation({ message_id: messageId, latitude: 1 }))), 17);
  } finally {
    await disconnectAll(...clients);
  }
});

test('a static location travels with its message and is never live', { timeout: TIMEOUT }, async () => {
  const [ann] = [uid('ann')];
  const clients = await connectAll(ann);
  const [annClient] = clients;
  try {
    const channel = annClient.channel('messaging', uid('places'), { members: [ann] });
    await channel.watch();
    const { message } = await channel.sendSharedLocation({
      message_id: randomUUID(),
      created_by_device_id: 'ann-phone',
      latitude: -33.8568,
      longitude: 151.2153,
    });
    assert.equal(message.shared_location.longitude, 151.2153);
    assert.equal(message.shared_location.end_at, undefined);
    assert.deepEqual((await annClient.getSharedLocations()).active_live_locations, []);

    const team = annClient.channel('team', uid('team'), { members: [ann] });
    await team.watch();
    const refused = await rejection(
      team.sendSharedLocation({ message_id: randomUUID(), created_by_device_id: 'x', latitude: 0, longitude: 0 }),
    );
    assert.equal(errorCode(refused), 19);
  } finally {
    await disconnectAll(...clients);
  }
});
