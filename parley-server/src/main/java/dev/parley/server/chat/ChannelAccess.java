package dev.parley.server.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import org.jspecify.annotations.Nullable;

/**
 * Finding a channel and deciding who may read it: the channel's row, its effective type (the channel type with
 * the channel's own overrides), and the {@code read-channel} check every path that shows a channel or its
 * messages makes. Thread-safe; blocking (it reads the store).
 */
public final class ChannelAccess {
    private final ChatStore store;
    private final ChannelTypes types;

    public ChannelAccess(ChatStore store, ChannelTypes types) {
        this.store = requireNonNull(store, "store");
        this.types = requireNonNull(types, "types");
    }

    /** The channel {@code cid}; code 16 when it does not exist. */
    public ChannelRow requireChannel(String cid) {
        return store.findChannel(cid).orElseThrow(() -> ChatException.notFound("channel '" + cid + "' does not exist"));
    }

    /**
     * The effective type of a channel: its channel type with the channel's {@code config_overrides}
     * (feature flags, {@code max_message_length}, and {@code grants} where {@code "!perm"} revokes) applied.
     */
    public ChannelType typeOf(ChannelRow ch) {
        ChannelType base = types.require(ch.type());
        JsonNode o = ch.custom().get(ChannelTypes.OVERRIDES);
        return o == null || !o.isObject() ? base : ChannelTypes.withOverrides(base, (ObjectNode) o);
    }

    /** A channel as one actor reads it: its effective type and the actor's membership (null when none). */
    public record ReadAccess(
            ChannelRow channel, ChannelType type, @Nullable MemberRow member) {}

    /**
     * The one read check of every path that shows a channel or its messages: {@code read-channel} through
     * the actor's role or its membership, with the channel's own grant overrides applied; code 17 otherwise.
     */
    public ReadAccess requireRead(Actor actor, ChannelRow ch, String endpoint) {
        ReadAccess access = access(actor, ch);
        Permissions.require(
                actor,
                access.type(),
                access.member(),
                "read-channel",
                Permissions.ownsChannel(actor, ch),
                endpoint,
                ch.cid());
        return access;
    }

    /** Whether {@link #requireRead} lets {@code actor} read {@code ch}; for lists, which leave such channels out. */
    public boolean mayRead(Actor actor, ChannelRow ch) {
        ReadAccess access = access(actor, ch);
        return Permissions.allowed(
                actor, access.type(), access.member(), "read-channel", Permissions.ownsChannel(actor, ch));
    }

    private ReadAccess access(Actor actor, ChannelRow ch) {
        String userId = actor.userId();
        MemberRow member = userId != null ? store.member(ch.cid(), userId).orElse(null) : null;
        return new ReadAccess(ch, typeOf(ch), member);
    }

    /** The channel types (built-in and configured). */
    public ChannelTypes types() {
        return types;
    }
}
