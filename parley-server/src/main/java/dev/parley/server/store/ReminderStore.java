package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Message reminders and saved-for-later messages (PROTOCOL.md §7.23): one per user and message. A reminder whose
 * time has come is claimed once, by whichever node's scheduler gets to it first, so that its notification goes out
 * at most once however many nodes share the database. Blocking and thread-safe; every write is one transaction.
 */
public interface ReminderStore {
    /** One reminder; {@code remindAt} null is a message saved for later. */
    record Reminder(
            String userId,
            String messageId,
            String cid,
            @Nullable Instant remindAt,
            Instant createdAt,
            Instant updatedAt) {
        public Reminder {
            requireNonNull(userId, "userId");
            requireNonNull(messageId, "messageId");
            requireNonNull(cid, "cid");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(updatedAt, "updatedAt");
        }
    }

    /** Adds {@code reminder}; false (and nothing written) when the user has one for that message already. */
    boolean insert(Reminder reminder);

    /**
     * Replaces the time of the user's reminder of the message (and its {@code updatedAt}); a reminder so changed
     * is due again at its new time. False when there is none.
     */
    boolean update(Reminder reminder);

    Optional<Reminder> find(String userId, String messageId);

    /** The user's reminders of {@code messageIds}, by message id. */
    Map<String, Reminder> ofMessages(String userId, Collection<String> messageIds);

    /** Deletes one reminder; false when there was none. */
    boolean delete(String userId, String messageId);

    /**
     * A page of the user's reminders. Filterable: {@code channel_cid}, {@code message_id}, {@code remind_at}
     * ({@code $exists} too), {@code created_at}, {@code user_id}; sortable by {@code channel_cid},
     * {@code created_at}, {@code remind_at} (none last) and {@code updated_at}; oldest first by default.
     */
    List<Reminder> query(PersonalQuery query);

    /** At most {@code limit} reminders due at {@code now} and not yet claimed, the earliest first. */
    List<Reminder> due(Instant now, int limit);

    /**
     * Claims a due reminder for its notification: true for exactly one caller, as long as the reminder still has
     * time {@code remindAt} and was not claimed since.
     */
    boolean claim(String userId, String messageId, Instant remindAt, Instant now);

    /**
     * A member with unread messages in a channel of at most a few members (PROTOCOL.md §7.30): the channel's last
     * message time, the member's last read (null: never) and how far its last unread reminder went (null: none).
     */
    record UnreadDue(
            String cid,
            String userId,
            Instant lastMessageAt,
            @Nullable Instant lastRead,
            @Nullable Instant remindedThrough) {
        public UnreadDue {
            requireNonNull(cid, "cid");
            requireNonNull(userId, "userId");
            requireNonNull(lastMessageAt, "lastMessageAt");
        }
    }

    /**
     * At most {@code limit} members of channels of {@code types} with at most {@code maxMembers} members who have
     * an unread message of the channel (not a reply only in a thread, not deleted, not their own, after the
     * channel's truncation) sent no later than {@code sentBefore}, after their last read and after their last
     * unread reminder; in channel and user order.
     */
    List<UnreadDue> unreadDue(Collection<String> types, int maxMembers, Instant sentBefore, int limit);

    /**
     * Claims the unread reminder of {@code due}, moving how far the member was reminded to {@code through}: true
     * for exactly one caller, as long as no one moved it since {@code due} was read.
     */
    boolean claimUnread(UnreadDue due, Instant through);
}
