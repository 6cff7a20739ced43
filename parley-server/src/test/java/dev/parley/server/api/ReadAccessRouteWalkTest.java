package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Walks every route the router serves, read from the router itself so that a new route is walked too, as a
 * user who is not a member of a private channel and as an anonymous caller. No answer may carry the
 * channel's custom data or its messages' text, and every refusal is a 4xx error envelope.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadAccessRouteWalkTest {
    private static final String SECRET = "SECRET-d41c";
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final String OWNER = Seed.uid("owner");
    private static final String FRIEND = Seed.uid("friend");
    private static final String STRANGER = Seed.uid("stranger");
    private static final String CHANNEL = Seed.uid("private");
    private static final String OWN_CHANNEL = Seed.uid("own");
    private static final String CID = "messaging:" + CHANNEL;
    private static String messageId;
    private static String replyId;

    @BeforeAll
    static void privateChannelWithAMessage() {
        Seed.users(server, json("id", OWNER), json("id", FRIEND), json("id", STRANGER));
        // The stranger's own channel, where a write may name the private channel's messages.
        assertThat(Seed.messaging(server, STRANGER, OWN_CHANNEL, STRANGER).status())
                .isEqualTo(200);
        RestClient owner = RestClient.user(server, OWNER);
        assertThat(owner.post(
                                "/channels/messaging/" + CHANNEL + "/query",
                                json(
                                        "data",
                                        json("members", List.of(OWNER, FRIEND), "secret_data", SECRET + "-channel")))
                        .status())
                .isEqualTo(200);
        RestClient.Response sent = owner.post(
                "/channels/messaging/" + CHANNEL + "/message",
                json("message", json("text", SECRET + "-message zebra", "pinned", true)));
        assertThat(sent.status()).isEqualTo(200);
        messageId = sent.body().path("message").path("id").asText();
        RestClient.Response reply = owner.post(
                "/channels/messaging/" + CHANNEL + "/message",
                json("message", json("text", SECRET + "-reply zebra", "parent_id", messageId)));
        assertThat(reply.status()).isEqualTo(200);
        replyId = reply.body().path("message").path("id").asText();
        // The member replies too, so that the thread is among its threads.
        assertThat(RestClient.user(server, FRIEND)
                        .post(
                                "/channels/messaging/" + CHANNEL + "/message",
                                json("message", json("text", "me too", "parent_id", messageId)))
                        .status())
                .isEqualTo(200);
        assertThat(owner.post("/messages/" + messageId + "/reaction", json("reaction", json("type", "like")))
                        .status())
                .isEqualTo(200);
    }

    /**
     * One request per route on the private channel, and one on the caller's own channel for the channel
     * routes; the body and query name the private channel and its messages every way they can.
     */
    private static List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        for (Router.Route route : new RestApi(server.server().node()).router().routes()) {
            calls.add(new Call(route.method(), path(route.template(), CHANNEL), route.template()));
            if (route.template().startsWith("/channels/{type}/{id}")) {
                calls.add(new Call(route.method(), path(route.template(), OWN_CHANNEL), route.template()));
            }
        }
        return calls;
    }

    private record Call(String method, String path, String template) {}

    /** The template with the private channel, its message and the channel's owner put in its parameters. */
    static String path(String template, String channel) {
        boolean messageRoute = template.startsWith("/messages/") || template.startsWith("/threads/");
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "id" -> messageRoute ? messageId : template.startsWith("/channels/") ? channel : OWNER;
                case "type" -> messageRoute ? "like" : "messaging";
                case "name" -> "messaging";
                default -> OWNER;
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static ObjectNode body() {
        ObjectNode b = json(
                "type",
                "messaging",
                "id",
                CHANNEL,
                "query",
                "zebra",
                "message_id",
                messageId,
                "target_message_id",
                messageId,
                "channel_cid",
                CID,
                "cids",
                List.of(CID),
                "channel_cids",
                List.of(CID),
                "last_sync_at",
                Timestamps.format(Instant.now().minusSeconds(600)),
                "with_inaccessible_cids",
                true,
                "user_ids",
                List.of(OWNER),
                "parent_id",
                messageId,
                "state",
                true);
        b.set("filter_conditions", json("cid", CID));
        b.set("message", json("text", "hello", "quoted_message_id", replyId));
        b.set("reaction", json("type", "like"));
        b.set("set", json("text", "changed"));
        b.set("event", json("type", "typing.start"));
        b.set("messages", json("limit", 10));
        b.set("read_by_channel", json(CID, Json.object()));
        b.putArray("latest_delivered_messages").add(json("cid", CID, "id", messageId));
        return b;
    }

    private static Map<String, String> query() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("ids", messageId + "," + replyId);
        q.put("payload", Json.write(body()));
        q.put("type", "messaging");
        q.put("id", CHANNEL);
        q.put("user_id", OWNER);
        q.put("target_user_id", OWNER);
        return q;
    }

    private static RestClient.Response call(RestClient client, Call c) {
        boolean withBody = !c.method().equals("GET") && !c.method().equals("DELETE");
        return client.send(c.method(), c.path(), query(), withBody ? Json.write(body()) : null, Map.of());
    }

    private static void walk(RestClient client) {
        List<String> failures = new ArrayList<>();
        for (Call c : calls()) {
            RestClient.Response r = call(client, c);
            String what = c.method() + " " + c.template() + " -> " + abbreviate(r);
            if (r.status() >= 200 && r.status() < 300) {
                if (r.text().contains(SECRET)) {
                    failures.add("leaked: " + what);
                }
            } else if (r.status() < 400 || r.status() > 499) {
                failures.add("not a 4xx: " + what);
            } else if (r.json() == null
                    || !r.json().path("code").isInt()
                    || !r.json().path("message").isTextual()
                    || r.json().path("StatusCode").asInt() != r.status()) {
                failures.add("not an error envelope: " + what);
            }
        }
        assertThat(failures).isEmpty();
        RestClient.Response intact = RestClient.server(server).get("/messages/" + messageId);
        assertThat(intact.text()).contains(SECRET + "-message");
    }

    private static String abbreviate(RestClient.Response r) {
        String s = r.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Test
    void noRouteShowsAPrivateChannelToAUserWhoIsNotAMember() {
        walk(RestClient.user(server, STRANGER));
    }

    @Test
    void noRouteShowsAPrivateChannelToAnAnonymousCaller() {
        walk(RestClient.user(server, STRANGER).anonymous());
    }

    @Test
    void noRouteShowsAPrivateChannelToACallerWithOnlyTheApiKey() {
        walk(RestClient.user(server, STRANGER).withToken(null));
    }

    @Test
    void theWalkReachesTheSecretForAMemberOnTheReadRoutes() {
        RestClient friend = RestClient.user(server, FRIEND);
        List<String> reads = List.of(
                "GET /channels/{type}/{id}/messages",
                "GET /messages/{id}",
                "GET /channels/{type}/{id}",
                "POST /channels/{type}/{id}/query",
                "POST /channels",
                "GET /search",
                "GET /messages/{id}/replies",
                "GET /channels/{type}/{id}/pinned_messages",
                "GET /threads/{id}",
                "POST /threads");
        List<String> blind = new ArrayList<>();
        for (Call c : calls()) {
            if (reads.contains(c.method() + " " + c.template())
                    && !c.path().contains(OWN_CHANNEL)
                    && !call(friend, c).text().contains(SECRET)) {
                blind.add(c.method() + " " + c.template() + " -> " + abbreviate(call(friend, c)));
            }
        }
        assertThat(blind).isEmpty();
        assertThat(calls()).extracting(c -> c.method() + " " + c.template()).containsAll(reads);
    }
}
