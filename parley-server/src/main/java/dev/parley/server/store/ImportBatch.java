package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.ReactionSummary;
import java.util.List;

/**
 * Rows of an import (PROTOCOL.md §17) that {@link Store#importBatch} writes in one transaction, with no channel
 * event, no webhook and no usage record. Each list is written in the order of the components, so that a row may
 * refer to rows of the lists before it: users, then channels, members, messages (a reply after its parent),
 * reactions, devices, mutes and push preferences.
 *
 * <p>In insert mode ({@code upsert} false) a row whose key is stored already is left as it is (users and
 * messages by id, channels by cid, members by channel and user, reactions by message, user and type, devices by
 * id, mutes by user and target); in upsert mode it is overwritten. What the store derives (a channel's member and
 * message counts and last message time, members' unread counts, a message's reaction totals, a thread's reply
 * count, participants and row) is counted again from the stored rows for what the batch touched, so that
 * writing the same batch twice leaves the same data.
 *
 * @param derive makes a message's document from its reactions and its thread as they stand in the transaction;
 *     quick, and it must not call the store
 */
public record ImportBatch(
        boolean upsert,
        List<User> users,
        List<ChannelRow> channels,
        List<MemberRow> members,
        List<MessageRow> messages,
        List<ReactionRow> reactions,
        List<DeviceRow> devices,
        List<ModerationStore.UserMute> userMutes,
        List<ModerationStore.ChannelMute> channelMutes,
        List<PushStore.Preference> pushPreferences,
        Derive derive) {

    public ImportBatch {
        users = List.copyOf(users);
        channels = List.copyOf(channels);
        members = List.copyOf(members);
        messages = List.copyOf(messages);
        reactions = List.copyOf(reactions);
        devices = List.copyOf(devices);
        userMutes = List.copyOf(userMutes);
        channelMutes = List.copyOf(channelMutes);
        pushPreferences = List.copyOf(pushPreferences);
        requireNonNull(derive, "derive");
    }

    /** How many rows of the batch. */
    public int size() {
        return users.size()
                + channels.size()
                + members.size()
                + messages.size()
                + reactions.size()
                + devices.size()
                + userMutes.size()
                + channelMutes.size()
                + pushPreferences.size();
    }

    /** Makes a message's document from what is derived from other rows; see {@link ImportBatch}. */
    @FunctionalInterface
    public interface Derive {
        MessageRow apply(MessageRow message, ReactionSummary reactions, ThreadSummary thread);
    }

    /**
     * A thread parent's replies as stored: how many are not deleted, how many are, and the participants (the
     * parent's author, then each reply's author by first reply), at most {@link #MAX_PARTICIPANTS}.
     */
    public record ThreadSummary(int replyCount, int deletedReplyCount, List<User> participants) {
        public static final int MAX_PARTICIPANTS = 10;
        public static final ThreadSummary NONE = new ThreadSummary(0, 0, List.of());

        public ThreadSummary {
            participants = List.copyOf(participants);
        }
    }

    /**
     * What a batch wrote: rows written (inserted, or overwritten in upsert mode) and rows skipped because their
     * key was stored already (insert mode).
     */
    public record Written(int written, int skipped) {}
}
