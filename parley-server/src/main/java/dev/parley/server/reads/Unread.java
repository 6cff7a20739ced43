package dev.parley.server.reads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.store.ChatRows.UnreadTotals;

/** The per-user unread counters that {@code me} and several events carry (PROTOCOL.md §6.1, §8.3). */
public final class Unread {
    private Unread() {}

    /**
     * Puts {@code total_unread_count}, {@code unread_count} and {@code unread_channels}: what a message's events
     * carry to each recipient.
     */
    public static ObjectNode put(ObjectNode target, UnreadTotals t) {
        target.put("total_unread_count", t.messages());
        target.put("unread_count", t.messages());
        target.put("unread_channels", t.channels());
        return target;
    }

    /** Puts the counters of {@link #put(ObjectNode, UnreadTotals)} and {@code unread_threads}. */
    public static ObjectNode put(ObjectNode target, UnreadTotals t, int unreadThreads) {
        put(target, t);
        target.put("unread_threads", unreadThreads);
        return target;
    }
}
