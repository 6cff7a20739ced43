package dev.parley.server.polls;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.ChannelViews;
import dev.parley.server.chat.Permissions;
import dev.parley.server.events.Audience;
import dev.parley.server.events.EventPublisher;
import dev.parley.server.filter.Cursor;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.PollStore;
import dev.parley.server.store.PollStore.OptionRow;
import dev.parley.server.store.PollStore.PollRow;
import dev.parley.server.store.PollStore.VoteChange;
import dev.parley.server.store.PollStore.VoteRow;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Polls (PROTOCOL.md §7.21): a user makes a poll, sends it with a message in a channel whose type has
 * {@code polls} on, and the channel's members vote on its options or answer it; {@code poll.*} events reach the
 * channel's watchers. Before it is sent a poll is its creator's alone. Its creator, an admin or a moderator may
 * change, close or delete it. Thread-safe; blocking.
 */
public final class PollService {
    /** Most options of one poll. */
    static final int MAX_OPTIONS = 100;

    /** Highest {@code max_votes_allowed}; 0 or absent means no limit. */
    static final int MAX_VOTES_ALLOWED = 10;

    static final int MAX_NAME = 255;
    static final int MAX_TEXT = 1_000;
    static final int MAX_QUERY_LIMIT = 100;

    /** Fields of a poll the server keeps in columns; anything else a client sends is a custom field. */
    private static final Set<String> FIELDS = Set.of(
            "id",
            "name",
            "voting_visibility",
            "enforce_unique_vote",
            "max_votes_allowed",
            "allow_answers",
            "allow_user_suggested_options",
            "is_closed",
            "options",
            "user_id",
            "user",
            "created_by",
            "created_by_id",
            "created_at",
            "updated_at",
            "vote_count",
            "vote_counts_by_option",
            "answers_count",
            "latest_votes_by_option",
            "latest_answers",
            "own_votes");

    private static final Set<String> OPTION_FIELDS =
            Set.of("id", "text", "position", "user_id", "poll_id", "vote_count", "votes", "created_at", "updated_at");

    private final PollStore store;
    private final ChatStore chat;
    private final ChannelAccess access;
    private final UserService users;
    private final EventPublisher events;
    private final Clock clock;
    private final PollViews views;

    public PollService(
            PollStore store,
            ChatStore chat,
            ChannelAccess access,
            UserService users,
            EventPublisher events,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.views = new PollViews(store, users);
    }

    // ---- polls

    /** {@code POST /polls}: a new poll of the caller (a server-side caller names it with {@code user_id}). */
    public ObjectNode create(Actor actor, ObjectNode body) {
        User creator = acting(actor, "CreatePoll");
        Instant now = clock.instant();
        String id = body.path("id").isTextual() && !body.get("id").asText().isEmpty()
                ? UserRules.checkId(body.get("id").asText(), "id")
                : UUID.randomUUID().toString();
        PollRow poll = fields(id, creator.id(), body, null, now, now);
        List<OptionRow> options = options(id, body.get("options"), List.of(), now);
        if (!store.create(poll, options)) {
            throw ChatException.input("CreatePoll failed with error: \"a poll with id '" + id + "' exists\"");
        }
        return wrap("poll", view(id, creator.id()));
    }

    /** {@code GET /polls/{id}}. */
    public ObjectNode get(Actor actor, String id) {
        PollRow p = readable(actor, id, "GetPoll");
        return wrap("poll", view(p.id(), actor.userId()));
    }

    /** {@code PUT /polls}: replaces the poll's fields and, when sent, its options. */
    public ObjectNode replace(Actor actor, ObjectNode body) {
        if (!body.path("id").isTextual()) {
            throw ChatException.input("UpdatePoll failed with error: \"id is required\"");
        }
        PollRow p = changeable(actor, body.get("id").asText(), "UpdatePoll");
        Instant now = clock.instant();
        PollRow next = fields(p.id(), p.createdById(), body, p, p.createdAt(), now);
        List<OptionRow> options =
                body.has("options") ? options(p.id(), body.get("options"), current(p.id()), now) : null;
        if (!store.update(next, options)) {
            throw gone(p.id());
        }
        return changed(actor, p, next);
    }

    /** {@code PATCH /polls/{id}}: {@code set} and {@code unset} of the poll's fields; closing is one of them. */
    public ObjectNode partialUpdate(Actor actor, String id, ObjectNode body) {
        PollRow p = changeable(actor, id, "UpdatePollPartial");
        JsonNode set = body.path("set");
        JsonNode unset = body.path("unset");
        if (!set.isMissingNode() && !set.isObject() || !unset.isMissingNode() && !unset.isArray()) {
            throw ChatException.input(
                    "UpdatePollPartial failed with error: \"set must be an object and unset an array of names\"");
        }
        if (set.has("options") || set.has("id")) {
            throw ChatException.input(
                    "UpdatePollPartial failed with error: \"id and options cannot be set; use the option routes\"");
        }
        ObjectNode merged = sent(p);
        if (set.isObject()) {
            set.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
        }
        for (JsonNode name : unset) {
            if (!name.isTextual()
                    || name.asText().equals("name")
                    || name.asText().equals("id")) {
                throw ChatException.input(
                        "UpdatePollPartial failed with error: \"unset: " + name + " cannot be unset\"");
            }
            merged.remove(name.asText());
        }
        PollRow next = fields(p.id(), p.createdById(), merged, p, p.createdAt(), clock.instant());
        if (!store.update(next, null)) {
            throw gone(p.id());
        }
        return changed(actor, p, next);
    }

    /**
     * {@code DELETE /polls/{id}}: the poll, its options and votes; a message that carried it shows none, and the
     * channel's watchers get {@code poll.deleted}.
     */
    public ObjectNode delete(Actor actor, String id) {
        PollRow p = changeable(actor, id, "DeletePoll");
        ObjectNode last = views.of(List.of(p.id()), null).get(p.id());
        store.delete(p.id());
        String cid = p.cid();
        if (last != null && cid != null) {
            chat.findChannel(cid).ifPresent(ch -> {
                ObjectNode e = ChannelViews.event(EventType.POLL_DELETED.wireName(), ch, clock.instant());
                e.set("poll", last);
                if (p.messageId() != null) {
                    e.put("message_id", p.messageId());
                }
                if (actor.user() != null) {
                    e.set("user", actor.user().toJson());
                }
                events.publish(e, Audience.watchers(cid));
            });
        }
        return Json.object();
    }

    // ---- options

    /** {@code POST /polls/{id}/options}: by the creator, or by anyone who may vote when suggestions are allowed. */
    public ObjectNode createOption(Actor actor, String pollId, ObjectNode body) {
        PollRow p = readable(actor, pollId, "CreatePollOption");
        if (!mayChange(actor, p)) {
            if (!p.allowUserSuggestedOptions()) {
                throw ChatException.notAllowed(
                        "CreatePollOption failed with error: \"this poll does not take suggested options\"");
            }
            if (p.closed()) {
                throw closed(p, "CreatePollOption");
            }
        }
        List<OptionRow> existing = current(p.id());
        if (existing.size() >= MAX_OPTIONS) {
            throw ChatException.input(
                    "CreatePollOption failed with error: \"a poll has at most " + MAX_OPTIONS + " options\"");
        }
        Instant now = clock.instant();
        OptionRow o = option(p.id(), body, existing.size(), now, now, null);
        requireUniqueText(existing, o, "CreatePollOption");
        if (!store.addOption(o)) {
            throw ChatException.input("CreatePollOption failed with error: \"option '" + o.id() + "' exists\"");
        }
        announcePoll(p, EventType.POLL_UPDATED, actor);
        return wrap("poll_option", PollViews.option(o));
    }

    /** {@code GET /polls/{id}/options/{option_id}}. */
    public ObjectNode getOption(Actor actor, String pollId, String optionId) {
        PollRow p = readable(actor, pollId, "GetPollOption");
        return wrap("poll_option", PollViews.option(requireOption(p, optionId)));
    }

    /** {@code PUT /polls/{id}/options}: an option's text and custom fields, by id. */
    public ObjectNode updateOption(Actor actor, String pollId, ObjectNode body) {
        PollRow p = changeable(actor, pollId, "UpdatePollOption");
        if (!body.path("id").isTextual()) {
            throw ChatException.input("UpdatePollOption failed with error: \"id is required\"");
        }
        OptionRow old = requireOption(p, body.get("id").asText());
        OptionRow o = option(p.id(), body, old.position(), old.createdAt(), clock.instant(), old.id());
        requireUniqueText(current(p.id()), o, "UpdatePollOption");
        if (!store.updateOption(o)) {
            throw ChatException.notFound("UpdatePollOption failed with error: \"option '" + o.id() + "' is gone\"");
        }
        announcePoll(p, EventType.POLL_UPDATED, actor);
        return wrap("poll_option", PollViews.option(o));
    }

    /** {@code DELETE /polls/{id}/options/{option_id}}: the option and its votes. */
    public ObjectNode deleteOption(Actor actor, String pollId, String optionId) {
        PollRow p = changeable(actor, pollId, "DeletePollOption");
        if (!store.deleteOption(p.id(), optionId)) {
            throw ChatException.notFound(
                    "DeletePollOption failed with error: \"poll '" + pollId + "' has no option '" + optionId + "'\"");
        }
        announcePoll(p, EventType.POLL_UPDATED, actor);
        return Json.object();
    }

    // ---- votes

    /**
     * {@code POST /messages/{id}/polls/{poll_id}/vote}: a vote for {@code vote.option_id}, or an answer with
     * {@code vote.answer_text}. A vote for an option the user voted for already changes nothing; with
     * {@code enforce_unique_vote} a vote replaces the user's other vote ({@code poll.vote_changed}); past
     * {@code max_votes_allowed} it is refused. A second answer replaces the first.
     */
    public ObjectNode castVote(Actor actor, String messageId, String pollId, ObjectNode body) {
        User voter = acting(actor, "CastPollVote");
        Voting v = voting(actor, messageId, pollId, "CastPollVote");
        PollRow p = v.poll();
        if (p.closed()) {
            throw closed(p, "CastPollVote");
        }
        JsonNode sent = body.path("vote");
        if (!sent.isObject()) {
            throw ChatException.input("CastPollVote failed with error: \"vote must be an object\"");
        }
        String optionId =
                sent.path("option_id").isTextual() ? sent.get("option_id").asText() : null;
        String answer =
                sent.path("answer_text").isTextual() ? sent.get("answer_text").asText() : null;
        if ((optionId == null) == (answer == null)) {
            throw ChatException.input(
                    "CastPollVote failed with error: \"vote needs exactly one of option_id and answer_text\"");
        }
        if (answer != null) {
            if (!p.allowAnswers()) {
                throw ChatException.input("CastPollVote failed with error: \"this poll does not take answers\"");
            }
            if (answer.isBlank() || answer.length() > MAX_TEXT) {
                throw ChatException.input(
                        "CastPollVote failed with error: \"answer_text must have 1 to " + MAX_TEXT + " characters\"");
            }
        } else {
            requireOption(p, optionId);
        }
        Instant now = clock.instant();
        boolean[] refused = {false};
        VoteRow[] same = {null}; // the user's vote for this option, when it voted for it already
        String text = answer;
        VoteChange change = store.cast(p.id(), voter.id(), mine -> {
                    if (text != null) {
                        for (VoteRow r : mine) {
                            if (r.answer()) {
                                return new VoteChange(
                                        List.of(),
                                        new VoteRow(r.id(), p.id(), voter.id(), null, text, r.createdAt(), now));
                            }
                        }
                        return new VoteChange(List.of(), newVote(p, voter, null, text, now));
                    }
                    List<VoteRow> options =
                            mine.stream().filter(r -> !r.answer()).toList();
                    for (VoteRow r : options) {
                        if (r.optionId() != null && r.optionId().equals(optionId)) {
                            same[0] = r;
                            return new VoteChange(List.of(), null); // voted for it already
                        }
                    }
                    if (p.enforceUniqueVote()) {
                        return new VoteChange(options, newVote(p, voter, optionId, null, now));
                    }
                    Integer max = p.maxVotesAllowed();
                    if (max != null && max > 0 && options.size() >= max) {
                        refused[0] = true;
                        return new VoteChange(List.of(), null);
                    }
                    return new VoteChange(List.of(), newVote(p, voter, optionId, null, now));
                })
                .orElseThrow(() -> gone(pollId));
        if (refused[0]) {
            throw ChatException.input(
                    "CastPollVote failed with error: \"you have cast the most votes this poll allows ("
                            + p.maxVotesAllowed() + "); remove one first\"");
        }
        VoteRow written = change.written();
        if (written == null) { // the same vote again: answer it, announce nothing
            VoteRow again = same[0];
            if (again == null) {
                throw gone(pollId);
            }
            return wrap("vote", PollViews.vote(again, Map.of(voter.id(), voter)));
        }
        boolean changed = !change.removed().isEmpty()
                || (written.answer() && !written.createdAt().equals(now));
        announceVote(v, written, voter, changed ? EventType.POLL_VOTE_CHANGED : EventType.POLL_VOTE_CASTED);
        return wrap("vote", PollViews.vote(written, Map.of(voter.id(), voter)));
    }

    /** {@code DELETE /messages/{id}/polls/{poll_id}/vote/{vote_id}}: the caller's own vote or answer. */
    public ObjectNode removeVote(Actor actor, String messageId, String pollId, String voteId) {
        User voter = acting(actor, "RemovePollVote");
        Voting v = voting(actor, messageId, pollId, "RemovePollVote");
        VoteRow mine = store.votesOf(List.of(pollId), voter.id()).getOrDefault(pollId, List.of()).stream()
                .filter(r -> r.id().equals(voteId))
                .findFirst()
                .orElseThrow(() -> ChatException.notFound(
                        "RemovePollVote failed with error: \"vote '" + voteId + "' is not yours in this poll\""));
        VoteRow removed = store.removeVote(pollId, mine.id())
                .orElseThrow(() ->
                        ChatException.notFound("RemovePollVote failed with error: \"vote '" + voteId + "' is gone\""));
        announceVote(v, removed, voter, EventType.POLL_VOTE_REMOVED);
        return wrap("vote", PollViews.vote(removed, Map.of(voter.id(), voter)));
    }

    // ---- queries

    /** {@code POST /polls/query}: the polls the caller made or that were sent in its channels. */
    public ObjectNode query(Actor actor, ObjectNode body) {
        String viewer = actor.server() ? null : acting(actor, "QueryPolls").id();
        int limit = limit(body);
        int offset = Cursor.offset(body, "next", "QueryPolls");
        List<PollRow> rows = store.query(new PollStore.Query(
                Filter.parse(body.get("filter")), SortField.parse(body.get("sort")), limit + 1, offset, viewer));
        List<String> ids = rows.stream().limit(limit).map(PollRow::id).toList();
        Map<String, ObjectNode> shown = views.of(ids, actor.userId());
        ObjectNode out = Json.object();
        ArrayNode polls = out.putArray("polls");
        ids.forEach(id -> {
            ObjectNode p = shown.get(id);
            if (p != null) {
                polls.add(p);
            }
        });
        if (rows.size() > limit) {
            out.put("next", String.valueOf(offset + limit));
        }
        return out;
    }

    /**
     * {@code POST /polls/{id}/votes}: the votes and answers of a poll ({@code is_answer: true} for answers only);
     * an anonymous poll's votes come without their voters.
     */
    public ObjectNode queryVotes(Actor actor, String pollId, ObjectNode body) {
        PollRow p = readable(actor, pollId, "QueryPollVotes");
        int limit = limit(body);
        int offset = Cursor.offset(body, "next", "QueryPollVotes");
        List<VoteRow> rows = store.queryVotes(
                p.id(), Filter.parse(body.get("filter")), SortField.parse(body.get("sort")), limit + 1, offset);
        List<VoteRow> page = rows.subList(0, Math.min(limit, rows.size()));
        Map<String, User> voters = p.anonymous()
                ? null
                : users.findAll(page.stream().map(VoteRow::userId).toList());
        ObjectNode out = Json.object();
        ArrayNode votes = out.putArray("votes");
        page.forEach(r -> votes.add(PollViews.vote(r, voters)));
        if (rows.size() > limit) {
            out.put("next", String.valueOf(offset + limit));
        }
        return out;
    }

    // ---- messages that carry a poll

    /**
     * Checks that the author of a message may send poll {@code pollId} in a channel of {@code type}: the type
     * has {@code polls} on, the role may {@code send-poll}, and the poll is the author's and not sent yet.
     */
    public void checkSend(
            Actor as, User author, ChannelType type, @Nullable String memberRole, String cid, String pollId) {
        if (!type.flag("polls")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    "SendMessage failed with error: \"polls are disabled for channel type '" + type.name() + "'\"");
        }
        Permissions.requireWithRole(as, type, memberRole, "send-poll", false, "SendMessage", cid);
        PollRow p = store.poll(pollId)
                .orElseThrow(() ->
                        ChatException.input("SendMessage failed with error: \"poll '" + pollId + "' does not exist\""));
        if (!p.createdById().equals(author.id())) {
            throw ChatException.notAllowed(
                    "SendMessage failed with error: \"poll '" + pollId + "' was made by another user\"");
        }
        if (p.messageId() != null) {
            throw ChatException.input(
                    "SendMessage failed with error: \"poll '" + pollId + "' was sent with another message\"");
        }
    }

    /** Marks the poll as sent with a message; false when another message took it first. */
    public boolean attach(String pollId, String messageId, String cid) {
        return store.attach(pollId, messageId, cid);
    }

    /** Undoes {@link #attach} when the message was not written. */
    public void detach(String pollId, String messageId) {
        store.detach(pollId, messageId);
    }

    /** The polls among {@code ids} as {@code viewerId} sees them (null: without own votes), by id. */
    public Map<String, ObjectNode> views(Collection<String> ids, @Nullable String viewerId) {
        return ids.isEmpty() ? Map.of() : views.of(ids, viewerId);
    }

    // ---- helpers

    /** A poll and the message and channel it was sent with, checked for a vote by the caller. */
    private record Voting(PollRow poll, MessageRow message, ChannelRow channel) {}

    private Voting voting(Actor actor, String messageId, String pollId, String endpoint) {
        MessageRow m = chat.findMessage(messageId)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"message '" + messageId + "' does not exist\""));
        if (!pollId.equals(m.doc().path("poll_id").asText(null))) {
            throw ChatException.input(endpoint + " failed with error: \"message '" + messageId
                    + "' does not carry poll '" + pollId + "'\"");
        }
        ChannelAccess.ReadAccess read = access.requireRead(actor, access.requireChannel(m.cid()), endpoint);
        if (!read.type().flag("polls")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    endpoint + " failed with error: \"polls are disabled for channel type '"
                            + read.type().name() + "'\"");
        }
        Permissions.require(
                actor,
                read.type(),
                read.member(),
                "cast-poll-vote",
                Permissions.ownsChannel(actor, read.channel()),
                endpoint,
                m.cid());
        PollRow p = store.poll(pollId).orElseThrow(() -> gone(pollId));
        return new Voting(p, m, read.channel());
    }

    /** A poll the caller may see: its own, or one sent in a channel it may read. */
    private PollRow readable(Actor actor, String id, String endpoint) {
        PollRow p = store.poll(id).orElseThrow(() -> gone(id));
        if (actor.server() || p.createdById().equals(actor.userId())) {
            return p;
        }
        if (p.cid() != null) {
            access.requireRead(actor, access.requireChannel(p.cid()), endpoint);
            return p;
        }
        throw gone(id); // a poll not sent yet is its creator's alone
    }

    /** A poll the caller may change: its creator, an admin or a moderator, or the server. */
    private PollRow changeable(Actor actor, String id, String endpoint) {
        PollRow p = readable(actor, id, endpoint);
        if (!mayChange(actor, p)) {
            throw ChatException.notAllowed(endpoint + " failed with error: \"only the creator of poll '" + id
                    + "', an admin or a moderator may change it\"");
        }
        return p;
    }

    private static boolean mayChange(Actor actor, PollRow p) {
        User u = actor.user();
        return actor.server()
                || u != null
                        && (u.id().equals(p.createdById())
                                || u.role().equals("admin")
                                || u.role().equals("moderator"));
    }

    private User acting(Actor actor, String endpoint) {
        User u = actor.user();
        if (u == null) {
            throw ChatException.input(endpoint + " failed with error: \"user_id is required with a server token\"");
        }
        return u;
    }

    /** A poll row from a create or update body; {@code old} gives the values an update leaves out. */
    private static PollRow fields(
            String id, String creator, JsonNode body, @Nullable PollRow old, Instant createdAt, Instant now) {
        if (!body.path("name").isTextual() || body.get("name").asText().isBlank()) {
            throw ChatException.input("poll name is required and must be a non-empty string");
        }
        String name = body.get("name").asText();
        if (name.length() > MAX_NAME) {
            throw ChatException.input(
                    "poll name is " + name.length() + " characters long (expected: at most " + MAX_NAME + ")");
        }
        String visibility = body.path("voting_visibility").asText("public");
        if (!visibility.equals("public") && !visibility.equals("anonymous")) {
            throw ChatException.input("voting_visibility: '" + visibility + "' (expected: public or anonymous)");
        }
        Integer max = null;
        JsonNode m = body.get("max_votes_allowed");
        if (m != null && !m.isNull()) {
            if (!m.isIntegralNumber() || m.asInt() < 0 || m.asInt() > MAX_VOTES_ALLOWED) {
                throw ChatException.input(
                        "max_votes_allowed: " + m + " (expected: 1 to " + MAX_VOTES_ALLOWED + ", or 0 for no limit)");
            }
            max = m.asInt() == 0 ? null : m.asInt();
        }
        ObjectNode doc = Json.object();
        body.properties().forEach(e -> {
            if (!FIELDS.contains(e.getKey())) {
                doc.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        JsonNode description = doc.get("description");
        if (description != null
                && !description.isNull()
                && (!description.isTextual() || description.asText().length() > MAX_TEXT)) {
            throw ChatException.input("description must be a string of at most " + MAX_TEXT + " characters");
        }
        if (Json.write(doc).length() > UserRules.MAX_CUSTOM_BYTES) {
            throw ChatException.input(
                    "a poll's description and custom fields are over " + UserRules.MAX_CUSTOM_BYTES + " bytes");
        }
        return new PollRow(
                id,
                name,
                creator,
                old == null ? null : old.messageId(),
                old == null ? null : old.cid(),
                visibility,
                bool(body, "enforce_unique_vote"),
                max,
                bool(body, "allow_answers"),
                bool(body, "allow_user_suggested_options"),
                bool(body, "is_closed"),
                doc,
                createdAt,
                now);
    }

    private static boolean bool(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ChatException.input(key + " must be true or false");
        }
        return v.asBoolean();
    }

    /** The options of a create or full update; an option sent with the id of a current one keeps its time. */
    private static List<OptionRow> options(
            String pollId, @Nullable JsonNode sent, List<OptionRow> current, Instant now) {
        if (sent == null || sent.isNull()) {
            return List.of();
        }
        if (!sent.isArray() || sent.size() > MAX_OPTIONS) {
            throw ChatException.input("options must be an array of at most " + MAX_OPTIONS + " options");
        }
        List<OptionRow> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode o : sent) {
            if (!o.isObject()) {
                throw ChatException.input("options must hold objects with a text");
            }
            String id = o.path("id").isTextual() ? o.get("id").asText() : null;
            Instant created = current.stream()
                    .filter(c -> c.id().equals(id))
                    .map(OptionRow::createdAt)
                    .findFirst()
                    .orElse(now);
            OptionRow row = option(pollId, o, out.size(), created, now, id);
            if (!ids.add(row.id())) {
                throw ChatException.input("options: id '" + row.id() + "' appears twice");
            }
            requireUniqueText(out, row, "CreatePoll");
            out.add(row);
        }
        return out;
    }

    private static OptionRow option(
            String pollId, JsonNode body, int position, Instant created, Instant now, @Nullable String keepId) {
        if (!body.path("text").isTextual() || body.get("text").asText().isBlank()) {
            throw ChatException.input("an option's text is required and must be a non-empty string");
        }
        String text = body.get("text").asText();
        if (text.length() > MAX_NAME) {
            throw ChatException.input(
                    "an option's text is " + text.length() + " characters long (expected: at most " + MAX_NAME + ")");
        }
        String id = keepId != null
                ? UserRules.checkId(keepId, "option id")
                : body.path("id").isTextual()
                        ? UserRules.checkId(body.get("id").asText(), "option id")
                        : UUID.randomUUID().toString();
        ObjectNode custom = Json.object();
        body.properties().forEach(e -> {
            if (!OPTION_FIELDS.contains(e.getKey())) {
                custom.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        if (Json.write(custom).length() > UserRules.MAX_CUSTOM_BYTES) {
            throw ChatException.input("an option's custom fields are over " + UserRules.MAX_CUSTOM_BYTES + " bytes");
        }
        int pos = body.path("position").canConvertToInt() ? body.get("position").asInt() : position;
        return new OptionRow(pollId, id, pos, text, custom, created, now);
    }

    private static void requireUniqueText(List<OptionRow> existing, OptionRow o, String endpoint) {
        for (OptionRow e : existing) {
            if (!e.id().equals(o.id())
                    && e.text().strip().equalsIgnoreCase(o.text().strip())) {
                throw ChatException.input(
                        endpoint + " failed with error: \"the poll has an option with text '" + o.text() + "'\"");
            }
        }
    }

    private List<OptionRow> current(String pollId) {
        return store.options(List.of(pollId)).getOrDefault(pollId, List.of());
    }

    private OptionRow requireOption(PollRow p, @Nullable String optionId) {
        return current(p.id()).stream()
                .filter(o -> o.id().equals(optionId))
                .findFirst()
                .orElseThrow(() -> ChatException.notFound("poll '" + p.id() + "' has no option '" + optionId + "'"));
    }

    /** The body a poll's update starts from: what a client would send to leave everything as it is. */
    private static ObjectNode sent(PollRow p) {
        ObjectNode o = p.doc().deepCopy();
        o.put("name", p.name());
        o.put("voting_visibility", p.votingVisibility());
        o.put("enforce_unique_vote", p.enforceUniqueVote());
        if (p.maxVotesAllowed() != null) {
            o.put("max_votes_allowed", p.maxVotesAllowed());
        }
        o.put("allow_answers", p.allowAnswers());
        o.put("allow_user_suggested_options", p.allowUserSuggestedOptions());
        o.put("is_closed", p.closed());
        return o;
    }

    private ObjectNode changed(Actor actor, PollRow before, PollRow after) {
        announcePoll(after, EventType.POLL_UPDATED, actor);
        if (after.closed() && !before.closed()) {
            announcePoll(after, EventType.POLL_CLOSED, actor);
        }
        return wrap("poll", view(after.id(), actor.userId()));
    }

    private static VoteRow newVote(
            PollRow p, User voter, @Nullable String optionId, @Nullable String answer, Instant now) {
        return new VoteRow(UUID.randomUUID().toString(), p.id(), voter.id(), optionId, answer, now, now);
    }

    private ObjectNode view(String id, @Nullable String viewerId) {
        ObjectNode v = views.of(List.of(id), viewerId).get(id);
        if (v == null) {
            throw gone(id);
        }
        return v;
    }

    /**
     * {@code poll.updated} or {@code poll.closed}: to the watchers of the channel the poll was sent in, or to its
     * creator's connections before it is sent.
     */
    private void announcePoll(PollRow p, EventType type, Actor actor) {
        ObjectNode poll = views.of(List.of(p.id()), null).get(p.id());
        if (poll == null) {
            return;
        }
        Instant now = clock.instant();
        if (p.cid() == null) {
            ObjectNode e = Json.object();
            e.put("type", type.wireName());
            e.set("poll", poll);
            e.put("created_at", dev.parley.protocol.Timestamps.format(now));
            events.publish(e, Audience.user(p.createdById()));
            return;
        }
        Optional<ChannelRow> ch = chat.findChannel(p.cid());
        if (ch.isEmpty()) {
            return;
        }
        ObjectNode e = ChannelViews.event(type.wireName(), ch.get(), now);
        e.set("poll", poll);
        if (p.messageId() != null) {
            e.put("message_id", p.messageId());
        }
        if (actor.user() != null) {
            e.set("user", actor.user().toJson());
        }
        events.publish(e, Audience.watchers(p.cid()));
    }

    /**
     * A vote event to the channel's watchers, with the poll's new counts; in an anonymous poll the others get the
     * vote without its voter, and the voter's own connections get it whole.
     */
    private void announceVote(Voting v, VoteRow vote, User voter, EventType type) {
        ObjectNode poll = views.of(List.of(v.poll().id()), null).get(v.poll().id());
        if (poll == null) {
            return;
        }
        ObjectNode e = ChannelViews.event(type.wireName(), v.channel(), clock.instant());
        e.put("message_id", v.message().id());
        e.set("poll", poll);
        if (!v.poll().anonymous()) {
            e.set("poll_vote", PollViews.vote(vote, Map.of(voter.id(), voter)));
            e.set("user", voter.toJson());
            events.publish(e, Audience.watchers(v.channel().cid()));
            return;
        }
        ObjectNode hidden = e.deepCopy();
        hidden.set("poll_vote", PollViews.vote(vote, null));
        events.publish(hidden, Audience.watchersExcept(v.channel().cid(), voter.id()));
        e.set("poll_vote", PollViews.vote(vote, Map.of(voter.id(), voter)));
        e.set("user", voter.toJson());
        events.publish(e, Audience.user(voter.id()));
    }

    private static int limit(ObjectNode body) {
        JsonNode l = body.get("limit");
        return l != null && l.canConvertToInt() ? Math.min(Math.max(l.asInt(), 1), MAX_QUERY_LIMIT) : 10;
    }

    private static ChatException gone(String id) {
        return ChatException.notFound("poll '" + id + "' does not exist");
    }

    private static ChatException closed(PollRow p, String endpoint) {
        return ChatException.input(endpoint + " failed with error: \"poll '" + p.id() + "' is closed\"");
    }

    private static ObjectNode wrap(String key, ObjectNode value) {
        ObjectNode out = Json.object();
        out.set(key, value);
        return out;
    }
}
