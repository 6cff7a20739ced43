package dev.parley.server.push;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.Http2StandIn;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.TestServer;
import dev.parley.server.testing.WsProbe;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Push end to end (PROTOCOL.md §16): a real server sends to local HTTP/2 stand-ins for APNs, Google's token
 * endpoint and FCM, which check each request as the real services would (the JWTs' signatures and claims, the
 * headers, the payload), and answer as they would (a token, a message name, 410 for a gone device).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PushTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Http2StandIn provider;
    private TestServer server;
    private RestClient admin;
    private KeyPair apnKey;
    private KeyPair googleKey;

    @BeforeEach
    void start() throws Exception {
        provider = Http2StandIn.start();
        server = TestServer.start(b -> b.pushCaFile(provider.certificatePem()));
        admin = RestClient.server(server);
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        apnKey = ec.generateKeyPair();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        googleKey = rsa.generateKeyPair();
        provider.answer(r -> r.path().equals("/token")
                ? Http2StandIn.Answer.json(200, "{\"access_token\":\"ya29.stand-in\",\"expires_in\":3600}")
                : r.path().startsWith("/v1/")
                        ? Http2StandIn.Answer.json(200, "{\"name\":\"projects/parley-test/messages/1\"}")
                        : Http2StandIn.Answer.json(200, "{}"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        provider.close();
    }

    private static String pem(KeyPair k) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(k.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private ObjectNode apnProvider() {
        return json(
                "type", "apn",
                "name", "ios",
                "apn_auth_key", pem(apnKey),
                "apn_key_id", "KEY1234567",
                "apn_team_id", "TEAM123456",
                "apn_topic", "dev.parley.app",
                "apn_host", provider.url().toString());
    }

    private ObjectNode firebaseProvider() {
        ObjectNode account = json(
                "type", "service_account",
                "project_id", "parley-test",
                "client_email", "push@parley-test.iam.gserviceaccount.com",
                "private_key", pem(googleKey),
                "token_uri", provider.url() + "/token");
        return json(
                "type",
                "firebase",
                "name",
                "android",
                "firebase_credentials",
                Json.write(account),
                "firebase_host",
                provider.url().toString());
    }

    private void upsert(ObjectNode p) {
        Response r = admin.post("/push_providers", json("push_provider", p));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    /** ann, bob and cat in one channel; bob and cat each have a device of {@code type}. */
    private String channel(String type) {
        Seed.users(server, json("id", "ann", "name", "Ann"), json("id", "bob"), json("id", "cat"));
        String id = Seed.uid("push");
        assertThat(Seed.messaging(server, "ann", id, "ann", "bob", "cat").status())
                .isEqualTo(200);
        for (String u : List.of("bob", "cat")) {
            Response d = RestClient.user(server, u)
                    .post("/devices", json("id", u + "-" + type + "-token", "push_provider", type));
            assertThat(d.status()).as("%s", d).isBetween(200, 201);
        }
        return id;
    }

    private String send(String channel, ObjectNode body) {
        Response r = RestClient.user(server, "ann").post("/channels/messaging/" + channel + "/message", body);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.body().path("message").path("id").asText();
    }

    private String send(String channel, String text) {
        return send(channel, json("message", json("text", text)));
    }

    /** The next request to a device, skipping the token endpoint's. */
    private Http2StandIn.Request nextPush() throws InterruptedException {
        while (true) {
            Http2StandIn.Request r = provider.take(WAIT);
            if (!r.path().equals("/token")) {
                return r;
            }
        }
    }

    @Test
    void apnsGetsAnHttp2RequestSignedWithTheP8KeyForEachDeviceOfAMemberWhoIsNotWatching() throws Exception {
        upsert(apnProvider());
        String channel = channel("apn");

        String id = send(channel, "hello \"quoted\"\nworld");

        Map<String, Http2StandIn.Request> byPath = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Http2StandIn.Request r = nextPush();
            byPath.put(r.path(), r);
        }
        assertThat(byPath).containsOnlyKeys("/3/device/bob-apn-token", "/3/device/cat-apn-token");
        Http2StandIn.Request r = byPath.get("/3/device/bob-apn-token");
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("apns-topic")).isEqualTo("dev.parley.app");
        assertThat(r.header("apns-push-type")).isEqualTo("alert");
        assertThat(r.header("apns-priority")).isEqualTo("10");
        String auth = r.header("authorization");
        assertThat(auth).startsWith("bearer ");
        DecodedJWT jwt = JWT.require(Algorithm.ECDSA256((ECPublicKey) apnKey.getPublic(), null))
                .withIssuer("TEAM123456")
                .build()
                .verify(auth.substring("bearer ".length()));
        assertThat(jwt.getKeyId()).isEqualTo("KEY1234567");
        assertThat(jwt.getAlgorithm()).isEqualTo("ES256");
        assertThat(jwt.getIssuedAtAsInstant()).isBetween(Instant.now().minusSeconds(60), Instant.now());
        JsonNode body = Json.parse(r.body(), "payload");
        assertThat(body.path("aps").path("alert").path("title").asText()).isEqualTo("Ann");
        assertThat(body.path("aps").path("alert").path("body").asText()).isEqualTo("hello \"quoted\"\nworld");
        assertThat(body.path("aps").path("badge").asInt()).isEqualTo(1);
        assertThat(body.path("aps").path("mutable-content").asInt()).isEqualTo(1);
        assertThat(body.path("stream").path("id").asText()).isEqualTo(id);
        assertThat(body.path("stream").path("cid").asText()).isEqualTo("messaging:" + channel);
        assertThat(body.path("stream").path("receiver_id").asText()).isEqualTo("bob");
    }

    @Test
    void firebaseAsksGoogleForAnAccessTokenOnceAndSendsAV1MessagePerDevice() throws Exception {
        upsert(firebaseProvider());
        String channel = channel("firebase");

        String id = send(channel, "first");

        Http2StandIn.Request token = provider.take(WAIT);
        assertThat(token.path()).isEqualTo("/token");
        assertThat(token.header("content-type")).startsWith("application/x-www-form-urlencoded");
        Map<String, String> form = new HashMap<>();
        for (String kv : token.body().split("&")) {
            String[] p = kv.split("=", 2);
            form.put(p[0], URLDecoder.decode(p[1], StandardCharsets.UTF_8));
        }
        assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
        DecodedJWT assertion = JWT.require(Algorithm.RSA256((RSAPublicKey) googleKey.getPublic(), null))
                .withIssuer("push@parley-test.iam.gserviceaccount.com")
                .withAudience(provider.url() + "/token")
                .withClaim("scope", "https://www.googleapis.com/auth/firebase.messaging")
                .build()
                .verify(form.get("assertion"));
        assertThat(assertion.getExpiresAtAsInstant()).isAfter(assertion.getIssuedAtAsInstant());
        for (int i = 0; i < 2; i++) {
            Http2StandIn.Request r = nextPush();
            assertThat(r.path()).isEqualTo("/v1/projects/parley-test/messages:send");
            assertThat(r.header("authorization")).isEqualTo("Bearer ya29.stand-in");
            JsonNode m = Json.parse(r.body(), "message").path("message");
            assertThat(m.path("token").asText()).isIn("bob-firebase-token", "cat-firebase-token");
            assertThat(m.path("notification").path("title").asText()).isEqualTo("Ann");
            assertThat(m.path("notification").path("body").asText()).isEqualTo("first");
            assertThat(m.path("data").path("id").asText()).isEqualTo(id);
            assertThat(m.path("data").path("cid").asText()).isEqualTo("messaging:" + channel);
            assertThat(m.path("data").path("type").asText()).isEqualTo("message.new");
        }

        send(channel, "second");

        for (int i = 0; i < 2; i++) {
            assertThat(provider.take(WAIT).path())
                    .as("the access token is kept")
                    .isEqualTo("/v1/projects/parley-test/messages:send");
        }
    }

    @Test
    void aDeviceTheProviderCallsGoneIsRemoved() throws Exception {
        upsert(apnProvider());
        String channel = channel("apn");
        provider.answer(r -> r.path().endsWith("/bob-apn-token")
                ? Http2StandIn.Answer.json(410, "{\"reason\":\"Unregistered\"}")
                : Http2StandIn.Answer.json(200, "{}"));

        send(channel, "are you there");

        Awaitility.await()
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(admin.get("/devices?user_id=bob")
                                .body()
                                .path("devices")
                                .size())
                        .isZero());
        assertThat(admin.get("/devices?user_id=cat").body().path("devices").size())
                .isEqualTo(1);
    }

    @Test
    void aWatchingMemberPreferencesMutesSkipPushAndTheChannelTypeSwitchEachStopAPush() throws Exception {
        upsert(apnProvider());
        String channel = channel("apn");
        // bob watches the channel through a socket: cat alone gets the push.
        try (WsProbe ws = WsProbe.connect(server, "bob", server.userToken("bob"), Json.object())) {
            String conn = ws.next("health.check").path("connection_id").asText();
            Response q = RestClient.user(server, "bob")
                    .post("/channels/messaging/" + channel + "/query?connection_id=" + conn, json("watch", true));
            assertThat(q.status()).as("%s", q).isEqualTo(200);
            send(channel, "bob is watching");
            assertThat(nextPush().path()).isEqualTo("/3/device/cat-apn-token");
        }
        Awaitility.await()
                .atMost(WAIT)
                .until(() -> admin.post("/channels/messaging/" + channel + "/query", json("state", true))
                                .body()
                                .path("watcher_count")
                                .asInt(-1)
                        == 0);

        // cat pauses all push; bob mutes the channel; then skip_push; then the type is switched off.
        Response pref = RestClient.user(server, "cat")
                .post(
                        "/push_preferences",
                        json(
                                "preferences",
                                Json.array()
                                        .add(json(
                                                "chat_level",
                                                "all",
                                                "disabled_until",
                                                Instant.now().plusSeconds(3600).toString()))));
        assertThat(pref.status()).as("%s", pref).isEqualTo(200);
        assertThat(pref.body()
                        .path("user_preferences")
                        .path("cat")
                        .path("disabled_until")
                        .asText())
                .isNotEmpty();
        Response mute = RestClient.user(server, "bob")
                .post("/moderation/mute/channel", json("channel_cid", "messaging:" + channel));
        assertThat(mute.status()).as("%s", mute).isEqualTo(200);
        send(channel, "nobody gets this");
        send(channel, json("message", json("text", "nor this"), "skip_push", true));
        Response unmute = RestClient.user(server, "bob")
                .post("/moderation/unmute/channel", json("channel_cid", "messaging:" + channel));
        assertThat(unmute.status()).as("%s", unmute).isEqualTo(200);
        String heard = send(channel, "bob hears this");

        Http2StandIn.Request r = nextPush();
        assertThat(r.path()).isEqualTo("/3/device/bob-apn-token");
        assertThat(Json.parse(r.body(), "payload").path("stream").path("id").asText())
                .as("the first push after the muted, paused and skipped ones")
                .isEqualTo(heard);

        Response off = admin.call("PUT", "/channeltypes/messaging", json("push_notifications", false));
        assertThat(off.status()).as("%s", off).isEqualTo(200);
        assertThat(off.body().path("push_notifications").asBoolean(true)).isFalse();
        send(channel, "the type is off");
        Response on = admin.call("PUT", "/channeltypes/messaging", json("push_notifications", true));
        assertThat(on.status()).isEqualTo(200);
        String after = send(channel, "the type is on again");
        Http2StandIn.Request next = nextPush();
        assertThat(Json.parse(next.body(), "payload").path("stream").path("id").asText())
                .isEqualTo(after);
    }

    @Test
    void withOfflineOnlyAUserWithASocketGetsNoPushEvenWhenNotWatching() throws Exception {
        upsert(apnProvider());
        String channel = channel("apn");
        Response bad = admin.patch("/app", (ObjectNode) Json.parse("{\"push_config\": {\"loud\": true}}", "t"));
        assertThat(bad.body().path("code").asInt()).isEqualTo(4);
        assertThat(bad.body().path("message").asText()).contains("push_config.loud");
        Response set = admin.patch("/app", (ObjectNode)
                Json.parse("{\"push_config\": {\"version\": \"v3\", \"offline_only\": true}}", "t"));
        assertThat(set.status()).as("%s", set).isEqualTo(200);
        assertThat(admin.get("/app")
                        .body()
                        .path("app")
                        .path("push_notifications")
                        .path("offline_only")
                        .asBoolean())
                .isTrue();

        try (WsProbe ws = WsProbe.connect(server, "bob", server.userToken("bob"), Json.object())) {
            ws.next("health.check");
            send(channel, "bob is online");

            assertThat(nextPush().path()).isEqualTo("/3/device/cat-apn-token");

            admin.patch("/app", (ObjectNode) Json.parse("{\"push_config\": {\"offline_only\": false}}", "t"));
            String second = send(channel, "bob is online but not watching");
            Http2StandIn.Request r = nextPush();
            while (!r.path().equals("/3/device/bob-apn-token")) {
                r = nextPush();
            }
            assertThat(Json.parse(r.body(), "payload").path("stream").path("id").asText())
                    .as("bob's first push is the one sent once offline_only was off")
                    .isEqualTo(second);
        }
    }

    @Test
    void aMentionsOnlyChannelPreferenceLetsOnlyMentionsThrough() throws Exception {
        upsert(apnProvider());
        String channel = channel("apn");
        Response pref = admin.post(
                "/push_preferences",
                json(
                        "preferences",
                        Json.array()
                                .add(json(
                                        "user_id",
                                        "bob",
                                        "channel_cid",
                                        "messaging:" + channel,
                                        "chat_level",
                                        "mentions"))
                                .add(json("user_id", "cat", "chat_level", "none"))));
        assertThat(pref.status()).as("%s", pref).isEqualTo(200);
        assertThat(pref.body()
                        .path("user_channel_preferences")
                        .path("bob")
                        .path("messaging:" + channel)
                        .path("chat_level")
                        .asText())
                .isEqualTo("mentions");

        send(channel, "not for bob");
        String mention = send(
                channel,
                json(
                        "message",
                        json(
                                "text",
                                "@bob look",
                                "mentioned_users",
                                Json.array().add("bob"))));

        Http2StandIn.Request r = nextPush();
        assertThat(r.path()).isEqualTo("/3/device/bob-apn-token");
        assertThat(Json.parse(r.body(), "payload").path("stream").path("id").asText())
                .isEqualTo(mention);
    }

    @Test
    void providersAreListedWithoutTheirKeysAndRefusedByNameWhenUnusable() {
        upsert(apnProvider());
        JsonNode list = admin.get("/push_providers").body().path("push_providers");
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).path("name").asText()).isEqualTo("ios");
        assertThat(list.get(0).has("apn_auth_key")).isFalse();
        assertThat(list.get(0).path("created_at").asText()).isNotEmpty();
        assertThat(admin.get("/app")
                        .body()
                        .path("app")
                        .path("push_notifications")
                        .path("providers")
                        .size())
                .isEqualTo(1);

        Response badKey = admin.post(
                "/push_providers", json("push_provider", apnProvider().put("apn_auth_key", "not a key")));
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.body().path("code").asInt()).isEqualTo(4);
        assertThat(badKey.body().path("message").asText()).contains("apn_auth_key");
        Response huawei = admin.post("/push_providers", json("push_provider", json("type", "huawei", "name", "h")));
        assertThat(huawei.body().path("code").asInt()).isEqualTo(4);
        assertThat(huawei.body().path("message").asText()).contains("huawei");
        Response p12 = admin.post(
                "/push_providers", json("push_provider", apnProvider().put("apn_p12_cert", "MIIB")));
        assertThat(p12.body().path("message").asText()).contains("apn_p12_cert");
        Response template = admin.post(
                "/push_providers", json("push_provider", apnProvider().put("apn_notification_template", "{{#if}")));
        assertThat(template.body().path("code").asInt()).isEqualTo(4);
        assertThat(RestClient.user(server, "bob")
                        .get("/push_providers")
                        .body()
                        .path("code")
                        .asInt())
                .isEqualTo(17);

        assertThat(admin.call("DELETE", "/push_providers/apn/ios", null).status())
                .isEqualTo(200);
        assertThat(admin.get("/push_providers").body().path("push_providers").size())
                .isZero();
        assertThat(admin.call("DELETE", "/push_providers/apn/ios", null)
                        .body()
                        .path("code")
                        .asInt())
                .isEqualTo(16);
    }

    @Test
    void checkPushRendersTheTemplatesAndReportsEachDevicesError() throws Exception {
        upsert(apnProvider());
        upsert(firebaseProvider());
        channel("apn");
        RestClient.user(server, "bob").post("/devices", json("id", "bob-gone", "push_provider", "firebase"));
        provider.answer(r -> r.path().equals("/token")
                ? Http2StandIn.Answer.json(200, "{\"access_token\":\"ya29.stand-in\",\"expires_in\":3600}")
                : r.body().contains("bob-gone")
                        ? Http2StandIn.Answer.json(
                                404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"message\":\"UNREGISTERED\"}}")
                        : Http2StandIn.Answer.json(200, "{}"));

        Response r = admin.post(
                "/check_push",
                json(
                        "user_id",
                        "bob",
                        "apn_template",
                        "{\"aps\":{\"alert\":\"{{ receiver.id }}: {{ message.text }}\"}}"));

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(Json.parse(r.body().path("rendered_apn_template").asText(), "apn")
                        .path("aps")
                        .path("alert")
                        .asText())
                .isEqualTo("bob: This is a test push notification");
        assertThat(Json.parse(r.body().path("rendered_firebase_template").asText(), "firebase")
                        .path("title")
                        .asText())
                .isNotEmpty();
        assertThat(r.body().path("device_errors").has("bob-apn-token")).isFalse();
        assertThat(r.body()
                        .path("device_errors")
                        .path("bob-gone")
                        .path("provider")
                        .asText())
                .isEqualTo("firebase");
        assertThat(r.body()
                        .path("device_errors")
                        .path("bob-gone")
                        .path("error_message")
                        .asText())
                .contains("404");
        Awaitility.await()
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(admin.get("/devices?user_id=bob")
                                .body()
                                .path("devices")
                                .findValuesAsText("id"))
                        .containsExactly("bob-apn-token"));

        Response skip = admin.post("/check_push", json("user_id", "bob", "skip_devices", true));
        assertThat(skip.body().path("skip_devices").asBoolean()).isTrue();
        assertThat(skip.body().path("device_errors").isEmpty()).isTrue();
        Response nobody = admin.post("/check_push", json("user_id", "nobody"));
        assertThat(nobody.body().path("code").asInt()).isEqualTo(16);
    }

    @Test
    void aWebhookProviderGetsOneSignedPostPerMessageNamingTheReceivers() throws Exception {
        try (dev.parley.server.testing.WebhookReceiver hook = dev.parley.server.testing.WebhookReceiver.start()) {
            upsert(json("type", "webhook", "name", "backend", "webhook_url", hook.url()));
            String channel = channel("apn");

            String id = send(channel, "to the backend");

            dev.parley.server.testing.WebhookReceiver.Request r = hook.next("push.message.new");
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(
                    TestServer.API_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(r.header("X-Signature"))
                    .isEqualTo(java.util.HexFormat.of().formatHex(mac.doFinal(r.body())));
            JsonNode e = r.json();
            assertThat(e.path("message").path("id").asText()).isEqualTo(id);
            List<String> receivers = new java.util.ArrayList<>();
            e.path("receivers")
                    .forEach(x -> receivers.add(x.path("user").path("id").asText()));
            assertThat(receivers).containsExactlyInAnyOrder("bob", "cat");
            assertThat(e.path("receivers")
                            .get(0)
                            .path("devices")
                            .get(0)
                            .path("push_provider")
                            .asText())
                    .isEqualTo("apn");
        }
    }
}
