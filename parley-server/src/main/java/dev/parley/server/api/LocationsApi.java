package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.server.messages.SharedLocations;

/** Live locations (PROTOCOL.md §7.24): the caller's active ones, and updating or ending one. */
final class LocationsApi {
    private final SharedLocations locations;
    private final ChatActors actors;

    LocationsApi(SharedLocations locations, ChatActors actors) {
        this.locations = requireNonNull(locations, "locations");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("GET", "/users/live_locations", ctx -> locations.live(actors.of(ctx)));
        router.add("PUT", "/users/live_locations", ctx -> locations.update(actors.of(ctx), ctx.body()));
    }
}
