package dev.parley.server.push;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.jknack.handlebars.Context;
import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.context.MapValueResolver;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Push payload templates (PROTOCOL.md §16.4): Handlebars templates that render JSON. A value put with
 * {@code {{ x }}} is escaped for a JSON string (so a message's quotes or newlines cannot break the payload);
 * {@code {{{ x }}}} puts it as it is. Helpers: {@code truncate text n}, {@code json value} and
 * {@code implodeMembers members}. The rendered text must be a JSON object. Compiled templates are kept, at
 * most {@value #MAX_KEPT}. Thread-safe.
 */
public final class PushTemplates {
    static final int MAX_KEPT = 256;

    /** Most characters of a template. */
    public static final int MAX_TEMPLATE_CHARS = 16 * 1024;

    private static final String TITLE = "{{ sender.name }}{{#if channel.name}} @ {{ channel.name }}{{/if}}";

    /** The APNs payload when the provider sets none. */
    public static final String DEFAULT_APN = "{\"aps\":{\"alert\":{\"title\":\"" + TITLE
            + "\",\"body\":\"{{ truncate message.text 2000 }}\"},\"badge\":{{ unread_count }},"
            + "\"sound\":\"default\",\"mutable-content\":1,\"category\":\"stream.chat\"},"
            + "\"stream\":{\"sender\":\"stream.chat\",\"type\":\"{{ event_type }}\",\"version\":\"v2\","
            + "\"id\":\"{{ message.id }}\",\"cid\":\"{{ channel.cid }}\",\"receiver_id\":\"{{ receiver.id }}\"}}";

    /** Firebase's {@code notification} when the provider sets none. */
    public static final String DEFAULT_FIREBASE_NOTIFICATION =
            "{\"title\":\"" + TITLE + "\",\"body\":\"{{ truncate message.text 2000 }}\"}";

    /** Firebase's {@code data} when the provider sets none. */
    public static final String DEFAULT_FIREBASE_DATA =
            "{\"sender\":\"stream.chat\",\"type\":\"{{ event_type }}\",\"version\":\"v2\","
                    + "\"id\":\"{{ message.id }}\",\"channel_type\":\"{{ channel.type }}\","
                    + "\"channel_id\":\"{{ channel.id }}\",\"cid\":\"{{ channel.cid }}\","
                    + "\"receiver_id\":\"{{ receiver.id }}\"}";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Handlebars handlebars;
    private final Map<String, Template> compiled = new ConcurrentHashMap<>();

    public PushTemplates() {
        EscapingStrategy json = value -> {
            if (value == null) {
                return "";
            }
            return new String(JsonStringEncoder.getInstance().quoteAsString(value.toString()));
        };
        this.handlebars = new Handlebars().with(json).prettyPrint(false);
        handlebars.registerHelper("truncate", (Object text, com.github.jknack.handlebars.Options options) -> {
            String s = text == null ? "" : text.toString();
            int n = options.param(0, 2000) instanceof Number num ? num.intValue() : 2000;
            if (n < 0 || s.codePointCount(0, s.length()) <= n) {
                return s;
            }
            return s.substring(0, s.offsetByCodePoints(0, n)) + "...";
        });
        handlebars.registerHelper(
                "json",
                (Object value, com.github.jknack.handlebars.Options options) ->
                        new Handlebars.SafeString(Json.mapper().writeValueAsString(value)));
        handlebars.registerHelper("implodeMembers", (Object value, com.github.jknack.handlebars.Options options) -> {
            List<String> names = new ArrayList<>();
            if (value instanceof List<?> list) {
                for (Object m : list) {
                    if (m instanceof Map<?, ?> user) {
                        Object name = user.get("name") != null ? user.get("name") : user.get("id");
                        if (name != null) {
                            names.add(name.toString());
                        }
                    }
                }
            }
            return String.join(", ", names);
        });
    }

    /**
     * Renders {@code template} with {@code context}.
     *
     * @throws ChatException code 4 when the template does not compile or its result is not a JSON object
     */
    public ObjectNode render(String template, ObjectNode context) {
        Template t = compile(template);
        Map<String, Object> model = Json.mapper().convertValue(context, MAP);
        String text;
        try {
            text = t.apply(Context.newBuilder(model)
                    .resolver(MapValueResolver.INSTANCE)
                    .build());
        } catch (IOException | RuntimeException e) {
            throw ChatException.input("push template: " + e.getMessage());
        }
        JsonNode out;
        try {
            out = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw ChatException.input("push template: the rendered payload is not JSON: " + shorten(text));
        }
        if (!(out instanceof ObjectNode o)) {
            throw ChatException.input("push template: the rendered payload is not a JSON object: " + shorten(text));
        }
        return o;
    }

    /** Checks that a template compiles (a provider's or {@code /check_push}'s); code 4 naming {@code field}. */
    public void check(String field, String template) {
        if (template.length() > MAX_TEMPLATE_CHARS) {
            throw ChatException.input(field + " is longer than " + MAX_TEMPLATE_CHARS + " characters");
        }
        try {
            compile(template);
        } catch (ChatException e) {
            throw ChatException.input(field + ": " + e.getMessage());
        }
    }

    private Template compile(String template) {
        Template t = compiled.get(template);
        if (t != null) {
            return t;
        }
        try {
            t = handlebars.compileInline(template);
        } catch (IOException | RuntimeException e) {
            throw ChatException.input("the template does not compile: " + e.getMessage());
        }
        if (compiled.size() >= MAX_KEPT) {
            compiled.clear();
        }
        compiled.put(template, t);
        return t;
    }

    private static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
