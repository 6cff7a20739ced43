package dev.parley.server.push;

/** Where sends hand their new messages over for push (PROTOCOL.md §16.3); {@link PushService} is the node's. */
public interface PushIntake {
    /** Whether a new message of a channel of this type may be pushed: a send builds nothing for push when not. */
    boolean wants(String channelType);

    /** Hands a new message over; never blocks. */
    void newMessage(PushService.NewMessage m);
}
