package dev.parley.server;

import dev.parley.server.channels.ChannelAdmin;
import dev.parley.server.channels.ChannelService;
import dev.parley.server.channels.ChannelStates;
import dev.parley.server.channels.MemberQuery;
import dev.parley.server.chat.ChatCore;
import dev.parley.server.messages.MessageEdits;
import dev.parley.server.messages.MessageService;
import dev.parley.server.messages.MessageViews;
import dev.parley.server.messages.MessageWriter;
import dev.parley.server.messages.ReactionService;
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
        this.channels = new ChannelService(
                core.store(),
                core.access(),
                core.users(),
                core.hub(),
                core.presence(),
                core.events(),
                core.locks(),
                core.clock(),
                new ChannelStates(
                        core.store(),
                        core.moderation(),
                        core.users(),
                        core.hub(),
                        core.clock(),
                        (rows, viewer) -> MessageViews.forViewer(core, rows, viewer)));
        this.admin = new ChannelAdmin(
                core.store(),
                core.access(),
                core.users(),
                core.hub(),
                core.events(),
                core.locks(),
                core.clock(),
                channels);
        this.messages = new MessageService(core, writer);
        this.edits = new MessageEdits(core, messages);
        this.reactions = new ReactionService(core, messages);
        this.reads = new ReadService(core.store(), core.access(), core.locks(), core.events(), core.clock());
        this.members =
                new MemberQuery(core.store(), core.moderation(), core.access(), core.users(), core.clock(), channels);
        this.threads = new dev.parley.server.messages.ThreadService(core, channels::watch, messages);
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
