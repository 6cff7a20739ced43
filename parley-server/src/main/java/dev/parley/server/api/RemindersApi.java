package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.server.reminders.Reminders;

/** Message reminders and saved-for-later messages (PROTOCOL.md §7.23). */
final class RemindersApi {
    private final Reminders reminders;
    private final ChatActors actors;

    RemindersApi(Reminders reminders, ChatActors actors) {
        this.reminders = requireNonNull(reminders, "reminders");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add(
                "POST",
                "/messages/{id}/reminders",
                ctx -> reminders.create(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "PATCH",
                "/messages/{id}/reminders",
                ctx -> reminders.update(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add("DELETE", "/messages/{id}/reminders", ctx -> reminders.delete(actors.of(ctx), ctx.pathParam("id")));
        router.add("POST", "/reminders/query", ctx -> reminders.query(actors.of(ctx), ctx.body()));
    }
}
