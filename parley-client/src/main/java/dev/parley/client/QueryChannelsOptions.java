package dev.parley.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Options of {@link ChatClient#queryChannels} (PROTOCOL.md §7.2). Defaults as in the JS SDK: state and
 * watch on, presence off, the server's page sizes. Immutable; the {@code with...} methods return copies.
 *
 * @param state return each channel's state (messages, members, reads)
 * @param watch subscribe this connection to each channel's events (forced off without a connection)
 * @param presence subscribe to the members' presence (forced off without a connection)
 * @param limit channels per page, 0 for the server's default (10; at most 30)
 * @param offset channels to skip
 * @param messageLimit messages per channel, 0 for the default (25)
 * @param memberLimit members per channel, 0 for the default (100)
 */
public record QueryChannelsOptions(
        boolean state, boolean watch, boolean presence, int limit, int offset, int messageLimit, int memberLimit) {

    public QueryChannelsOptions {
        ChannelQueryOptions.nonNegative(limit, "limit");
        ChannelQueryOptions.nonNegative(offset, "offset");
        ChannelQueryOptions.nonNegative(messageLimit, "messageLimit");
        ChannelQueryOptions.nonNegative(memberLimit, "memberLimit");
    }

    public static QueryChannelsOptions defaults() {
        return new QueryChannelsOptions(true, true, false, 0, 0, 0, 0);
    }

    public QueryChannelsOptions withWatch(boolean v) {
        return new QueryChannelsOptions(state, v, presence, limit, offset, messageLimit, memberLimit);
    }

    public QueryChannelsOptions withPresence(boolean v) {
        return new QueryChannelsOptions(state, watch, v, limit, offset, messageLimit, memberLimit);
    }

    public QueryChannelsOptions withPage(int newLimit, int newOffset) {
        return new QueryChannelsOptions(state, watch, presence, newLimit, newOffset, messageLimit, memberLimit);
    }

    public QueryChannelsOptions withMessageLimit(int v) {
        return new QueryChannelsOptions(state, watch, presence, limit, offset, v, memberLimit);
    }

    /** Writes the options into a {@code POST /channels} body; watch and presence only with a connection. */
    void writeTo(ObjectNode body, boolean connected) {
        body.put("state", state);
        body.put("watch", watch && connected);
        body.put("presence", presence && connected);
        if (limit > 0) {
            body.put("limit", limit);
        }
        if (offset > 0) {
            body.put("offset", offset);
        }
        if (messageLimit > 0) {
            body.put("message_limit", messageLimit);
        }
        if (memberLimit > 0) {
            body.put("member_limit", memberLimit);
        }
    }
}
