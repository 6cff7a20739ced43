package dev.parley.server.commands;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WebhookReceiver;
import dev.parley.server.testing.WebhookReceiver.Reply;
import dev.parley.server.testing.WsProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slash commands end to end (PROTOCOL.md §15.5): {@code /commands}, the commands a channel type offers, the
 * built-in moderation commands with the sender's permissions, and a custom command's round trip through a real
 * handler, its ephemeral answer and the action that turns it into a message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandsTest {
    private final WebhookReceiver handler = WebhookReceiver.start();
    private TestServer server;
    private RestClient admin;
    private String channel;

    @BeforeEach
    void start() {
        server = TestServer.start();
        admin = RestClient.server(server);
        Seed.users(server, json("id", "ann"), json("id", "bob"), json("id", "mod", "role", "admin"));
        channel = Seed.uid("cmd");
        assertThat(Seed.messaging(server, "ann", channel, "ann", "bob", "mod").status())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
        handler.close();
    }

    private Response send(String user, Object message) {
        return RestClient.user(server, user)
                .post("/channels/messaging/" + channel + "/message", json("message", message));
    }

    private List<String> storedTexts() {
        List<String> out = new ArrayList<>();
        admin.post("/channels/messaging/" + channel + "/query", json("state", true))
                .body()
                .path("messages")
                .forEach(m -> out.add(m.path("text").asText()));
        return out;
    }

    private JsonNode configCommands() {
        return RestClient.user(server, "ann")
                .post("/channels/messaging/" + channel + "/query", json("state", true))
                .body()
                .path("channel")
                .path("config")
                .path("commands");
    }

    @Test
    void theBuiltInTypesOfferTheModerationCommandsAsObjectsTheComposerCanList() {
        JsonNode commands = configCommands();

        List<String> names = new ArrayList<>();
        commands.forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).containsExactly("ban", "unban", "mute", "unmute");
        assertThat(commands.get(0).path("args").asText()).isEqualTo("[@username] [text]");
        assertThat(commands.get(0).path("set").asText()).isEqualTo("moderation_set");
        assertThat(commands.get(0).path("description").asText()).isNotEmpty();
    }

    @Test
    void customCommandsHaveTheirCrudAndATypeOffersThemOnceItListsThem() {
        Response created = admin.post(
                "/commands", json("name", "ticket", "description", "Open a ticket", "args", "[description]"));
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        assertThat(created.body().path("command").path("name").asText()).isEqualTo("ticket");
        assertThat(admin.post("/commands", json("name", "ticket", "description", "again"))
                        .code())
                .as("a second command of one name")
                .isEqualTo(4);
        assertThat(admin.post("/commands", json("name", "giphy", "description", "x"))
                        .code())
                .isEqualTo(4);
        assertThat(admin.get("/commands/ticket").body().path("description").asText())
                .isEqualTo("Open a ticket");
        assertThat(admin.call("PUT", "/commands/ticket", json("description", "Open a support ticket"))
                        .body()
                        .path("command")
                        .path("description")
                        .asText())
                .isEqualTo("Open a support ticket");

        Response typed =
                admin.call("PUT", "/channeltypes/messaging", json("commands", List.of("ticket", "moderation_set")));

        assertThat(typed.status()).as("%s", typed).isEqualTo(200);
        List<String> stored = new ArrayList<>();
        typed.body().path("commands").forEach(c -> stored.add(c.asText()));
        assertThat(stored).containsExactly("ticket", "ban", "unban", "mute", "unmute");
        assertThat(configCommands().get(0).path("description").asText()).isEqualTo("Open a support ticket");
        assertThat(admin.delete("/commands/ticket").code())
                .as("still used by messaging")
                .isEqualTo(4);
        assertThat(admin.call("PUT", "/channeltypes/messaging", json("commands", List.of("nope")))
                        .code())
                .isEqualTo(4);
        assertThat(admin.call("PUT", "/channeltypes/messaging", json("commands", List.of("all"), "colour", "red"))
                        .message())
                .contains("colour");
        admin.call("PUT", "/channeltypes/messaging", json("commands", List.of("moderation_set")));
        assertThat(admin.delete("/commands/ticket").status()).isEqualTo(200);
        assertThat(admin.get("/commands/ticket").code()).isEqualTo(16);
        assertThat(RestClient.user(server, "ann")
                        .post("/commands", json("name", "x", "description", "y"))
                        .code())
                .as("server side only")
                .isEqualTo(17);
    }

    private List<String> mutesOf(String user) {
        try (WsProbe ws = WsProbe.connect(server, user, server.userToken(user), Json.object())) {
            List<String> out = new ArrayList<>();
            ws.next("health.check")
                    .path("me")
                    .path("mutes")
                    .forEach(m -> out.add(m.path("target").path("id").asText()));
            return out;
        }
    }

    @Test
    void muteAndUnmuteActForTheSenderAndAnswerOnlyTheSender() {
        Response muted = send("ann", json("text", "/mute @bob", "mentioned_users", List.of("bob")));

        assertThat(muted.status()).as("%s", muted).isEqualTo(200);
        assertThat(muted.body().path("message").path("type").asText()).isEqualTo("ephemeral");
        assertThat(muted.body().path("message").path("command").asText()).isEqualTo("mute");
        assertThat(storedTexts()).as("a command is not a message").isEmpty();
        assertThat(mutesOf("ann")).containsExactly("bob");

        Response unmuted = send("ann", json("text", "/unmute bob"));

        assertThat(unmuted.body().path("message").path("type").asText()).isEqualTo("ephemeral");
        assertThat(mutesOf("ann")).isEmpty();
    }

    @Test
    void banNeedsTheSendersPermissionAndThenKeepsTheUserOut() {
        Response refused = send("bob", json("text", "/ban @ann spam", "mentioned_users", List.of("ann")));

        assertThat(refused.status()).as("an error message, not an HTTP error").isEqualTo(200);
        assertThat(refused.body().path("message").path("type").asText()).isEqualTo("error");

        Response banned = send("mod", json("text", "/ban @bob spamming", "mentioned_users", List.of("bob")));

        assertThat(banned.body().path("message").path("type").asText())
                .as("%s", banned)
                .isEqualTo("ephemeral");
        assertThat(send("bob", json("text", "let me in")).code()).isEqualTo(17);
        assertThat(send("mod", json("text", "/unban @bob"))
                        .body()
                        .path("message")
                        .path("type")
                        .asText())
                .isEqualTo("ephemeral");
        assertThat(send("bob", json("text", "back")).status()).isEqualTo(200);
    }

    @Test
    void aNameTheTypeDoesNotOfferIsAnErrorMessageAndAnOrdinarySlashIsNot() {
        Response unknown = send("ann", json("text", "/shrug hello"));

        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.body().path("message").path("type").asText()).isEqualTo("error");
        assertThat(unknown.body().path("message").path("text").asText()).contains("command shrug doesn't exist");
        assertThat(send("ann", json("text", "a / b"))
                        .body()
                        .path("message")
                        .path("type")
                        .asText())
                .isEqualTo("regular");
        assertThat(storedTexts()).containsExactly("a / b");
    }

    @Test
    void aCustomCommandGoesToTheHandlerAndItsEphemeralAnswerBecomesAMessageThroughAnAction() {
        admin.post("/commands", json("name", "ticket", "description", "Open a ticket"));
        admin.call("PUT", "/channeltypes/messaging", json("commands", List.of("ticket")));
        assertThat(admin.patch("/app", json("custom_action_handler_url", handler.url() + "?type={type}"))
                        .status())
                .isEqualTo(200);
        handler.reply(r -> r.json().has("form_data")
                ? new Reply(200, Json.write(json("message", json("type", "regular", "text", "Ticket opened: printer"))))
                : new Reply(
                        200,
                        Json.write(json(
                                "message",
                                json(
                                        "type",
                                        "ephemeral",
                                        "text",
                                        "Open a ticket about 'printer'?",
                                        "attachments",
                                        Json.array()
                                                .add(json(
                                                        "type",
                                                        "form",
                                                        "actions",
                                                        Json.array()
                                                                .add(json(
                                                                        "name", "action", "value", "confirm", "type",
                                                                        "button")))))))));

        Response preview = send("ann", json("text", "/ticket printer"));

        WebhookReceiver.Request first = handler.next(r -> true, Duration.ofSeconds(10));
        assertThat(first.json().path("message").path("command").asText()).isEqualTo("ticket");
        assertThat(first.json().path("message").path("args").asText()).isEqualTo("printer");
        assertThat(first.json().path("user").path("id").asText()).isEqualTo("ann");
        assertThat(first.header("X-Signature")).isNotEmpty();
        JsonNode eph = preview.body().path("message");
        assertThat(eph.path("type").asText()).isEqualTo("ephemeral");
        assertThat(eph.path("text").asText()).isEqualTo("Open a ticket about 'printer'?");
        assertThat(storedTexts()).isEmpty();
        String id = eph.path("id").asText();
        assertThat(RestClient.user(server, "bob")
                        .post("/messages/" + id + "/action", json("form_data", json("action", "confirm")))
                        .code())
                .as("another user's ephemeral message")
                .isEqualTo(4);

        Response confirmed = RestClient.user(server, "ann")
                .post("/messages/" + id + "/action", json("form_data", json("action", "confirm")));

        assertThat(confirmed.status()).as("%s", confirmed).isEqualTo(200);
        assertThat(handler.next(r -> true, Duration.ofSeconds(10))
                        .json()
                        .path("form_data")
                        .path("action")
                        .asText())
                .isEqualTo("confirm");
        assertThat(confirmed.body().path("message").path("id").asText()).isEqualTo(id);
        assertThat(confirmed.body().path("message").path("type").asText()).isEqualTo("regular");
        assertThat(storedTexts()).containsExactly("Ticket opened: printer");
    }

    @Test
    void aCustomCommandsRejectionAndCancelAreAnsweredAndAFailingHandlerLetsTheMessageThrough() {
        admin.post("/commands", json("name", "ticket", "description", "Open a ticket"));
        admin.call("PUT", "/channeltypes/messaging", json("commands", List.of("ticket")));
        admin.patch("/app", json("custom_action_handler_url", handler.url()));

        handler.reply(r -> new Reply(200, "{\"message\":{\"type\":\"error\",\"text\":\"no tickets on Sunday\"}}"));
        Response rejected = send("ann", json("text", "/ticket a"));
        handler.reply(r -> new Reply(503, ""));
        Response failed = send("ann", json("text", "/ticket b"));

        assertThat(rejected.body().path("message").path("type").asText()).isEqualTo("error");
        assertThat(rejected.body().path("message").path("text").asText()).isEqualTo("no tickets on Sunday");
        assertThat(failed.body().path("message").path("type").asText()).isEqualTo("regular");
        assertThat(failed.body().path("message").path("command").asText()).isEqualTo("ticket");
        assertThat(storedTexts()).containsExactly("/ticket b");
    }
}
