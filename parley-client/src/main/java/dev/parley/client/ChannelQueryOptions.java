package dev.parley.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Channel#watch(ChannelQueryOptions)} and {@link Channel#query(ChannelQueryOptions)} ask for
 * besides the state (PROTOCOL.md §7.3, §9.7). Unset values (0 or null) are left out, so the server's
 * defaults apply (100 messages, 100 members, no watchers). Immutable; the {@code with...} methods return
 * copies.
 *
 * @param messageLimit page size of messages, 0 for the server's default
 * @param idLt messages older than this id, or null
 * @param idGt messages newer than this id, or null
 * @param idAround messages around this id, or null
 * @param memberLimit members to return, 0 for the default
 * @param memberOffset members to skip
 * @param watcherLimit watchers to return, 0 for none
 * @param presence subscribe the connection to the members' presence (forced off without a connection)
 */
public record ChannelQueryOptions(
        int messageLimit,
        @Nullable String idLt,
        @Nullable String idGt,
        @Nullable String idAround,
        int memberLimit,
        int memberOffset,
        int watcherLimit,
        boolean presence) {

    public ChannelQueryOptions {
        nonNegative(messageLimit, "messageLimit");
        nonNegative(memberLimit, "memberLimit");
        nonNegative(memberOffset, "memberOffset");
        nonNegative(watcherLimit, "watcherLimit");
    }

    /** Server defaults, no presence. */
    public static ChannelQueryOptions defaults() {
        return new ChannelQueryOptions(0, null, null, null, 0, 0, 0, false);
    }

    public ChannelQueryOptions withMessageLimit(int v) {
        return new ChannelQueryOptions(v, idLt, idGt, idAround, memberLimit, memberOffset, watcherLimit, presence);
    }

    /** The page of messages just older than {@code messageId} ("load older"). */
    public ChannelQueryOptions olderThan(String messageId) {
        return new ChannelQueryOptions(
                messageLimit, messageId, null, null, memberLimit, memberOffset, watcherLimit, presence);
    }

    /** The page of messages just newer than {@code messageId} ("load newer"). */
    public ChannelQueryOptions newerThan(String messageId) {
        return new ChannelQueryOptions(
                messageLimit, null, messageId, null, memberLimit, memberOffset, watcherLimit, presence);
    }

    /** The page of messages around {@code messageId} ("jump to message"). */
    public ChannelQueryOptions around(String messageId) {
        return new ChannelQueryOptions(
                messageLimit, null, null, messageId, memberLimit, memberOffset, watcherLimit, presence);
    }

    public ChannelQueryOptions withMembers(int limit, int offset) {
        return new ChannelQueryOptions(messageLimit, idLt, idGt, idAround, limit, offset, watcherLimit, presence);
    }

    public ChannelQueryOptions withWatchers(int limit) {
        return new ChannelQueryOptions(messageLimit, idLt, idGt, idAround, memberLimit, memberOffset, limit, presence);
    }

    public ChannelQueryOptions withPresence(boolean v) {
        return new ChannelQueryOptions(messageLimit, idLt, idGt, idAround, memberLimit, memberOffset, watcherLimit, v);
    }

    /** Adds the {@code messages}, {@code members} and {@code watchers} objects to a query body. */
    void writeTo(ObjectNode body) {
        if (messageLimit > 0 || idLt != null || idGt != null || idAround != null) {
            ObjectNode m = body.putObject("messages");
            if (messageLimit > 0) {
                m.put("limit", messageLimit);
            }
            putIf(m, "id_lt", idLt);
            putIf(m, "id_gt", idGt);
            putIf(m, "id_around", idAround);
        }
        if (memberLimit > 0 || memberOffset > 0) {
            ObjectNode m = body.putObject("members");
            if (memberLimit > 0) {
                m.put("limit", memberLimit);
            }
            m.put("offset", memberOffset);
        }
        if (watcherLimit > 0) {
            body.putObject("watchers").put("limit", watcherLimit).put("offset", 0);
        }
    }

    private static void putIf(ObjectNode o, String key, @Nullable String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    static void nonNegative(int v, String name) {
        if (v < 0) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: >= 0)");
        }
    }
}
