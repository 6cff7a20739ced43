// GET /rate_limits through the SDK's getRateLimits: a quota per platform and endpoint, filtered by
// platform and by endpoint name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, serverClient } from '../lib/parley.mjs';

const server = serverClient();
const PLATFORMS = ['server_side', 'android', 'ios', 'web'];

function assertQuota(quota, where) {
  assert.ok(quota, `${where} is missing`);
  for (const field of ['limit', 'remaining', 'reset']) {
    assert.equal(typeof quota[field], 'number', `${where}.${field} is not a number: ${JSON.stringify(quota)}`);
  }
  assert.ok(quota.remaining <= quota.limit, `${where}: remaining above limit`);
  assert.ok(quota.reset * 1000 > Date.now() - 60_000, `${where}.reset is not Unix seconds of a coming minute`);
}

test('getRateLimits answers a quota for every platform and endpoint', { timeout: TIMEOUT }, async () => {
  const all = await server.getRateLimits();
  assert.equal(typeof all.duration, 'string');
  for (const platform of PLATFORMS) {
    assertQuota(all[platform]?.SendMessage, `${platform}.SendMessage`);
    assertQuota(all[platform]?.QueryChannels, `${platform}.QueryChannels`);
  }
});

test('getRateLimits keeps only the platforms and endpoints asked for', { timeout: TIMEOUT }, async () => {
  const serverSide = await server.getRateLimits({ serverSide: true });
  assert.ok(serverSide.server_side, 'server_side is missing');
  for (const platform of ['android', 'ios', 'web']) {
    assert.equal(serverSide[platform], undefined, `${platform} was not asked for`);
  }

  const some = await server.getRateLimits({ ios: true, web: true, endpoints: ['QueryChannels', 'SendMessage'] });
  assert.equal(some.server_side, undefined);
  assert.deepEqual(Object.keys(some.web).sort(), ['QueryChannels', 'SendMessage']);
  assert.deepEqual(Object.keys(some.ios).sort(), ['QueryChannels', 'SendMessage']);
});
