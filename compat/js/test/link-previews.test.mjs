// Link previews with the official client (PROTOCOL.md §7.25): client.enrichURL answers a page's Open Graph
// attachment, a link in a sent message gets that attachment through message.updated, and the composer loads a
// typed link's preview and sends it with skip_enrich_url. The pages are served on 127.0.0.1, which the server
// under test may fetch only with --link-preview-private-hosts.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import {
  TIMEOUT, connectAll, disconnectAll, errorCode, eventually, nextEvent, rejection, serverClient, uid,
} from '../lib/parley.mjs';

const pages = http.createServer((req, res) => {
  const title = decodeURIComponent(req.url.slice(1));
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>fallback</title>
    <meta property="og:title" content="${title}">
    <meta property="og:description" content="About ${title}">
    <meta property="og:image" content="/cover.png">
    <meta property="og:site_name" content="Compat Pages"></head><body>hi</body></html>`);
});
await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${pages.address().port}`;
after(() => new Promise((resolve) => pages.close(resolve)));

// A server started without the flag refuses loopback pages: these scenarios are then skipped, never passed (the
// CI's runner passes the flag and counts the passed scenarios).
const refusal = await serverClient()
  .enrichURL(`${origin}/probe`)
  .then(() => null)
  .catch((err) => err.message);
const skip = refusal && /loopback/.test(refusal)
  ? 'the server refuses pages on 127.0.0.1: start it with --link-preview-private-hosts'
  : false;

test('client.enrichURL answers the Open Graph attachment, and a non-web URL is refused with code 4', { timeout: TIMEOUT, skip }, async () => {
  const [ann] = await connectAll(uid('ann'));
  try {
    const url = `${origin}/${uid('story')}`;
    const og = await ann.enrichURL(url);
    assert.equal(og.og_scrape_url, url);
    assert.equal(og.title, url.slice(origin.length + 1));
    assert.equal(og.text, `About ${og.title}`);
    assert.equal(og.image_url, `${origin}/cover.png`);
    assert.equal(og.thumb_url, `${origin}/cover.png`);
    assert.equal(og.title_link, url);
    assert.equal(og.author_name, 'Compat Pages');

    const refused = await rejection(ann.enrichURL('ftp://example.com/file'));
    assert.equal(errorCode(refused), 4);
  } finally {
    await disconnectAll(ann);
  }
});

test('a link in a sent message gets its preview through message.updated', { timeout: TIMEOUT, skip }, async () => {
  const [annId, bobId] = [uid('ann'), uid('bob')];
  const clients = await connectAll(annId, bobId);
  const [ann, bob] = clients;
  try {
    const cid = uid('links');
    const annChannel = ann.channel('messaging', cid, { members: [annId, bobId] });
    await annChannel.watch();
    const bobChannel = bob.channel('messaging', cid);
    await bobChannel.watch();
    assert.equal(bobChannel.getConfig().url_enrichment, true);
    const title = uid('headline');
    const url = `${origin}/${title}`;

    const updated = nextEvent(bob, 'message.updated', (e) => e.message?.attachments?.length > 0);
    const { message } = await annChannel.sendMessage({ text: `read ${url} now` });
    assert.deepEqual(message.attachments, []);
    const event = await updated;

    assert.equal(event.message.id, message.id);
    assert.equal(event.message.attachments[0].og_scrape_url, url);
    assert.equal(event.message.attachments[0].title, title);
    await eventually(() => {
      const shown = bobChannel.state.messages.find((m) => m.id === message.id);
      assert.equal(shown?.attachments?.[0]?.title, title);
    });
    const { message: read } = await bob.getMessage(message.id);
    assert.equal(read.attachments[0].og_scrape_url, url);
  } finally {
    await disconnectAll(...clients);
  }
});

test('the composer loads a typed link\'s preview through /og and sends it with skip_enrich_url', { timeout: TIMEOUT, skip }, async () => {
  const annId = uid('ann');
  const [ann] = await connectAll(annId);
  try {
    const channel = ann.channel('messaging', uid('composer'), { members: [annId] });
    await channel.watch();
    const composer = channel.messageComposer;
    // The default finder wants a host with a top-level domain; the page here is on 127.0.0.1.
    composer.updateConfig({
      linkPreviews: {
        enabled: true,
        debounceURLEnrichmentMs: 0,
        findURLFn: (text) => text.match(/https?:\/\/\S+/g) ?? [],
      },
    });
    const unsubscribe = composer.registerSubscriptions();
    try {
      assert.equal(composer.linkPreviewsManager.enabled, true, 'url_enrichment is on for messaging');
      const title = uid('typed');
      const url = `${origin}/${title}`;
      composer.textComposer.setText(`look ${url}`);
      await eventually(() => {
        const [preview] = composer.linkPreviewsManager.loadedPreviews;
        assert.equal(preview?.title, title);
      });

      const composed = await composer.compose();
      assert.equal(composed.message.attachments[0].og_scrape_url, url);
      assert.equal(composed.sendOptions.skip_enrich_url, true);
      const { message } = await channel.sendMessage(composed.message, composed.sendOptions);

      assert.equal(message.attachments.length, 1);
      assert.equal(message.attachments[0].title, title);
      assert.equal(message.attachments[0].og_scrape_url, url);
    } finally {
      unsubscribe();
    }
  } finally {
    await disconnectAll(ann);
  }
});
