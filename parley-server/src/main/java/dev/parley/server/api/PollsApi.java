package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.server.polls.PollService;

/**
 * Polls (PROTOCOL.md §7.21): the poll, option and vote routes of {@code stream-chat}'s client, each acting as the
 * caller (a server-side caller names the user with {@code user_id}).
 */
final class PollsApi {
    private final PollService polls;
    private final ChatActors actors;

    PollsApi(PollService polls, ChatActors actors) {
        this.polls = requireNonNull(polls, "polls");
        this.actors = requireNonNull(actors, "actors");
    }

    void register(Router router) {
        router.add("POST", "/polls", ctx -> polls.create(actors.of(ctx), ctx.body()));
        router.add("PUT", "/polls", ctx -> polls.replace(actors.of(ctx), ctx.body()));
        router.add("POST", "/polls/query", ctx -> polls.query(actors.of(ctx), ctx.body()));
        router.add("GET", "/polls/{id}", ctx -> polls.get(actors.of(ctx), ctx.pathParam("id")));
        router.add("PATCH", "/polls/{id}", ctx -> polls.partialUpdate(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add("DELETE", "/polls/{id}", ctx -> polls.delete(actors.of(ctx), ctx.pathParam("id")));
        router.add(
                "POST",
                "/polls/{id}/options",
                ctx -> polls.createOption(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "PUT",
                "/polls/{id}/options",
                ctx -> polls.updateOption(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "GET",
                "/polls/{id}/options/{option_id}",
                ctx -> polls.getOption(actors.of(ctx), ctx.pathParam("id"), ctx.pathParam("option_id")));
        router.add(
                "DELETE",
                "/polls/{id}/options/{option_id}",
                ctx -> polls.deleteOption(actors.of(ctx), ctx.pathParam("id"), ctx.pathParam("option_id")));
        router.add(
                "POST", "/polls/{id}/votes", ctx -> polls.queryVotes(actors.of(ctx), ctx.pathParam("id"), ctx.body()));
        router.add(
                "POST",
                "/messages/{id}/polls/{poll_id}/vote",
                ctx -> polls.castVote(actors.of(ctx), ctx.pathParam("id"), ctx.pathParam("poll_id"), ctx.body()));
        router.add(
                "DELETE",
                "/messages/{id}/polls/{poll_id}/vote/{vote_id}",
                ctx -> polls.removeVote(
                        actors.of(ctx), ctx.pathParam("id"), ctx.pathParam("poll_id"), ctx.pathParam("vote_id")));
    }
}
