// Stream's import routes through the SDK (PROTOCOL.md §17.5): an upload URL, the file PUT to it as a client puts a
// file to any signed URL, the import task followed to its end, and the imported channel read back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMEOUT, errorCode, eventually, rejection, serverClient, uid } from '../lib/parley.mjs';

function records(p, channel) {
  return [
    { type: 'user', item: { id: `${p}ann`, name: 'Ann' } },
    { type: 'user', item: { id: `${p}bob`, name: 'Bob' } },
    { type: 'channel', item: { id: channel, type: 'messaging', created_by: `${p}ann`, name: 'Moved' } },
    { type: 'member', item: { channel_type: 'messaging', channel_id: channel, user_id: `${p}ann` } },
    { type: 'member', item: { channel_type: 'messaging', channel_id: channel, user_id: `${p}bob` } },
    {
      type: 'message',
      item: { id: `${p}m1`, channel_type: 'messaging', channel_id: channel, user: `${p}ann`, text: 'from before',
        created_at: '2024-02-01T10:00:00Z' },
    },
    {
      type: 'message',
      item: { id: `${p}m2`, channel_type: 'messaging', channel_id: channel, user: `${p}bob`, text: 'a reply',
        parent_id: `${p}m1`, created_at: '2024-02-01T10:01:00Z' },
    },
    { type: 'reaction', item: { message_id: `${p}m1`, user_id: `${p}bob`, type: 'love' } },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n';
}

async function importTask(server, id, timeoutMs = 15_000) {
  let task;
  await eventually(async () => {
    ({ import_task: task } = await server._getImport(id));
    assert.ok(['completed', 'analyzing_failed', 'importing_failed', 'failed'].includes(task.state), task.state);
  }, timeoutMs, 200);
  return task;
}

test('an app file uploaded to its import URL is imported and its channel is served with its thread and reactions', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const p = `${uid('imp')}-`;
  const channel = uid('moved');
  const { path, upload_url } = await server._createImportURL('app.jsonl');
  const put = await fetch(upload_url, { method: 'PUT', body: records(p, channel) });
  assert.equal(put.status, 200, await put.text());

  const { import_task: created } = await server._createImport(path, { mode: 'upsert' });
  assert.equal(created.state, 'uploaded');
  assert.equal(created.path, path);
  const task = await importTask(server, created.id);
  assert.equal(task.state, 'completed', JSON.stringify(task));
  assert.equal(task.result.records, 8);
  const { import_tasks: listed } = await server._listImports({ limit: 100 });
  assert.ok(listed.some((t) => t.id === created.id));

  const [state] = await server.queryChannels({ cid: `messaging:${channel}` }, {}, { user_id: `${p}ann` });
  assert.equal(state.data.name, 'Moved');
  assert.equal(state.data.member_count, 2);
  const messages = state.state.messages;
  assert.deepEqual(messages.map((m) => m.id), [`${p}m1`]);
  assert.equal(messages[0].reply_count, 1);
  assert.equal(messages[0].reaction_groups?.love?.count ?? messages[0].reaction_counts?.love, 1);
});

test('an import URL is for the server side, and an import of a file never uploaded is refused', { timeout: TIMEOUT }, async () => {
  const server = serverClient();
  const { path } = await server._createImportURL('never.jsonl');
  assert.equal(errorCode(await rejection(server._createImport(path, { mode: 'upsert' }))), 4);
  assert.equal(errorCode(await rejection(server._getImport('no-such-import'))), 16);
});
