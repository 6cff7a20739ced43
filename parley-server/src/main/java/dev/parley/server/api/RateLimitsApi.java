package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.ratelimit.Platform;
import dev.parley.server.ratelimit.RateLimits;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code GET /rate_limits}: the app's quota and usage per platform and endpoint, for server tokens only.
 * Query parameters {@code server_side} (or {@code serverSide}), {@code android}, {@code ios} and {@code web}
 * pick platforms (none picked: all four); {@code endpoints} is a comma-separated list of endpoint names.
 */
final class RateLimitsApi {
    private final RateLimits rateLimits;

    RateLimitsApi(RateLimits rateLimits) {
        this.rateLimits = requireNonNull(rateLimits, "rateLimits");
    }

    void register(Router router) {
        router.add("GET", "/rate_limits", this::get);
    }

    private ObjectNode get(RequestContext ctx) {
        ctx.requireServer();
        Set<Platform> platforms = EnumSet.noneOf(Platform.class);
        if (flag(ctx, "server_side") || flag(ctx, "serverSide")) {
            platforms.add(Platform.SERVER_SIDE);
        }
        for (Platform p : new Platform[] {Platform.ANDROID, Platform.IOS, Platform.WEB}) {
            if (flag(ctx, p.wire())) {
                platforms.add(p);
            }
        }
        if (platforms.isEmpty()) {
            platforms = EnumSet.allOf(Platform.class);
        }
        Set<String> endpoints = new LinkedHashSet<>();
        String e = ctx.param("endpoints");
        if (e != null) {
            Arrays.stream(e.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(endpoints::add);
        }
        return rateLimits.report(platforms, endpoints);
    }

    private static boolean flag(RequestContext ctx, String name) {
        String v = ctx.param(name);
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }
}
