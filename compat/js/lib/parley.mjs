// Shared helpers for the scenarios: configuration from the environment, client factories, error codes
// and waiting without fixed sleeps.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { StreamChat } from 'stream-chat';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (expected: the Parley server under test, e.g. http://127.0.0.1:8080)`);
  }
  return value;
}

export const baseURL = required('PARLEY_BASE_URL').replace(/\/+$/, '');
export const apiKey = required('PARLEY_API_KEY');
export const apiSecret = required('PARLEY_API_SECRET');

/** Per-test timeout in milliseconds; connect failures with backoff can take a few seconds. */
export const TIMEOUT = 20_000;

/** The `ws` package that stream-chat itself opens sockets with (not a direct dependency of ours). */
export const WebSocket = createRequire(createRequire(import.meta.url).resolve('stream-chat'))('ws');

/** A fresh user id, unique per run so scenarios never see each other's users. */
export function uid(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A client holding the API secret: server token on REST, can mint user tokens. */
export function serverClient() {
  return new StreamChat(apiKey, apiSecret, { baseURL });
}

/** A client without secret, as an app would have; node counts as server side, hence the option. */
export function userClient(key = apiKey) {
  return new StreamChat(key, { baseURL, allowServerSideConnect: true });
}

const minter = serverClient();

/** A user token signed with the app secret; `exp` and `iat` in Unix seconds when given. */
export function tokenFor(userId, exp, iat) {
  return minter.createToken(userId, exp, iat);
}

/** Unix seconds, `offsetSeconds` from now. */
export function epochSeconds(offsetSeconds = 0) {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

/** Connects a new user client and returns `{client, me}`, where `me` is the handshake's own user. */
export async function connect(user, token = tokenFor(user.id)) {
  const client = userClient();
  const health = await client.connectUser(user, token);
  return { client, health, me: health.me };
}

/** Disconnects every client given, ignoring the ones that never connected. */
export async function disconnectAll(...clients) {
  await Promise.all(clients.filter(Boolean).map((c) => c.disconnectUser().catch(() => {})));
}

/**
 * The Stream error code carried by an SDK error: REST errors carry `code`; a refused socket handshake
 * rejects connectUser with an Error whose message is a JSON document holding `code` (PROTOCOL.md §3.3).
 */
export function errorCode(err) {
  if (err && typeof err.code === 'number') {
    return err.code;
  }
  try {
    return JSON.parse(err.message).code;
  } catch {
    return undefined;
  }
}

/** Resolves with the error `promise` rejects with; fails if it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/** Retries `check` (which throws until satisfied) until it passes or `timeoutMs` elapses. */
export async function eventually(check, timeoutMs = 5_000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Resolves with the next event of `type` on `client` that satisfies `predicate`, or rejects after `timeoutMs`. */
export function nextEvent(client, type, predicate = () => true, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = client.on(type, (event) => {
      if (predicate(event)) {
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(event);
      }
    });
  });
}

/**
 * The URL of §3.1 as the SDK builds it, for raw sockets. `details: null` leaves out
 * user_details; `token: undefined` leaves out authorization and stream-auth-type.
 */
export function connectUrl({ userId, token, key = apiKey, details = { id: userId } }) {
  const params = new URLSearchParams();
  const json = { user_id: userId, client_request_id: randomUUID() };
  if (details !== null) json.user_details = details;
  params.set('json', JSON.stringify(json));
  params.set('api_key', key);
  if (token !== undefined) {
    params.set('authorization', token);
    params.set('stream-auth-type', 'jwt');
  }
  params.set('X-Stream-Client', 'parley-compat-raw');
  return `${baseURL.replace(/^http/, 'ws')}/connect?${params}`;
}

/**
 * Opens a raw socket (`options` as for `ws`, e.g. `{headers}`) and returns helpers: `next()` resolves with the next parsed text frame,
 * `closed` resolves with `{code, reason}` when the socket closes.
 */
export function rawSocket(url, options = {}) {
  const ws = new WebSocket(url, options);
  const frames = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = JSON.parse(data.toString('utf8'));
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  // A failed upgrade also closes the socket; the caller sees it through `next()` timing out or `closed`.
  ws.on('error', () => {});
  function next(timeoutMs = 5_000) {
    if (frames.length) return Promise.resolve(frames.shift());
    return new Promise((resolve, reject) => {
      const waiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(waiter);
    });
  }
  return { ws, next, closed, send: (value) => ws.send(JSON.stringify(value)), close: () => ws.close(1000) };
}

/** Creates (or updates) users through the server client, so they can be added as channel members. */
export async function createUsers(...ids) {
  await serverClient().upsertUsers(ids.map((id) => ({ id, name: id })));
}

/** Connects one client per id and returns them in the same order. */
export async function connectAll(...ids) {
  return Promise.all(ids.map(async (id) => (await connect({ id, name: id })).client));
}

/**
 * An HTTP receiver on a free port that answers 200 to every POST and hands over the first one `wanted` accepts:
 * its raw body, parsed body and headers.
 */
export async function jsonReceiver(wanted, path = '/hook') {
  const http = await import('node:http');
  let deliver;
  const first = new Promise((resolve) => { deliver = resolve; });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      res.writeHead(200).end();
      const body = JSON.parse(raw.toString('utf8'));
      if (wanted(body)) {
        deliver({ raw, body, headers: req.headers });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}${path}`, first, close: () => server.close() };
}
