// Parley operator dashboard. Talks only to this server's /parley/* endpoints with a short-lived admin
// session token kept in sessionStorage; the API secret is sent once, to obtain that token, and not kept.
'use strict';

const SESSION_KEY = 'parley.admin';
const POLL_MS = 3000;
const $ = (id) => document.getElementById(id);
let chart = null;
let timer = null;
const expanded = new Set();

function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

async function api(method, path, params = {}, body = undefined) {
  const s = session();
  if (!s) {
    throw Object.assign(new Error('signed out'), { signedOut: true });
  }
  const q = new URLSearchParams({ ...params, api_key: s.apiKey });
  const res = await fetch(`${path}?${q}`, {
    method,
    headers: body === undefined
      ? { Authorization: s.token, 'stream-auth-type': 'jwt' }
      : { Authorization: s.token, 'stream-auth-type': 'jwt', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json();
  if (!res.ok) {
    const signedOut = res.status === 401;
    throw Object.assign(new Error(answer.message || `HTTP ${res.status}`), { signedOut });
  }
  return answer;
}

async function signIn(event) {
  event.preventDefault();
  const apiKey = $('api-key').value.trim();
  const secretInput = $('api-secret');
  $('sign-in-error').textContent = '';
  try {
    const res = await fetch(`/parley/admin/session?api_key=${encodeURIComponent(apiKey)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_key: apiKey, api_secret: secretInput.value }),
    });
    const body = await res.json();
    if (!res.ok) {
      throw new Error(body.message || `HTTP ${res.status}`);
    }
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ apiKey, token: body.token, expiresAt: body.expires_at }));
    show();
  } catch (e) {
    $('sign-in-error').textContent = e.message;
  } finally {
    secretInput.value = '';
  }
}

function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  show();
}

function show() {
  const signedIn = session() !== null;
  $('sign-in').hidden = signedIn;
  $('board').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  clearTimeout(timer);
  if (signedIn) {
    refresh();
  }
}

function monthOf(date) {
  return date.toISOString().slice(0, 7);
}

async function refresh() {
  try {
    const now = new Date();
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const [current, dups, thisMonth, lastMonth, samples, nodes, webhooks] = await Promise.all([
      api('GET', '/parley/usage/current'),
      api('GET', '/parley/connections/users', { min: 2 }),
      api('GET', '/parley/usage', { month: monthOf(now) }),
      api('GET', '/parley/usage', { month: monthOf(prev) }),
      api('GET', '/parley/usage/concurrency', { minutes: 360 }),
      api('GET', '/parley/nodes'),
      api('GET', '/parley/webhooks'),
    ]);
    renderTiles(current, thisMonth, lastMonth);
    renderDuplicates(dups.users);
    renderChart(samples.samples);
    renderNodes(nodes);
    renderWebhooks(webhooks);
    $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    if (e.signedOut) {
      signOut();
      return;
    }
    $('updated').textContent = `Update failed: ${e.message}`;
  }
  timer = setTimeout(refresh, POLL_MS);
}

function renderTiles(current, thisMonth, lastMonth) {
  $('live-connections').textContent = current.connections;
  $('live-users').textContent = current.users;
  $('live-duplicates').textContent = current.users_with_several_connections;
  $('mau-month').textContent = thisMonth.month;
  $('mau-current').textContent = thisMonth.mau;
  $('mau-prev-month').textContent = lastMonth.month;
  $('mau-previous').textContent = lastMonth.mau;
  $('policy').textContent = current.max_connections_per_user > 0
    ? `${current.max_connections_per_user} (${current.connection_policy})` : 'none';
}

function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  tr.appendChild(td);
  return td;
}

function clientsOf(conns) {
  const counts = new Map();
  for (const c of conns) {
    const name = c.client || '(no X-Stream-Client)';
    counts.set(name, (counts.get(name) || 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
}

function renderDuplicates(users) {
  const body = document.querySelector('#duplicates tbody');
  body.replaceChildren();
  $('no-duplicates').hidden = users.length > 0;
  for (const u of users) {
    const tr = document.createElement('tr');
    tr.dataset.user = u.user_id;
    const toggle = document.createElement('button');
    toggle.className = 'link';
    toggle.textContent = expanded.has(u.user_id) ? '▾' : '▸';
    toggle.setAttribute('aria-label', `show the sockets of ${u.user_id}`);
    toggle.addEventListener('click', () => {
      expanded.has(u.user_id) ? expanded.delete(u.user_id) : expanded.add(u.user_id);
      renderDuplicates(users);
    });
    cell(tr, '').appendChild(toggle);
    cell(tr, u.user_id, 'user');
    const count = cell(tr, '', 'count');
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = u.connection_count;
    count.appendChild(badge);
    cell(tr, clientsOf(u.connections), 'clients');
    body.appendChild(tr);
    if (expanded.has(u.user_id)) {
      for (const c of u.connections) {
        const d = document.createElement('tr');
        d.className = 'details';
        d.dataset.connection = c.connection_id;
        cell(d, '');
        cell(d, c.connection_id);
        cell(d, `${c.client || '-'} · ${c.user_agent || '-'}`);
        cell(d, `${c.remote_address} · since ${new Date(c.connected_at).toLocaleTimeString()}`);
        body.appendChild(d);
      }
    }
  }
}

// Sorted by id: the server lists nodes by heartbeat, which would reorder the rows on every refresh.
function renderNodes(res) {
  const table = $('nodes');
  const body = table.querySelector('tbody');
  body.replaceChildren();
  table.hidden = !res.clustered;
  $('single-node').hidden = res.clustered;
  if (!res.clustered) {
    return;
  }
  const now = Date.now();
  for (const n of [...res.nodes].sort((a, b) => a.node_id.localeCompare(b.node_id))) {
    const tr = document.createElement('tr');
    tr.dataset.node = n.node_id;
    cell(tr, n.node_id, 'node');
    cell(tr, n.address || '-');
    cell(tr, n.connections);
    cell(tr, ageOf(n.last_heartbeat, now));
    body.appendChild(tr);
  }
}

function renderWebhooks(w) {
  $('webhook-hooks').textContent = w.hooks.length === 0 ? 'none configured' : w.hooks.map((h) => h.url).join(', ');
  $('webhook-pending').textContent = w.pending;
  $('webhook-oldest').textContent = w.oldest_pending_at ? ageOf(w.oldest_pending_at, Date.now()) : '-';
  $('webhook-dead').textContent = w.dead_letters;
  $('webhook-delivered').textContent = w.delivered_since_start;
  const f = w.last_failure;
  $('webhook-failure').textContent = f ? `${f.event_type} to ${f.hook_id}: ${f.error} (${ageOf(f.at, Date.now())})` : '-';
  $('webhook-retry').hidden = w.dead_letters === 0;
}

async function retryDeadLetters() {
  try {
    const res = await api('POST', '/parley/webhooks/dead_letters/retry', {}, {});
    clearTimeout(timer);
    await refresh();
    $('updated').textContent = `${res.retried} dead letters sent again. ${$('updated').textContent}`;
  } catch (e) {
    $('updated').textContent = `Retry failed: ${e.message}`;
  }
}

// Measured against the browser's clock, so a skew between it and the servers' shows in the age.
function ageOf(timestamp, now) {
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? '-' : `${Math.max(0, Math.round((now - at) / 1000))} s ago`;
}

function renderChart(samples) {
  const labels = samples.map((s) => new Date(s.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  const data = samples.map((s) => s.connections);
  if (!chart) {
    chart = new Chart($('concurrency-chart'), {
      type: 'line',
      data: { labels, datasets: [{ label: 'concurrent connections (peak per minute)', data, borderColor: '#2f6fed',
        backgroundColor: 'rgba(47,111,237,.12)', fill: true, stepped: true, pointRadius: 2 }] },
      options: { animation: false, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    return;
  }
  chart.data.labels = labels;
  chart.data.datasets[0].data = data;
  chart.update();
}

async function search(event) {
  event.preventDefault();
  const user = $('search-user').value.trim();
  const table = $('search-results');
  const empty = $('search-empty');
  try {
    const res = await api('GET', '/parley/connections', { user_id: user });
    const body = table.querySelector('tbody');
    body.replaceChildren();
    for (const c of res.connections) {
      const tr = document.createElement('tr');
      tr.dataset.connection = c.connection_id;
      cell(tr, c.connection_id);
      cell(tr, c.client || '-');
      cell(tr, c.user_agent || '-');
      cell(tr, c.remote_address);
      cell(tr, new Date(c.connected_at).toLocaleString());
      cell(tr, new Date(c.last_heartbeat).toLocaleTimeString());
      cell(tr, c.outbound_queue_bytes);
      const close = document.createElement('button');
      close.className = 'danger';
      close.textContent = 'Close';
      close.title = 'close this socket; the client reconnects';
      close.addEventListener('click', async () => {
        await api('DELETE', `/parley/connections/${encodeURIComponent(c.connection_id)}`);
        tr.remove();
      });
      cell(tr, '').appendChild(close);
      body.appendChild(tr);
    }
    table.hidden = res.connections.length === 0;
    empty.hidden = res.connections.length > 0;
    empty.textContent = `User '${user}' has no open connection.`;
  } catch (e) {
    if (e.signedOut) {
      signOut();
      return;
    }
    empty.hidden = false;
    empty.textContent = e.message;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', signIn);
  $('search-form').addEventListener('submit', search);
  $('sign-out').addEventListener('click', signOut);
  $('webhook-retry').addEventListener('click', retryDeadLetters);
  show();
});
