package dev.parley.server.api;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Walks every route of the router, as the server and as a member, with bodies and payloads whose fields
 * have the wrong shapes: no answer is a 5xx, and every refusal is a 4xx error envelope.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MalformedRouteWalkTest {
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final List<String> FIELDS = List.of(
            "message",
            "data",
            "set",
            "unset",
            "filter_conditions",
            "sort",
            "users",
            "user_ids",
            "cids",
            "channel_cids",
            "last_sync_at",
            "reaction",
            "event",
            "members",
            "messages",
            "limit",
            "offset",
            "next",
            "user_id",
            "user",
            "id",
            "type",
            "target_user_id",
            "target_message_id",
            "channel_cid",
            "channel_cids",
            "timeout",
            "reason",
            "read_by_channel",
            "latest_delivered_messages",
            "add_members",
            "remove_members",
            "invites",
            "add_moderators",
            "demote_moderators",
            "assign_roles",
            "cooldown",
            "message_id",
            "query",
            "message_filter_conditions",
            "watch",
            "state",
            "presence",
            "accept_invite",
            "reject_invite",
            "hide_history",
            "truncated_at",
            "skip_push",
            "expiration",
            "name",
            "revoke_tokens_issued_before",
            "push_provider",
            "blocked_user_id",
            "reply_limit",
            "member_limit",
            "message_limit",
            "clear_history",
            "parent_id",
            "text",
            "attachments",
            "mentioned_users",
            "pinned",
            "enforce_unique",
            "config_overrides");

    /** Bodies whose well-known fields are each of a wrong JSON type. */
    private static final List<String> BODIES = List.of(
            "{}",
            "[]",
            "null",
            "5",
            "\"text\"",
            shaped("5"),
            shaped("\"x\""),
            shaped("[]"),
            shaped("{}"),
            shaped("null"),
            shaped("true"),
            shaped("[{}]"),
            shaped("[5]"),
            shaped("-1"),
            shaped("1e300"),
            shaped("{\"$gt\": 5}"));

    private static String shaped(String value) {
        StringBuilder s = new StringBuilder("{");
        for (String f : FIELDS) {
            s.append(s.length() > 1 ? "," : "")
                    .append('"')
                    .append(f)
                    .append("\":")
                    .append(value);
        }
        return s.append('}').toString();
    }

    private static String path(String template, String channel, String message, String user) {
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        boolean messageRoute = template.startsWith("/messages/") || template.startsWith("/threads/");
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "id" -> messageRoute ? message : template.startsWith("/channels/") ? channel : user;
                case "type" -> messageRoute ? "like" : "messaging";
                case "name" -> "messaging";
                default -> user;
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> walk(RestClient client, String user) {
        String channel = Seed.uid("walk");
        assertThat(Seed.messaging(server, user, channel, user).status()).isEqualTo(200);
        String message = RestClient.user(server, user)
                .post("/channels/messaging/" + channel + "/message", json("message", json("text", "hi")))
                .body()
                .path("message")
                .path("id")
                .asText();
        List<String> failures = new ArrayList<>();
        for (Router.Route route : new RestApi(server.server().node()).router().routes()) {
            String path = path(route.template(), channel, message, user);
            for (String body : BODIES) {
                Map<String, String> query = new LinkedHashMap<>();
                query.put("payload", body);
                query.put("ids", body);
                query.put("limit", body);
                query.put("user_id", user);
                boolean withBody =
                        !route.method().equals("GET") && !route.method().equals("DELETE");
                RestClient.Response r = client.send(route.method(), path, query, withBody ? body : null, Map.of());
                if (r.status() >= 500
                        || r.status() >= 400
                                && (r.json() == null || !r.json().path("code").isInt())) {
                    String text = r.toString();
                    failures.add(route.method() + " " + route.template() + " "
                            + body.substring(0, Math.min(40, body.length())) + " -> "
                            + text.substring(0, Math.min(300, text.length())));
                }
            }
        }
        return failures;
    }

    @Test
    void noRouteAnswersAMalformedRequestOfAMemberWithA5xx() {
        String user = Seed.uid("member");
        Seed.users(server, json("id", user));

        assertThat(walk(RestClient.user(server, user), user)).isEmpty();
    }

    @Test
    void noRouteAnswersAMalformedRequestOfTheServerWithA5xx() {
        String user = Seed.uid("acting");
        Seed.users(server, json("id", user));

        assertThat(walk(RestClient.server(server), user)).isEmpty();
    }
}
