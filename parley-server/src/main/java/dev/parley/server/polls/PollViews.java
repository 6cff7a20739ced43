package dev.parley.server.polls;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.store.PollStore;
import dev.parley.server.store.PollStore.OptionRow;
import dev.parley.server.store.PollStore.PollRow;
import dev.parley.server.store.PollStore.Tally;
import dev.parley.server.store.PollStore.VoteRow;
import dev.parley.server.users.UserService;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Polls as one reader sees them (PROTOCOL.md §7.21): fields, options, counts, the latest votes and answers, and
 * the reader's own votes; voters are left out of anonymous polls, except from a reader's own votes. Five store
 * reads for any number of polls. Thread-safe; blocking.
 */
final class PollViews {
    /** Latest votes kept per option, and latest answers, in a poll's view. */
    static final int LATEST = 10;

    private final PollStore store;
    private final UserService users;

    PollViews(PollStore store, UserService users) {
        this.store = requireNonNull(store, "store");
        this.users = requireNonNull(users, "users");
    }

    /** The polls among {@code ids} that exist, as {@code viewerId} sees them (null: no own votes), by id. */
    Map<String, ObjectNode> of(Collection<String> ids, @Nullable String viewerId) {
        Map<String, PollRow> polls = store.polls(ids);
        if (polls.isEmpty()) {
            return Map.of();
        }
        Map<String, List<OptionRow>> options = store.options(polls.keySet());
        Map<String, Tally> tallies = store.tallies(polls.keySet());
        Map<String, List<VoteRow>> latest = store.latestVotes(polls.keySet(), LATEST);
        Map<String, List<VoteRow>> own = viewerId == null ? Map.of() : store.votesOf(polls.keySet(), viewerId);
        Set<String> userIds = new HashSet<>();
        polls.values().forEach(p -> userIds.add(p.createdById()));
        latest.forEach((id, votes) -> {
            PollRow p = polls.get(id);
            if (p != null && !p.anonymous()) {
                votes.forEach(v -> userIds.add(v.userId()));
            }
        });
        if (viewerId != null) {
            userIds.add(viewerId);
        }
        Map<String, User> byId = users.findAll(userIds);
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (PollRow p : polls.values()) {
            out.put(
                    p.id(),
                    poll(
                            p,
                            options.getOrDefault(p.id(), List.of()),
                            tallies.getOrDefault(p.id(), Tally.EMPTY),
                            latest.getOrDefault(p.id(), List.of()),
                            own.getOrDefault(p.id(), List.of()),
                            byId));
        }
        return out;
    }

    private static ObjectNode poll(
            PollRow p,
            List<OptionRow> options,
            Tally tally,
            List<VoteRow> latest,
            List<VoteRow> own,
            Map<String, User> users) {
        ObjectNode o = p.doc().deepCopy(); // description and custom fields first, the server's fields over them
        o.put("id", p.id());
        o.put("name", p.name());
        o.put("voting_visibility", p.votingVisibility());
        o.put("enforce_unique_vote", p.enforceUniqueVote());
        o.put("max_votes_allowed", p.maxVotesAllowed() == null ? 0 : p.maxVotesAllowed());
        o.put("allow_user_suggested_options", p.allowUserSuggestedOptions());
        o.put("allow_answers", p.allowAnswers());
        o.put("is_closed", p.closed());
        ArrayNode opts = o.putArray("options");
        ObjectNode counts = o.putObject("vote_counts_by_option");
        ObjectNode latestByOption = o.putObject("latest_votes_by_option");
        for (OptionRow opt : options) {
            opts.add(option(opt));
            counts.put(opt.id(), tally.byOption().getOrDefault(opt.id(), 0));
        }
        o.put("vote_count", tally.votes());
        o.put("answers_count", tally.answers());
        ArrayNode answers = o.putArray("latest_answers");
        for (VoteRow v : latest) {
            if (v.answer()) {
                answers.add(vote(v, p.anonymous() ? null : users));
            } else if (!p.anonymous() && v.optionId() != null) {
                ArrayNode list = latestByOption.has(v.optionId())
                        ? (ArrayNode) latestByOption.get(v.optionId())
                        : latestByOption.putArray(v.optionId());
                list.add(vote(v, users));
            }
        }
        ArrayNode mine = o.putArray("own_votes");
        own.forEach(v -> mine.add(vote(v, users)));
        o.put("created_by_id", p.createdById());
        User creator = users.get(p.createdById());
        o.set("created_by", creator == null ? null : creator.toJson());
        o.put("created_at", Timestamps.format(p.createdAt()));
        o.put("updated_at", Timestamps.format(p.updatedAt()));
        return o;
    }

    /** An option as {@code poll.options} and {@code poll_option} show it: its custom fields, then id and text. */
    static ObjectNode option(OptionRow opt) {
        ObjectNode o = opt.custom().deepCopy();
        o.put("id", opt.id());
        o.put("text", opt.text());
        o.put("position", opt.position());
        return o;
    }

    /** A vote or an answer; without its voter when {@code users} is null (an anonymous poll). */
    static ObjectNode vote(VoteRow v, @Nullable Map<String, User> users) {
        ObjectNode o = Json.object();
        o.put("id", v.id());
        o.put("poll_id", v.pollId());
        if (v.answer()) {
            o.put("answer_text", v.answerText());
            o.put("is_answer", true);
        } else {
            o.put("option_id", v.optionId());
        }
        if (users != null) {
            o.put("user_id", v.userId());
            User u = users.get(v.userId());
            if (u != null) {
                o.set("user", u.toJson());
            }
        }
        o.put("created_at", Timestamps.format(v.createdAt()));
        o.put("updated_at", Timestamps.format(v.updatedAt()));
        return o;
    }
}
