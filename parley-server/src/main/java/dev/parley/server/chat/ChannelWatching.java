package dev.parley.server.chat;

import dev.parley.server.session.Session;
import dev.parley.server.store.ChatRows.ChannelRow;

/**
 * Starts a connection watching a channel (with its {@code user.watching.start}), for services that show a
 * channel's content to a connection and so subscribe it, as a channel query does (PROTOCOL.md §3.7).
 */
@FunctionalInterface
public interface ChannelWatching {
    void watch(Session session, ChannelRow channel, ChannelType type);
}
