package dev.parley.server.links;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /og} and the enrichment of sent messages against the real server and pages served on 127.0.0.1
 * (PROTOCOL.md §7.25): the server runs with {@code --link-preview-private-hosts}, but where a test says so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkPreviewsTest {
    private final PageServer pages = new PageServer();
    private TestServer server;
    private String ann;
    private String bob;

    @BeforeEach
    void start() {
        server = TestServer.start(b -> b.linkPreviewPrivateHosts(true));
        ann = Seed.uid("ann");
        bob = Seed.uid("bob");
        Seed.users(server, json("id", ann), json("id", bob));
    }

    @AfterEach
    void stop() {
        server.close();
        pages.close();
    }

    private RestClient.Response og(TestServer on, String url) {
        return RestClient.user(on, ann).get("/og", Map.of("url", url));
    }

    @Test
    void ogAnswersTheOpenGraphAttachmentOfAPage() {
        pages.html("/article", PageServer.ogPage("Parley ships", "Link previews arrive", "/cover.png"));

        RestClient.Response r = og(server, pages.url("/article"));
        RestClient.Response again = og(server, pages.url("/article"));

        assertThat(r.status()).isEqualTo(200);
        JsonNode a = r.body();
        assertThat(a.path("og_scrape_url").asText()).isEqualTo(pages.url("/article"));
        assertThat(a.path("title").asText()).isEqualTo("Parley ships");
        assertThat(a.path("text").asText()).isEqualTo("Link previews arrive");
        assertThat(a.path("image_url").asText()).isEqualTo(pages.url("/cover.png"));
        assertThat(a.path("thumb_url").asText()).isEqualTo(pages.url("/cover.png"));
        assertThat(a.path("title_link").asText()).isEqualTo(pages.url("/article"));
        assertThat(a.path("author_name").asText()).isEqualTo("Parley Pages");
        assertThat(a.path("type").asText()).isEqualTo("image");
        assertThat(a.has("duration")).isTrue();
        assertThat(again.body().path("title").asText()).isEqualTo("Parley ships");
        assertThat(pages.hits("/article"))
                .as("the second answer came from the cache")
                .isEqualTo(1);
    }

    @Test
    void ogRefusesAMissingOrNonWebUrlAndAnswersAFailingSiteWithCode4() {
        pages.on("/gone", x -> PageServer.send(x, 500, "text/html", new byte[0]));

        RestClient.Response missing = RestClient.user(server, ann).get("/og");
        RestClient.Response file = og(server, "file:///etc/passwd");
        RestClient.Response failing = og(server, pages.url("/gone"));
        RestClient.Response anonymous = RestClient.user(server, ann).anonymous().get("/og", Map.of("url", "x"));

        assertThat(missing.code()).isEqualTo(4);
        assertThat(missing.message()).contains("url is required");
        assertThat(file.status()).isEqualTo(400);
        assertThat(file.code()).isEqualTo(4);
        assertThat(file.message()).contains("http or https");
        assertThat(failing.code()).isEqualTo(4);
        assertThat(failing.message()).contains("HTTP 500");
        assertThat(anonymous.status()).isNotEqualTo(200);
    }

    @Test
    void withoutTheFlagAPageOnLoopbackIsRefused() {
        pages.html("/article", PageServer.ogPage("Local", "d", "i.png"));
        try (TestServer strict = TestServer.start()) {
            Seed.users(strict, json("id", ann));

            RestClient.Response r = og(strict, pages.url("/article"));

            assertThat(r.code()).isEqualTo(4);
            assertThat(r.message()).contains("loopback");
            assertThat(pages.hits("/article")).isZero();
        }
    }

    @Test
    void aLinkInASentMessageGetsItsPreviewThroughMessageUpdatedAndInTheStore() {
        pages.html("/news", PageServer.ogPage("Big news", "Read all about it", "/n.png"));
        String id = Seed.uid("room");
        Seed.messaging(server, ann, id, ann, bob);
        String url = pages.url("/news");
        try (WsProbe bobWs = WsProbe.connect(server, bob, server.userToken(bob), Json.object())) {
            String conn = bobWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, bob)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));

            JsonNode sent = RestClient.user(server, ann)
                    .post("/channels/messaging/" + id + "/message", json("message", json("text", "see " + url + ".")))
                    .body()
                    .path("message");
            String messageId = sent.path("id").asText();
            ObjectNode updated = bobWs.next("message.updated");

            assertThat(sent.path("attachments").size())
                    .as("the send is answered as sent")
                    .isZero();
            assertThat(updated.path("message_id").asText()).isEqualTo(messageId);
            JsonNode attachment = updated.at("/message/attachments/0");
            assertThat(attachment.path("og_scrape_url").asText()).isEqualTo(url);
            assertThat(attachment.path("title").asText()).isEqualTo("Big news");
            assertThat(updated.path("message").path("text").asText()).isEqualTo("see " + url + ".");
            JsonNode read = RestClient.user(server, bob)
                    .get("/messages/" + messageId)
                    .body()
                    .path("message");
            assertThat(read.at("/attachments/0/title").asText()).isEqualTo("Big news");

            server.server().close(); // the store is read again from its data, not from a cache
            try (TestServer again = TestServer.restartOnDataOf(server, b -> {})) {
                JsonNode stored = again.server()
                        .node()
                        .store()
                        .chat()
                        .findMessage(messageId)
                        .orElseThrow()
                        .doc();
                assertThat(stored.at("/attachments/0/og_scrape_url").asText()).isEqualTo(url);
                assertThat(stored.at("/attachments/0/image_url").asText()).isEqualTo(pages.url("/n.png"));
            }
        }
    }

    @Test
    void noPreviewIsFetchedWhenTheSenderSkipsItTheTypeHasItOffOrAnAttachmentHasItAlready() {
        for (String path : List.of("/skipped", "/live", "/given", "/plain")) {
            pages.html(path, PageServer.ogPage("Page " + path, "d", "i.png"));
        }
        String id = Seed.uid("room");
        Seed.messaging(server, ann, id, ann, bob);
        String live = Seed.uid("live");
        RestClient.user(server, ann).post("/channels/livestream/" + live + "/query", json("data", json()));
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));
            String channel = "/channels/messaging/" + id + "/message";

            RestClient.user(server, ann)
                    .post(channel, json("message", json("text", pages.url("/skipped")), "skip_enrich_url", true));
            RestClient.user(server, ann)
                    .post(
                            "/channels/livestream/" + live + "/message",
                            json("message", json("text", pages.url("/live"))));
            RestClient.user(server, ann)
                    .post(
                            channel,
                            json(
                                    "message",
                                    json(
                                            "text",
                                            pages.url("/given"),
                                            "attachments",
                                            List.of(json("og_scrape_url", pages.url("/given"), "title", "mine")))));
            String plain = RestClient.user(server, ann)
                    .post(channel, json("message", json("text", pages.url("/plain"))))
                    .body()
                    .at("/message/id")
                    .asText();
            ObjectNode updated = annWs.next("message.updated");

            assertThat(updated.path("message_id").asText()).isEqualTo(plain);
            assertThat(pages.hits("/plain")).isEqualTo(1);
            assertThat(pages.hits("/skipped")).isZero();
            assertThat(pages.hits("/live")).isZero();
            assertThat(pages.hits("/given")).isZero();
        }
    }

    @Test
    void anEditThatAddsALinkGetsItsPreviewUnlessItSkipsIt() {
        pages.html("/edited", PageServer.ogPage("Edited in", "d", "i.png"));
        pages.html("/quiet", PageServer.ogPage("Quiet", "d", "i.png"));
        String id = Seed.uid("room");
        Seed.messaging(server, ann, id, ann, bob);
        try (WsProbe annWs = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
            String conn = annWs.next("health.check").path("connection_id").asText();
            RestClient.user(server, ann)
                    .withConnectionId(conn)
                    .post("/channels/messaging/" + id + "/query", json("watch", true));
            String channel = "/channels/messaging/" + id + "/message";
            String quiet = RestClient.user(server, ann)
                    .post(channel, json("message", json("text", "first")))
                    .body()
                    .at("/message/id")
                    .asText();
            String loud = RestClient.user(server, ann)
                    .post(channel, json("message", json("text", "second")))
                    .body()
                    .at("/message/id")
                    .asText();

            RestClient.user(server, ann)
                    .call(
                            "PUT",
                            "/messages/" + quiet,
                            json("set", json("text", "now " + pages.url("/quiet")), "skip_enrich_url", true));
            RestClient.user(server, ann)
                    .call("PUT", "/messages/" + loud, json("set", json("text", "now " + pages.url("/edited"))));
            ObjectNode quietEdit = annWs.next("message.updated");
            ObjectNode loudEdit = annWs.next("message.updated");
            ObjectNode preview = annWs.next("message.updated");

            assertThat(quietEdit.path("message_id").asText()).isEqualTo(quiet);
            assertThat(loudEdit.path("message_id").asText()).isEqualTo(loud);
            assertThat(loudEdit.at("/message/attachments").size()).isZero();
            assertThat(preview.path("message_id").asText()).isEqualTo(loud);
            assertThat(preview.at("/message/attachments/0/title").asText()).isEqualTo("Edited in");
            assertThat(pages.hits("/quiet")).isZero();
        }
    }
}
