package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.ChannelData;
import dev.parley.client.ChannelEvent;
import dev.parley.client.ChannelState;
import dev.parley.client.Event;
import dev.parley.client.MemberEvent;
import dev.parley.client.MessageEvent;
import dev.parley.client.ReactionEvent;
import dev.parley.client.ReadEvent;
import dev.parley.client.TypingEvent;
import dev.parley.client.WatchingEvent;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonNumber;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.Reaction;
import dev.parley.protocol.Read;
import dev.parley.protocol.User;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The local state of one channel for one session (PROTOCOL.md §6.7, §8.3): loaded from query responses,
 * kept current by events, read through {@link #snapshot}. Messages are kept ascending by creation time
 * and bounded by {@link ChannelState#MAX_MESSAGES}: the oldest are dropped first.
 *
 * <p>Thread-safe: events arrive on the session's scheduler thread and responses on I/O threads, so every
 * method holds the store's lock. The type is fixed; the id is learned from the first response for a
 * distinct channel created from its members.
 */
public final class ChannelStore {
    /** How long a {@code typing.start} counts without a repeat (§7.8). */
    static final Duration TYPING_EXPIRY = Duration.ofSeconds(7);

    private static final Comparator<Message> BY_TIME = Comparator.comparing(
                    (Message m) -> m.createdAt() == null ? Instant.MAX : m.createdAt())
            .thenComparing(Message::id);

    private final String type;
    private final List<String> distinctMembers;
    private final ObjectNode data;
    private final @Nullable String ownUserId;
    private @Nullable String id;
    private boolean initialized;
    private @Nullable ChannelData channel;
    private final List<Message> messages = new ArrayList<>();
    private List<Message> pinned = List.of();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private @Nullable Member membership;
    private final Map<String, Read> reads = new LinkedHashMap<>();
    private int watcherCount;
    private boolean hidden;
    private final Map<String, Typing> typing = new LinkedHashMap<>();
    private @Nullable Instant lastKeystroke;

    private record Typing(User user, Instant since) {}

    /**
     * @param id the channel id, or null for a distinct channel known by its members
     * @param distinctMembers the members of a distinct channel, else empty
     * @param data the custom data sent with get-or-create ({@code name}...), possibly empty
     * @param ownUserId the connected user, or null for a server-side client
     */
    public ChannelStore(
            String type,
            @Nullable String id,
            List<String> distinctMembers,
            @Nullable ObjectNode data,
            @Nullable String ownUserId) {
        this.type = requireNonNull(type, "type");
        this.id = id;
        this.distinctMembers = List.copyOf(distinctMembers);
        this.data = data == null ? dev.parley.protocol.Json.object() : data.deepCopy();
        this.ownUserId = ownUserId;
    }

    public String type() {
        return type;
    }

    /** The id, or null while a distinct channel has not been queried yet. */
    public synchronized @Nullable String id() {
        return id;
    }

    /** {@code <type>:<id>}, or for a distinct channel not yet queried {@code <type>:!members-<sorted ids>}. */
    public synchronized String cid() {
        return id != null ? type + ":" + id : localKey(type, distinctMembers);
    }

    /** The registry key of a distinct channel before its id is known (§5.7). */
    public static String localKey(String type, List<String> members) {
        return type + ":!members-" + String.join(",", members.stream().sorted().collect(Collectors.toList()));
    }

    public List<String> distinctMembers() {
        return distinctMembers;
    }

    /** The get-or-create {@code data}: custom fields, plus {@code members} of a distinct channel. */
    public synchronized ObjectNode data() {
        ObjectNode d = data.deepCopy();
        if (!distinctMembers.isEmpty() && !d.has("members")) {
            distinctMembers.forEach(d.putArray("members")::add);
        }
        return d;
    }

    /** True once a query or watch has answered (§5.7). */
    public synchronized boolean initialized() {
        return initialized;
    }

    /** The user this state is computed for, or null server-side. */
    public @Nullable String ownUserId() {
        return ownUserId;
    }

    /**
     * Loads a ChannelState object (§6.7); keys it lacks leave the local values alone. The messages of a
     * watch replace the local ones (messages missed while disconnected would otherwise leave a gap); a
     * paginated page ({@code mergeMessages}) is merged into them.
     */
    public synchronized void load(JsonNode state, boolean mergeMessages) {
        JsonNode ch = state.get("channel");
        if (ch != null && ch.isObject()) {
            ChannelData fresh = ChannelData.from(dev.parley.protocol.Channel.fromJson(ch));
            channel = channel == null ? fresh : channel.updatedBy(fresh, ch.has("own_capabilities"), ch.has("config"));
            id = fresh.id();
        }
        if (state.has("messages")) {
            List<Message> page = Wire.list(state, "state", "messages", Message::fromJson);
            if (!mergeMessages) {
                messages.clear();
            }
            page.forEach(this::upsert);
        }
        if (state.has("pinned_messages")) {
            pinned = List.copyOf(Wire.list(state, "state", "pinned_messages", Message::fromJson));
        }
        if (state.has("members")) {
            members.clear();
            Wire.list(state, "state", "members", Member::fromJson).forEach(m -> members.put(m.userId(), m));
        }
        JsonNode own = state.get("membership");
        if (own != null) {
            membership = own.isObject() ? Member.fromJson(own) : null;
        } else if (ownUserId != null && members.containsKey(ownUserId)) {
            membership = members.get(ownUserId);
        }
        if (state.has("read")) {
            reads.clear();
            Wire.list(state, "state", "read", Read::fromJson)
                    .forEach(r -> reads.put(r.user().id(), r));
        }
        watcherCount = Wire.integer(state, "state", "watcher_count", watcherCount);
        hidden = Wire.bool(state, "state", "hidden", hidden);
        initialized = true;
    }

    /** Adds or replaces a message from a response (the caller's own send, update, reaction). */
    public synchronized void upsert(Message m) {
        if (m.threadOnly()) {
            return;
        }
        Optional<Message> known = find(m.id());
        known.ifPresent(messages::remove);
        messages.add(m);
        messages.sort(BY_TIME);
        while (messages.size() > ChannelState.MAX_MESSAGES) {
            messages.remove(0);
        }
    }

    /** Replaces a known message with a fresher copy, own reactions included; ignores unknown ones. */
    public synchronized void refresh(Message m) {
        find(m.id()).ifPresent(old -> messages.set(messages.indexOf(old), m));
    }

    /** Marks the channel hidden or visible for the connected user. */
    public synchronized void hidden(boolean value) {
        hidden = value;
    }

    /** Sets the connected user's read state to "all read" after a successful mark-read. */
    public synchronized void markedRead(Instant at) {
        Read r = ownUserId == null ? null : reads.get(ownUserId);
        if (r != null) {
            String newest = messages.isEmpty()
                    ? r.lastReadMessageId()
                    : messages.get(messages.size() - 1).id();
            reads.put(ownUserId, r.withPosition(at, 0, newest));
        }
    }

    /** The time of the last {@code typing.start} sent, or null. */
    public synchronized @Nullable Instant lastKeystroke() {
        return lastKeystroke;
    }

    public synchronized void lastKeystroke(@Nullable Instant at) {
        lastKeystroke = at;
    }

    /** Applies one event of this channel; {@code now} is the local receive time. */
    public synchronized void apply(Event event, Instant now) {
        if (event.raw().get("watcher_count").orElse(null) instanceof JsonNumber wc) {
            watcherCount = wc.intValue();
        }
        switch (event) {
            case MessageEvent e -> onMessage(e);
            case ReactionEvent e -> onReaction(e);
            case ReadEvent e -> onRead(e);
            case TypingEvent e -> onTyping(e, now);
            case MemberEvent e -> onMember(e);
            case ChannelEvent e -> onChannel(e);
            case WatchingEvent e -> watcherCount = e.watcherCount();
            default -> {}
        }
    }

    private void onMessage(MessageEvent e) {
        Message m = e.message();
        switch (e.knownType().get()) {
            case MESSAGE_NEW, NOTIFICATION_MESSAGE_NEW -> {
                boolean known = find(m.id()).isPresent();
                upsert(m);
                if (!known) {
                    countUnread(m);
                }
                if (m.user() != null) {
                    typing.remove(m.user().id());
                }
            }
            case MESSAGE_DELETED -> {
                if (e.hardDelete()) {
                    find(m.id()).ifPresent(messages::remove);
                } else {
                    replace(m);
                }
                pinned = pinned.stream()
                        .filter(p -> !Objects.equals(p.id(), m.id()))
                        .collect(Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList));
            }
            default -> replace(m);
        }
    }

    /** Replaces a known message, keeping the own reactions this client tracks (they are per recipient). */
    private void replace(Message m) {
        find(m.id()).ifPresent(old -> {
            messages.set(messages.indexOf(old), m.withOwnReactions(old.ownReactions()));
        });
    }

    private void countUnread(Message m) {
        if (m.threadOnly() || m.silent() || m.user() == null) {
            return;
        }
        String author = m.user().id();
        Instant at = m.createdAt();
        for (Map.Entry<String, Read> r : reads.entrySet()) {
            Read read = r.getValue();
            r.setValue(
                    r.getKey().equals(author)
                            ? read.withPosition(at, 0, m.id())
                            : read.withPosition(read.lastRead(), read.unreadMessages() + 1, read.lastReadMessageId()));
        }
    }

    private void onReaction(ReactionEvent e) {
        Reaction r = e.reaction();
        find(e.message().id()).ifPresent(old -> {
            List<Reaction> own = new ArrayList<>(old.ownReactions());
            if (ownUserId != null && ownUserId.equals(r.userId())) {
                own.removeIf(x -> x.type().equals(r.type()));
                if (Events.is(e, EventType.REACTION_UPDATED)) {
                    own.clear();
                }
                if (!Events.is(e, EventType.REACTION_DELETED)) {
                    own.add(r);
                }
            }
            messages.set(messages.indexOf(old), e.message().withOwnReactions(own));
        });
    }

    private void onRead(ReadEvent e) {
        if (Events.is(e, EventType.MESSAGE_READ)) {
            e.user()
                    .ifPresent(u -> reads.put(
                            u.id(),
                            new Read(
                                    u,
                                    e.createdAt(),
                                    0,
                                    e.lastReadMessageId().orElse(null),
                                    null,
                                    null,
                                    CustomFields.EMPTY)));
        } else if (Events.is(e, EventType.NOTIFICATION_MARK_READ) && ownUserId != null) {
            Read r = reads.get(ownUserId);
            if (r != null) {
                reads.put(
                        ownUserId,
                        r.withPosition(e.createdAt(), 0, e.lastReadMessageId().orElse(r.lastReadMessageId())));
            }
        } else if (Events.is(e, EventType.NOTIFICATION_MARK_UNREAD) && ownUserId != null) {
            Read r = reads.get(ownUserId);
            if (r != null) {
                reads.put(
                        ownUserId,
                        r.withPosition(
                                r.lastRead(),
                                e.unreadMessages(),
                                e.lastReadMessageId().orElse(null)));
            }
        }
    }

    private void onTyping(TypingEvent e, Instant now) {
        if (e.user().id().equals(ownUserId)) {
            return; // the server echoes the user's own typing to all of its connections; no one shows it
        }
        if (Events.is(e, EventType.TYPING_START)) {
            typing.put(e.user().id(), new Typing(e.user(), now));
        } else {
            typing.remove(e.user().id());
        }
    }

    private void onMember(MemberEvent e) {
        String uid = e.user().id();
        if (Events.is(e, EventType.MEMBER_REMOVED)) {
            members.remove(uid);
            if (uid.equals(ownUserId)) {
                membership = null;
            }
            return;
        }
        e.member().ifPresent(m -> {
            members.put(m.userId(), m);
            if (m.userId().equals(ownUserId)) {
                membership = m;
            }
        });
    }

    private void onChannel(ChannelEvent e) {
        e.channel().ifPresent(c -> {
            JsonObject raw = e.raw().get("channel").orElse(null) instanceof JsonObject o ? o : JsonObject.EMPTY;
            channel = channel == null
                    ? c
                    : channel.updatedBy(
                            c,
                            raw.fields().containsKey("own_capabilities"),
                            raw.fields().containsKey("config"));
        });
        switch (e.knownType().get()) {
            case CHANNEL_TRUNCATED -> {
                Instant before = e.channel().map(ChannelData::truncatedAt).orElse(null);
                messages.removeIf(m -> before == null
                        || m.createdAt() == null
                        || !m.createdAt().isAfter(before));
                reads.replaceAll((k, r) -> r.withPosition(r.lastRead(), 0, r.lastReadMessageId()));
                e.message().ifPresent(this::upsert);
            }
            case CHANNEL_HIDDEN -> {
                hidden = true;
                if (e.clearHistory()) {
                    messages.clear();
                }
            }
            case CHANNEL_VISIBLE -> hidden = false;
            default -> e.message().ifPresent(this::upsert);
        }
    }

    private Optional<Message> find(@Nullable String messageId) {
        for (Message m : messages) {
            if (messageId != null && messageId.equals(m.id())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** An immutable copy of the state; typing indicators older than 7 s at {@code now} are left out. */
    public synchronized ChannelState snapshot(Instant now) {
        List<User> typers = typing.values().stream()
                .filter(t -> t.since().plus(TYPING_EXPIRY).isAfter(now))
                .map(Typing::user)
                .collect(Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList));
        return new ChannelState(
                Optional.ofNullable(channel),
                messages,
                pinned,
                List.copyOf(members.values()),
                Optional.ofNullable(membership),
                List.copyOf(reads.values()),
                watcherCount,
                hidden,
                typers);
    }
}
