package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The reads of a channel export (PROTOCOL.md §17.6): a channel's rows page by page in a fixed order, each page
 * starting after the last row of the one before, so that an export of any size holds one page in memory. Reads the
 * database itself, not the caches of a node. Blocking and thread-safe.
 */
public interface ExportStore {
    /** The channel, live or (with {@code orDeleted}) soft-deleted; empty when there is neither. */
    Optional<ChannelRow> channel(String cid, boolean orDeleted);

    /** At most {@code limit} members of the channel, by user id, after {@code afterUserId} (null: the first). */
    List<MemberRow> members(String cid, @Nullable String afterUserId, int limit);

    /**
     * The window of a channel's messages to export: messages created from {@code since} to {@code until} inclusive;
     * a reply is in it only when its parent is too, so that the file never names a parent it does not hold.
     */
    record MessageWindow(String cid, Instant since, Instant until) {
        public MessageWindow {
            requireNonNull(cid, "cid");
            requireNonNull(since, "since");
            requireNonNull(until, "until");
        }
    }

    /**
     * At most {@code limit} messages of the window (every kind: replies, deleted ones), by creation time then id,
     * after {@code after} (null: the first). A parent comes before its replies, which are created after it.
     */
    List<MessageRow> messages(MessageWindow window, @Nullable Cursor after, int limit);

    /** Where a page of reactions ends: reactions are read by message, user and type. */
    record ReactionKey(String messageId, String userId, String type) {}

    /** At most {@code limit} reactions to {@code messageIds}, by message, user and type, after {@code after}. */
    List<ReactionRow> reactions(Collection<String> messageIds, @Nullable ReactionKey after, int limit);
}
