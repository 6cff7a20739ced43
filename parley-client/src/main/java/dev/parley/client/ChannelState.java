package dev.parley.client;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.Member;
import dev.parley.protocol.Message;
import dev.parley.protocol.Read;
import dev.parley.protocol.User;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of what the SDK knows about a channel (PROTOCOL.md §6.7), built from watch and query
 * responses and kept current by the channel's events. Immutable; {@link Channel#state()} returns a new
 * snapshot each time.
 *
 * <p>Bounded: at most {@link #MAX_MESSAGES} messages are kept per channel (the newest; older ones are
 * dropped as new ones arrive, and can be fetched again with {@link Channel#query}). Thread-only replies are
 * not kept: fetch them with {@link Channel#getReplies}.
 *
 * @param channel the channel's own fields; empty until the first watch or query answers
 * @param messages the newest messages, ascending by creation time (oldest first)
 * @param pinnedMessages pinned messages as of the last query
 * @param members members by the order the server listed them, new ones last
 * @param membership the connected user's own membership, if a member
 * @param read every member's read state
 * @param watcherCount connections watching, as last reported
 * @param hidden hidden for the connected user
 * @param typing other users who sent {@code typing.start} in the last 7 seconds and no {@code typing.stop} since
 */
public record ChannelState(
        Optional<ChannelData> channel,
        List<Message> messages,
        List<Message> pinnedMessages,
        List<Member> members,
        Optional<Member> membership,
        List<Read> read,
        int watcherCount,
        boolean hidden,
        List<User> typing) {
    /** The most messages kept per channel. */
    public static final int MAX_MESSAGES = 200;

    public ChannelState {
        requireNonNull(channel, "channel");
        requireNonNull(membership, "membership");
        messages = List.copyOf(messages);
        pinnedMessages = List.copyOf(pinnedMessages);
        members = List.copyOf(members);
        read = List.copyOf(read);
        typing = List.copyOf(typing);
    }

    /** The read state of {@code userId}, if known. */
    public Optional<Read> readOf(String userId) {
        return read.stream().filter(r -> r.user().id().equals(userId)).findFirst();
    }

    /** The unread messages of {@code userId} in this channel, 0 when unknown. */
    public int unreadCount(String userId) {
        return readOf(userId).map(Read::unreadMessages).orElse(0);
    }

    /** The channel's type config; {@link ChannelConfig#UNKNOWN} until the first query answers. */
    public ChannelConfig config() {
        return channel.map(ChannelData::config).orElse(ChannelConfig.UNKNOWN);
    }
}
