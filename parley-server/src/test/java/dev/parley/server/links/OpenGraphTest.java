package dev.parley.server.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A page's Open Graph tags as the attachment Stream answers (PROTOCOL.md §7.25). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpenGraphTest {
    private static final String URL = "https://news.example/story?id=7";

    private static ObjectNode parse(String html) {
        PageFetcher.Page page =
                new PageFetcher.Page(URI.create(URL), "text/html", null, html.getBytes(StandardCharsets.UTF_8));
        return OpenGraph.attachment(URL, page);
    }

    @Test
    void openGraphTagsBecomeTheAttachmentFieldsTheSdkReads() {
        ObjectNode a = parse("<html><head><title>Page title</title>"
                + "<meta property='og:title' content='OG title'>"
                + "<meta property='og:description' content='What it is about'>"
                + "<meta property='og:image' content='/pics/cover.jpg'>"
                + "<meta property='og:url' content='https://news.example/story'>"
                + "<meta property='og:site_name' content='Example News'>"
                + "</head></html>");

        assertThat(a).isNotNull();
        assertThat(a.path("og_scrape_url").asText()).isEqualTo(URL);
        assertThat(a.path("title").asText()).isEqualTo("OG title");
        assertThat(a.path("text").asText()).isEqualTo("What it is about");
        assertThat(a.path("image_url").asText()).isEqualTo("https://news.example/pics/cover.jpg");
        assertThat(a.path("thumb_url").asText()).isEqualTo("https://news.example/pics/cover.jpg");
        assertThat(a.path("title_link").asText()).isEqualTo("https://news.example/story");
        assertThat(a.path("author_name").asText()).isEqualTo("Example News");
        assertThat(a.path("author_link").asText()).isEqualTo("https://news.example");
        assertThat(a.path("type").asText()).isEqualTo("image");
        assertThat(a.has("asset_url")).isFalse();
    }

    @Test
    void withoutOpenGraphTheTwitterTagsThenTheTitleAndDescriptionServe() {
        ObjectNode twitter = parse("<head><meta name='twitter:title' content='Tweet title'>"
                + "<meta name='twitter:image' content='https://cdn.example/t.png'></head>");
        ObjectNode plain = parse("<head><title> Plain </title><meta name='description' content='Described'></head>");

        assertThat(twitter.path("title").asText()).isEqualTo("Tweet title");
        assertThat(twitter.path("image_url").asText()).isEqualTo("https://cdn.example/t.png");
        assertThat(plain.path("title").asText()).isEqualTo("Plain");
        assertThat(plain.path("text").asText()).isEqualTo("Described");
        assertThat(plain.path("title_link").asText())
                .as("no og:url: the page itself")
                .isEqualTo(URL);
        assertThat(plain.has("type")).as("no media").isFalse();
    }

    @Test
    void aVideoPageIsAVideoWithItsAssetUrl() {
        ObjectNode a = parse("<head><meta property='og:title' content='Clip'>"
                + "<meta property='og:video' content='https://video.example/clip.mp4'>"
                + "<meta property='og:image' content='https://video.example/poster.jpg'></head>");

        assertThat(a.path("type").asText()).isEqualTo("video");
        assertThat(a.path("asset_url").asText()).isEqualTo("https://video.example/clip.mp4");
        assertThat(a.path("image_url").asText()).isEqualTo("https://video.example/poster.jpg");
    }

    @Test
    void aPageWithoutTitleOrImageHasNoPreviewAndScriptUrlsAreDropped() {
        ObjectNode none = parse("<head><meta name='description' content='only words'></head><body>x</body>");
        ObjectNode script = parse("<head><meta property='og:title' content='T'>"
                + "<meta property='og:image' content='javascript:alert(1)'></head>");

        assertThat(none).isNull();
        assertThat(script.has("image_url")).isFalse();
    }

    @Test
    void longTitlesAndDescriptionsAreCut() {
        ObjectNode a = parse("<head><meta property='og:title' content='" + "t".repeat(1000) + "'>"
                + "<meta property='og:description' content='" + "d".repeat(5000) + "'></head>");

        assertThat(a.path("title").asText()).hasSize(OpenGraph.MAX_TITLE);
        assertThat(a.path("text").asText()).hasSize(OpenGraph.MAX_TEXT);
    }
}
