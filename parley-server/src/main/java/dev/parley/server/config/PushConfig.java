package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import java.net.URI;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Push settings (PROTOCOL.md §16): the app's push providers of {@code /push_providers}, {@code push_config} of
 * {@code PATCH /app}, and which channel types send push. The providers live in the settings document under
 * {@value #PROVIDERS} (keyed {@code type:name}, secrets included) and the channel types' switches under
 * {@value #TYPE_PUSH}; neither is shown by {@code GET /app} as stored nor settable through {@code PATCH /app}.
 */
public final class PushConfig {
    static final String PROVIDERS = "push_providers";
    static final String TYPE_PUSH = "channel_type_push";
    static final String PUSH_CONFIG = "push_config";

    /** Most push providers of an app. */
    public static final int MAX_PROVIDERS = 25;

    /** The provider types this server sends to. */
    public static final Set<String> TYPES = Set.of("apn", "firebase", "webhook");

    /** Provider types a device may name that no provider of this server serves. */
    static final Set<String> NOT_BUILT = Set.of("huawei", "xiaomi");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /** Fields holding key material: stored, used, and never shown again. */
    static final Set<String> SECRETS = Set.of("apn_auth_key", "firebase_credentials");

    private static final Set<String> COMMON = Set.of("type", "name", "description", "disabled_at", "disabled_reason");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "apn",
            Set.of(
                    "apn_auth_type",
                    "apn_auth_key",
                    "apn_key_id",
                    "apn_team_id",
                    "apn_topic",
                    "apn_development",
                    "apn_host",
                    "apn_notification_template"),
            "firebase",
            Set.of(
                    "firebase_credentials",
                    "firebase_notification_template",
                    "firebase_data_template",
                    "firebase_apn_template",
                    "firebase_host"),
            "webhook",
            Set.of("webhook_url"));

    private PushConfig() {}

    /** A push provider as stored: its type, its name and all its fields (secrets included). */
    public record Provider(String type, String name, ObjectNode fields) {
        /** Whether it sends: no {@code disabled_at} is set. */
        public boolean enabled() {
            JsonNode d = fields.get("disabled_at");
            return d == null || d.isNull() || d.asText().isEmpty();
        }

        public String text(String field) {
            return fields.path(field).asText("");
        }
    }

    /** The app's providers, in the order of their keys. */
    public static List<Provider> providers(ObjectNode doc) {
        List<Provider> out = new ArrayList<>();
        JsonNode all = doc.get(PROVIDERS);
        if (all instanceof ObjectNode o) {
            java.util.List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            new TreeSet<>(keys).forEach(k -> {
                ObjectNode p = (ObjectNode) o.get(k);
                out.add(new Provider(p.path("type").asText(), p.path("name").asText(), p));
            });
        }
        return out;
    }

    /** The provider a device of {@code type} names ({@code name}, or the first enabled of its type), or null. */
    public static @Nullable Provider providerFor(List<Provider> providers, String type, @Nullable String name) {
        for (Provider p : providers) {
            if (p.enabled()
                    && p.type().equals(type)
                    && (name == null || name.isEmpty() || p.name().equals(name))) {
                return p;
            }
        }
        return null;
    }

    /** Whether the app sends push at all for messages of a channel type (default: yes). */
    public static boolean typePush(ObjectNode doc, String type) {
        return doc.path(TYPE_PUSH).path(type).asBoolean(true);
    }

    /** Sets a channel type's push switch in {@code doc}. */
    public static void setTypePush(ObjectNode doc, String type, boolean on) {
        JsonNode n = doc.get(TYPE_PUSH);
        ObjectNode m = n instanceof ObjectNode o ? o : doc.putObject(TYPE_PUSH);
        m.put(type, on);
    }

    /** {@code push_config.offline_only}: push only to users with no socket at all (else: to those not watching). */
    public static boolean offlineOnly(ObjectNode doc) {
        return doc.path(PUSH_CONFIG).path("offline_only").asBoolean(false);
    }

    /** Checks a {@code push_config} of {@code PATCH /app}: {@code version} and {@code offline_only} only. */
    static JsonNode checkPushConfig(JsonNode v) {
        if (!(v instanceof ObjectNode o)) {
            throw ChatException.input("UpdateApp failed with error: \"push_config must be an object\"");
        }
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            switch (e.getKey()) {
                case "offline_only" -> {
                    if (!e.getValue().isBoolean()) {
                        throw ChatException.input(
                                "UpdateApp failed with error: \"push_config.offline_only must be a boolean\"");
                    }
                    out.set("offline_only", e.getValue());
                }
                case "version" -> {
                    String ver = e.getValue().asText("");
                    if (!Set.of("v1", "v2", "v3").contains(ver)) {
                        throw ChatException.input(
                                "UpdateApp failed with error: \"push_config.version must be v1, v2 or v3\"");
                    }
                    out.put("version", ver);
                }
                default ->
                    throw ChatException.input("UpdateApp failed with error: \"push_config." + e.getKey()
                            + " is not a setting this server acts on\"");
            }
        }
        return out;
    }

    /** {@code push_notifications} of {@code GET /app}: the push settings and the providers without their keys. */
    public static ObjectNode notificationsJson(ObjectNode doc) {
        ObjectNode out = Json.object();
        out.put("version", doc.path(PUSH_CONFIG).path("version").asText("v3"));
        out.put("offline_only", offlineOnly(doc));
        ArrayNode list = out.putArray("providers");
        providers(doc).forEach(p -> list.add(view(p)));
        return out;
    }

    /** A provider as shown: every field but its key material. */
    public static ObjectNode view(Provider p) {
        ObjectNode o = p.fields().deepCopy();
        SECRETS.forEach(o::remove);
        return o;
    }

    /**
     * {@code POST /push_providers}: adds the provider or changes the one of the same type and name (fields not
     * sent keep their value). Answers the stored provider's view.
     *
     * @throws ChatException code 4 naming the field when a field is unknown, of the wrong type or unusable (a key
     *     that does not parse, credentials without their fields), or the type is one this server does not send to
     */
    public static ObjectNode upsert(ObjectNode doc, JsonNode body, Instant now) {
        if (!(body instanceof ObjectNode b)) {
            throw input("push_provider is required and must be an object");
        }
        String type = b.path("type").asText("");
        if (NOT_BUILT.contains(type)) {
            throw input("push_provider.type: this server does not send to " + type
                    + " (it sends to apn, firebase and webhook)");
        }
        if (!TYPES.contains(type)) {
            throw input("push_provider.type must be one of apn, firebase, webhook");
        }
        String name = b.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw input("push_provider.name must be 1 to 64 letters, digits, '_', '.', ':' or '-'");
        }
        ObjectNode all = doc.get(PROVIDERS) instanceof ObjectNode o ? o : doc.putObject(PROVIDERS);
        String key = type + ":" + name;
        ObjectNode before = all.get(key) instanceof ObjectNode o ? o : null;
        if (before == null && all.size() >= MAX_PROVIDERS) {
            throw input("an app has at most " + MAX_PROVIDERS + " push providers");
        }
        ObjectNode p = before == null ? Json.object() : before.deepCopy();
        Set<String> allowed = FIELDS.getOrDefault(type, Set.of());
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            String f = e.getKey();
            JsonNode v = e.getValue();
            if (!COMMON.contains(f) && !allowed.contains(f)) {
                if (v.isNull() || (v.isTextual() && v.asText().isEmpty()) || (v.isBoolean() && !v.asBoolean())) {
                    continue; // an empty field of another type, as SDKs send them
                }
                throw input("push_provider." + f + " is not a field of a " + type
                        + " provider on this server (refused rather than stored and ignored)");
            }
            p.set(f, checkField(f, v));
        }
        p.put("type", type);
        p.put("name", name);
        p.put(
                "created_at",
                before == null
                        ? Timestamps.format(now)
                        : before.path("created_at").asText());
        p.put("updated_at", Timestamps.format(now));
        requireComplete(new Provider(type, name, p));
        all.set(key, p);
        return view(new Provider(type, name, p));
    }

    /** {@code DELETE /push_providers/{type}/{name}}; code 16 when there is no such provider. */
    public static void delete(ObjectNode doc, String type, String name) {
        JsonNode all = doc.get(PROVIDERS);
        if (!(all instanceof ObjectNode o) || o.remove(type + ":" + name) == null) {
            throw ChatException.notFound("push provider '" + type + "/" + name + "' does not exist");
        }
    }

    private static JsonNode checkField(String f, JsonNode v) {
        switch (f) {
            case "apn_development" -> {
                if (!v.isBoolean()) {
                    throw input("push_provider.apn_development must be a boolean");
                }
                return v;
            }
            case "disabled_at" -> {
                if (v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
                    return Json.mapper().nullNode();
                }
                if (!v.isTextual()) {
                    throw input("push_provider.disabled_at must be a timestamp or null");
                }
                return Json.mapper()
                        .getNodeFactory()
                        .textNode(Timestamps.format(Timestamps.parse(v.asText(), "push_provider.disabled_at")));
            }
            case "apn_auth_type" -> {
                if (!v.asText("").equals("token")) {
                    throw input("push_provider.apn_auth_type: this server signs with a .p8 key ('token');"
                            + " certificates are not supported");
                }
                return v;
            }
            case "apn_host", "firebase_host" -> {
                String u = v.asText("");
                URI uri;
                try {
                    uri = URI.create(u);
                } catch (IllegalArgumentException e) {
                    throw input("push_provider." + f + " must be an https URL");
                }
                if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getUserInfo() != null) {
                    throw input("push_provider." + f + " must be an https URL");
                }
                return v;
            }
            case "webhook_url" -> {
                return HookConfig.checkUrl("push_provider.webhook_url", v);
            }
            case "apn_auth_key" -> {
                parseKey(v.asText(""), "EC", "push_provider.apn_auth_key");
                return v;
            }
            case "firebase_credentials" -> {
                serviceAccount(v.asText(""));
                return v;
            }
            default -> {
                if (!v.isTextual() && !v.isNull()) {
                    throw input("push_provider." + f + " must be a string");
                }
                return v;
            }
        }
    }

    private static void requireComplete(Provider p) {
        List<String> missing = new ArrayList<>();
        switch (p.type()) {
            case "apn" ->
                List.of("apn_auth_key", "apn_key_id", "apn_team_id", "apn_topic")
                        .forEach(f -> {
                            if (p.text(f).isEmpty()) {
                                missing.add(f);
                            }
                        });
            case "firebase" -> {
                if (p.text("firebase_credentials").isEmpty()) {
                    missing.add("firebase_credentials");
                }
            }
            default -> {
                if (p.text("webhook_url").isEmpty()) {
                    missing.add("webhook_url");
                }
            }
        }
        if (!missing.isEmpty()) {
            throw input("a " + p.type() + " provider needs " + String.join(", ", missing));
        }
    }

    /** A Firebase service account: what signs the OAuth assertion and where the token is asked for. */
    public record ServiceAccount(String projectId, String clientEmail, RSAPrivateKey key, URI tokenUri) {}

    /**
     * Reads a service account's JSON ({@code firebase_credentials}).
     *
     * @throws ChatException code 4 naming what is missing or unreadable
     */
    public static ServiceAccount serviceAccount(String json) {
        JsonNode c;
        try {
            c = Json.mapper().readTree(json);
        } catch (Exception e) {
            throw input("push_provider.firebase_credentials must be a service account's JSON");
        }
        if (c == null || !c.isObject()) {
            throw input("push_provider.firebase_credentials must be a service account's JSON");
        }
        for (String f : List.of("project_id", "client_email", "private_key")) {
            if (c.path(f).asText("").isEmpty()) {
                throw input("push_provider.firebase_credentials has no " + f);
            }
        }
        String token = c.path("token_uri").asText("https://oauth2.googleapis.com/token");
        URI tokenUri;
        try {
            tokenUri = URI.create(token);
        } catch (IllegalArgumentException e) {
            throw input("push_provider.firebase_credentials.token_uri must be an https URL");
        }
        if (!"https".equals(tokenUri.getScheme()) || tokenUri.getHost() == null) {
            throw input("push_provider.firebase_credentials.token_uri must be an https URL");
        }
        RSAPrivateKey key = (RSAPrivateKey)
                parseKey(c.get("private_key").asText(), "RSA", "push_provider.firebase_credentials.private_key");
        return new ServiceAccount(
                c.get("project_id").asText(), c.get("client_email").asText(), key, tokenUri);
    }

    /** An APNs signing key (the {@code .p8} file's text). */
    public static ECPrivateKey apnKey(String pem) {
        return (ECPrivateKey) parseKey(pem, "EC", "push_provider.apn_auth_key");
    }

    /** A PKCS #8 private key in PEM of {@code algorithm} (EC or RSA); code 4 naming {@code field} if it is not. */
    static PrivateKey parseKey(String pem, String algorithm, String field) {
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        if (body.isEmpty()) {
            throw input(field + " must be a PKCS #8 private key in PEM (-----BEGIN PRIVATE KEY-----)");
        }
        try {
            byte[] der = Base64.getDecoder().decode(body);
            PrivateKey k = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            if (k instanceof ECPrivateKey ec
                    && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw input(field + " must be a P-256 key (ES256)");
            }
            return k;
        } catch (IllegalArgumentException | InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
            throw input(
                    field + " must be a PKCS #8 " + algorithm + " private key in PEM (-----BEGIN PRIVATE KEY-----)");
        }
    }

    private static ChatException input(String message) {
        return ChatException.input(message);
    }
}
