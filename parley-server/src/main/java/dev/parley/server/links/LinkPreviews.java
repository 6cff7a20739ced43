package dev.parley.server.links;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.server.metrics.Metrics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Link previews (PROTOCOL.md §7.25): the Open Graph attachment of a URL, fetched by {@link PageFetcher} behind
 * its guard, for {@code GET /og} and for the enrichment of sent messages. Remembers the last
 * {@link #CACHE_ENTRIES} answers (a preview for {@link #CACHE_TTL}, a failure for {@link #FAILURE_TTL}), and
 * runs at most {@link #MAX_FETCHES} fetches at once; a caller waits for a slot no longer than one fetch may take.
 * Thread-safe; blocking.
 */
public final class LinkPreviews {
    public static final int CACHE_ENTRIES = 1_000;
    public static final Duration CACHE_TTL = Duration.ofHours(1);
    public static final Duration FAILURE_TTL = Duration.ofMinutes(5);
    public static final int MAX_FETCHES = 8;
    public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    /** A remembered outcome: the attachment, or the refusal that was answered. */
    private record Outcome(
            @Nullable ObjectNode attachment, @Nullable String error, Instant expires) {}

    private final PageFetcher fetcher;
    private final Clock clock;
    private final Metrics metrics;
    private final Semaphore fetches = new Semaphore(MAX_FETCHES);
    private final Duration timeout;

    private final Map<String, Outcome> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    public LinkPreviews(PageFetcher fetcher, Duration timeout, Clock clock, Metrics metrics) {
        this.fetcher = requireNonNull(fetcher, "fetcher");
        this.timeout = requireNonNull(timeout, "timeout");
        this.clock = requireNonNull(clock, "clock");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /**
     * The previews of a node: the JDK's resolver, {@link #FETCH_TIMEOUT}, private hosts as the flag says; no HTTP
     * client until the transport gives its own ({@link #useHttp}).
     */
    public static LinkPreviews of(boolean privateHosts, Clock clock, Metrics metrics) {
        return new LinkPreviews(
                new PageFetcher(
                        new AddressGuard(privateHosts), PageFetcher.Resolver.SYSTEM, FETCH_TIMEOUT, PageHttp.NONE),
                FETCH_TIMEOUT,
                clock,
                metrics);
    }

    /** Fetches with {@code client} from now on (the transport's, on its event loops); the previous one closes. */
    public void useHttp(PageHttp client) {
        fetcher.useHttp(client);
    }

    /**
     * The attachment of {@code url}: a new object the caller owns.
     *
     * @throws ChatException code 4 naming why: the URL is refused, the site failed or has no Open Graph data
     */
    public ObjectNode preview(String url) {
        requireNonNull(url, "url");
        Instant now = clock.instant();
        Outcome hit;
        synchronized (cache) {
            hit = cache.get(url);
        }
        if (hit == null || !hit.expires().isAfter(now)) {
            hit = fetch(url);
            synchronized (cache) {
                cache.put(url, hit);
            }
        }
        if (hit.attachment() == null) {
            throw ChatException.input("url '" + shorten(url) + "' has no preview: " + hit.error());
        }
        return hit.attachment().deepCopy();
    }

    private Outcome fetch(String url) {
        URI checked;
        try {
            checked = PageFetcher.checkUrl(url);
        } catch (PageFetcher.FetchException e) {
            metrics.linkPreview("refused");
            return failure(e.getMessage());
        }
        boolean slot;
        try {
            slot = fetches.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChatException.input("url '" + shorten(url) + "' has no preview: the server is stopping");
        }
        if (!slot) {
            metrics.linkPreview("busy");
            // Not remembered: a later call may well find a free slot.
            throw ChatException.input("url '" + shorten(url) + "' has no preview: too many previews are being fetched");
        }
        try {
            PageFetcher.Page page = fetcher.fetch(checked);
            ObjectNode a = page.html() ? OpenGraph.attachment(url, page) : media(url, page);
            if (a == null) {
                metrics.linkPreview("empty");
                return failure(page.html() ? "the page has no Open Graph title or image" : "the URL is not a web page");
            }
            metrics.linkPreview("fetched");
            return new Outcome(a, null, clock.instant().plus(CACHE_TTL));
        } catch (PageFetcher.FetchException e) {
            metrics.linkPreview(e.refused() ? "refused" : "failed");
            return failure(e.getMessage());
        } finally {
            fetches.release();
        }
    }

    /** An image or a video linked directly is its own preview; other types have none. */
    private static @Nullable ObjectNode media(String url, PageFetcher.Page page) {
        String type = page.contentType();
        if (!type.startsWith("image/") && !type.startsWith("video/") && !type.startsWith("audio/")) {
            return null;
        }
        ObjectNode a = dev.parley.protocol.Json.object();
        a.put("og_scrape_url", url);
        String link = page.url().toString();
        a.put("title_link", link);
        if (type.startsWith("image/")) {
            a.put("type", "image");
            a.put("image_url", link);
            a.put("thumb_url", link);
        } else {
            a.put("type", type.startsWith("video/") ? "video" : "audio");
            a.put("asset_url", link);
        }
        return a;
    }

    private Outcome failure(@Nullable String why) {
        return new Outcome(
                null,
                why == null ? "it could not be fetched" : why,
                clock.instant().plus(FAILURE_TTL));
    }

    private static String shorten(String url) {
        return url.length() > 200 ? url.substring(0, 200) + "..." : url;
    }
}
