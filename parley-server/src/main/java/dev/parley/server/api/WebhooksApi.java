package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.hooks.Webhooks;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /hook/events} (PROTOCOL.md §15.1) and the operator's webhook endpoints under
 * {@code /parley/webhooks} (§15.3): health, the dead letters, retrying and discarding them. The operator's
 * endpoints need the API key and a server token or an admin session token ({@link OperatorAccess}).
 */
final class WebhooksApi {
    /** Most ids in one retry or discard. */
    static final int MAX_IDS = 1000;

    private final Webhooks webhooks;
    private final OperatorAccess operator;

    WebhooksApi(Webhooks webhooks, OperatorAccess operator) {
        this.webhooks = requireNonNull(webhooks, "webhooks");
        this.operator = requireNonNull(operator, "operator");
    }

    void register(Router router) {
        router.add("GET", "/hook/events", ctx -> Webhooks.hookEvents());
        router.addOpen("GET", "/parley/webhooks", ctx -> operator.run(ctx, c -> webhooks.health()));
        router.addOpen("GET", "/parley/webhooks/dead_letters", ctx -> operator.run(ctx, this::deadLetters));
        router.addOpen(
                "POST",
                "/parley/webhooks/dead_letters/retry",
                ctx -> operator.run(ctx, c -> Json.object().put("retried", webhooks.retry(ids(c)))));
        router.addOpen(
                "POST",
                "/parley/webhooks/dead_letters/discard",
                ctx -> operator.run(ctx, c -> Json.object().put("discarded", webhooks.discard(ids(c)))));
    }

    private ObjectNode deadLetters(RequestContext ctx) {
        int limit = OpsApi.intParam(ctx, "limit", 100, 1, Webhooks.MAX_PAGE);
        int after = OpsApi.intParam(ctx, "after", 0, 0, Integer.MAX_VALUE);
        return webhooks.deadLetters(after, limit);
    }

    /** The body's {@code ids}: a list of dead-letter ids, or null (absent) for every dead letter. */
    private static @Nullable List<Long> ids(RequestContext ctx) {
        JsonNode ids = ctx.body().get("ids");
        if (ids == null || ids.isNull()) {
            return null;
        }
        if (!ids.isArray() || ids.size() > MAX_IDS) {
            throw ChatException.input(ctx.endpoint() + " failed with error: \"ids: a list of at most " + MAX_IDS
                    + " dead-letter ids, or absent for all\"");
        }
        List<Long> out = new ArrayList<>();
        for (JsonNode id : ids) {
            out.add(id(ctx, id));
        }
        return out;
    }

    /** A dead letter's id, as a number or as the string of one. */
    private static long id(RequestContext ctx, JsonNode id) {
        if (id.isIntegralNumber() && id.canConvertToLong()) {
            return id.asLong();
        }
        if (id.isTextual() && id.asText().matches("[0-9]{1,18}")) {
            return Long.parseLong(id.asText());
        }
        throw ChatException.input(ctx.endpoint() + " failed with error: \"ids: " + id + " is not an id\"");
    }
}
