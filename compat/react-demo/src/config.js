import { DevToken } from 'stream-chat';

/**
 * The demo is configured by the page's query string:
 * `?baseURL=http://localhost:8080&apiKey=<key>&user=alice[&name=Alice][&token=<jwt>]`; `baseURL` defaults
 * to http://localhost:8080 and `name` to the user id.
 * Without `token` it signs in with `devToken(user)`, which a Parley started with
 * `--disable-auth-checks` accepts (PROTOCOL.md §2.5).
 */
export function readConfig(search = window.location.search) {
  const q = new URLSearchParams(search);
  const get = (name) => {
    const v = q.get(name);
    return v && v.trim() ? v.trim() : undefined;
  };
  const user = get('user');
  const token = get('token');
  return {
    baseURL: get('baseURL') ?? 'http://localhost:8080',
    apiKey: get('apiKey'),
    user,
    // Without a name the UI titles a 1:1 chat "Direct message"; the id reads better.
    name: get('name') ?? user,
    token: token ?? (user ? DevToken(user) : undefined),
    devToken: !token,
  };
}

/** The current URL with `changes` applied to its query string (undefined removes a parameter). */
export function urlWith(changes) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.toString();
}
