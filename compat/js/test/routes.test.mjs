// Route coverage that cannot drift: every REST route the installed stream-chat can call is either served by the
// server under test or listed in ARCHITECTURE.md's "Routes of stream-chat not served", and nothing listed there
// is served. A route counts as not served when the server answers 404 with code 16 and "no endpoint" or
// "method … is not allowed" (PROTOCOL.md §10); any other answer, an error included, means a handler took it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { apiKey, baseURL, serverClient } from '../lib/parley.mjs';
import { routesOf, streamChatVersion } from '../lib/routes.mjs';

const ARCHITECTURE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'ARCHITECTURE.md');
const HEADING = '### Routes of stream-chat not served';

/** The routes ARCHITECTURE.md lists as not served: each `METHOD /path` in backticks under HEADING. */
function listedNotServed() {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const start = text.indexOf(HEADING);
  assert.ok(start >= 0, `ARCHITECTURE.md has a section "${HEADING}"`);
  const rest = text.slice(start + HEADING.length);
  const end = rest.search(/\n#{1,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return new Set([...section.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) \/[^`]*)`/g)].map((m) => m[1]));
}

/** Whether the server has no handler for `route`, asked with every dynamic segment filled and a server token. */
async function notServed(route, token) {
  const [method, path] = route.split(' ');
  const url = new URL(baseURL + path.replaceAll('{}', 'parley-route-probe'));
  url.searchParams.set('api_key', apiKey);
  const res = await fetch(url, {
    method,
    headers: { Authorization: token, 'stream-auth-type': 'jwt', 'Content-Type': 'application/json' },
    body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
  });
  const text = await res.text();
  if (res.status !== 404) return false;
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  return body.code === 16 && /^(no endpoint at|method \w+ is not allowed)/.test(body.message ?? '');
}

test('every route of stream-chat is served or listed as not served, and no listed route is served', { timeout: 120_000 }, async () => {
  const { routes } = routesOf();
  assert.ok(routes.size > 150, `found ${routes.size} routes in stream-chat's sources`);
  const token = serverClient()._getToken();
  const unserved = [];
  for (const route of [...routes.keys()].sort()) {
    if (await notServed(route, token)) unserved.push(route);
  }
  console.log(
    `stream-chat ${streamChatVersion()}: ${routes.size - unserved.length} of ${routes.size} routes served ` +
      `(${Math.round((100 * (routes.size - unserved.length)) / routes.size)} %), ${unserved.length} listed as not served`,
  );
  if (process.env.PARLEY_PRINT_UNSERVED) unserved.forEach((r) => console.log(`\`${r}\``));
  const listed = listedNotServed();
  const missing = unserved.filter((r) => !listed.has(r));
  const stale = [...listed].filter((r) => !unserved.includes(r));
  assert.deepEqual(missing, [], 'routes neither served nor listed in ARCHITECTURE.md');
  assert.deepEqual(stale, [], 'routes listed as not served that the server serves (or stream-chat no longer calls)');
});
