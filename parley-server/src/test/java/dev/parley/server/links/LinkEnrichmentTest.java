package dev.parley.server.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The enrichment queue's bound (PROTOCOL.md §7.25): a send never waits; past the bound a message is dropped. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LinkEnrichmentTest {
    private final Metrics metrics = new Metrics();
    private final LinkPreviews previews = new LinkPreviews(
            new PageFetcher(new AddressGuard(false), PageFetcher.Resolver.SYSTEM, Duration.ofSeconds(1), PageHttp.NONE),
            Duration.ofSeconds(1),
            Clock.systemUTC(),
            metrics);

    private static String dropped(String scrape) {
        return scrape.lines()
                .filter(l -> l.startsWith("parley_link_previews_total") && l.contains("outcome=\"dropped\""))
                .findFirst()
                .orElse("");
    }

    @Test
    void aFullQueueDropsTheNextMessageAtOnceAndCountsIt() {
        // Workers never started: nothing leaves the queue.
        try (LinkEnrichment enrichment = new LinkEnrichment(previews, metrics)) {
            for (int i = 0; i < LinkEnrichment.QUEUE_CAPACITY; i++) {
                enrichment.sent("m" + i, "https://example.com/" + i, Json.array());
            }
            assertThat(dropped(metrics.scrape())).isEmpty();

            long start = System.nanoTime();
            enrichment.sent("one-more", "see https://example.com/late", Json.array());
            enrichment.sent("and-another", "see https://example.com/later", Json.array());

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(dropped(metrics.scrape())).endsWith(" 2.0");
        }
    }

    @Test
    void messagesWithoutALinkOrWithItsPreviewAlreadyAreNotQueued() {
        try (LinkEnrichment enrichment = new LinkEnrichment(previews, metrics)) {
            var previewed = Json.array();
            previewed.addObject().put("og_scrape_url", "https://example.com/a");
            for (int i = 0; i < LinkEnrichment.QUEUE_CAPACITY + 10; i++) {
                enrichment.sent("plain" + i, "no link here", Json.array());
                enrichment.sent("given" + i, "https://example.com/a", previewed);
            }

            assertThat(dropped(metrics.scrape()))
                    .as("nothing was queued, so nothing overflowed")
                    .isEmpty();
        }
    }
}
