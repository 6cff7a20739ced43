package dev.parley.server;

import dev.parley.server.channels.ChannelAdmin;
import dev.parley.server.channels.ChannelService;
import dev.parley.server.channels.MemberQuery;
import dev.parley.server.chat.ChatCore;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.messages.MessageService;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.messages.MessageWriter;
import dev.parley.server.messages.ReactionService;
import dev.parley.server.moderation.Bans;
import dev.parley.server.reads.ReadService;

/**
 * The chat core's services, built once per node over one {@link ChatCore}. Every service is thread-safe
 * and blocking (call from virtual threads).
 */
public final class Chat {
    private final ChatCore core;
    private final ChannelService channels;
    private final ChannelAdmin admin;
    private final MessageService messages;
    private final MessageEdits edits;
    private final ReactionService reactions;
    private final ReadService reads;
    private final MemberQuery members;
    private final dev.parley.server.messages.ThreadService threads;
    private final dev.parley.server.devices.DeviceService devices;

    private final MessageWriter writer;

    public Chat(ChatCore core) {
        this.core = core;
        this.writer = new MessageWriter(core.store());
        MessageViews views = new MessageViews(core.users(), core.store());
        this.channels = new ChannelService(core);
        this.admin = new ChannelAdmin(core, channels);
        this.messages = new MessageService(
                core.store(),
                core.access(),
                core.users(),
                core.locks(),
                core.hub(),
                core.events(),
                core.clock(),
                writer,
                views,
                (author, cid, mayHaveChannelBan) -> Bans.checkMayPost(core, author, cid, mayHaveChannelBan));
        this.edits = new MessageEdits(
                core.store(), core.access(), core.users(), core.locks(), core.events(), core.clock(), views, messages);
        this.reactions = new ReactionService(
                core.store(), core.users(), core.locks(), core.hub(), core.events(), core.clock(), views, messages);
        this.reads = new ReadService(core);
        this.members = new MemberQuery(core, channels);
        this.threads = new dev.parley.server.messages.ThreadService(
                core.store(), core.access(), views, channels::watch, messages);
        this.devices = new dev.parley.server.devices.DeviceService(core.store(), core.clock());
    }

    public ChatCore core() {
        return core;
    }

    public ChannelService channels() {
        return channels;
    }

    public ChannelAdmin admin() {
        return admin;
    }

    public MessageService messages() {
        return messages;
    }

    public MessageEdits edits() {
        return edits;
    }

    public ReactionService reactions() {
        return reactions;
    }

    public dev.parley.server.messages.ThreadService threads() {
        return threads;
    }

    public dev.parley.server.devices.DeviceService devices() {
        return devices;
    }

    public MemberQuery members() {
        return members;
    }

    public ReadService reads() {
        return reads;
    }

    /** Commits pending message sends; call before closing the store. */
    public void close() {
        writer.close();
    }
}
