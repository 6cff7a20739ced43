package dev.parley.server.reads;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.store.ChatRows.UnreadTotals;

/** The per-user unread counters that {@code me} and several events carry (PROTOCOL.md §6.1, §8.3). */
public final class Unread {
    private Unread() {}

    /** Puts {@code total_unread_count}, {@code unread_count}, {@code unread_channels} and {@code unread_threads}. */
    public static ObjectNode put(ObjectNode target, UnreadTotals t) {
        target.put("total_unread_count", t.messages());
        target.put("unread_count", t.messages());
        target.put("unread_channels", t.channels());
        target.put("unread_threads", 0);
        return target;
    }
}
