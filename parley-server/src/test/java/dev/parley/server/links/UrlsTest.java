package dev.parley.server.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.parley.protocol.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which URL of a message gets a preview (PROTOCOL.md §7.25). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UrlsTest {
    @Test
    void theFirstHttpUrlIsTakenWithoutTheSentencesPunctuation() {
        assertThat(Urls.first("see https://example.com/a?b=1. and http://other.example"))
                .isEqualTo("https://example.com/a?b=1");
        assertThat(Urls.first("(at HTTP://Example.com/x),")).isEqualTo("HTTP://Example.com/x");
        assertThat(Urls.first("https://en.wikipedia.org/wiki/Java_(programming_language)!"))
                .isEqualTo("https://en.wikipedia.org/wiki/Java_(programming_language)");
        assertThat(Urls.first("no link, ftp://example.com or example.com")).isNull();
        assertThat(Urls.first("just https:// alone")).isNull();
    }

    @Test
    void anAttachmentWithTheUrlAsItsScrapeUrlPreviewsItWithOrWithoutAFinalSlash() {
        ArrayNode attachments = Json.array();
        attachments.addObject().put("type", "image").put("image_url", "https://example.com/i.png");
        attachments.addObject().put("og_scrape_url", "https://example.com/");

        assertThat(Urls.previewed(attachments, "https://example.com")).isTrue();
        assertThat(Urls.previewed(attachments, "https://example.com/")).isTrue();
        assertThat(Urls.previewed(attachments, "https://example.com/other")).isFalse();
        assertThat(Urls.previewed(Json.array(), "https://example.com")).isFalse();
    }
}
