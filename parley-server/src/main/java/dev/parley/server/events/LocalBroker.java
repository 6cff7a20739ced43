package dev.parley.server.events;

import static java.util.Objects.requireNonNull;

import dev.parley.server.session.Session;
import dev.parley.server.usage.ConnectionRegistry;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The broker of a single node: resolves an audience against this node's connections (the watcher hub, the
 * presence hub, the connection registry) and queues the frames on them.
 *
 * <p>Sessions are grouped by their {@link Session#writer() writer}: each event loop gets one task that writes to
 * all of its sockets, rather than one cross-thread hand-off per socket. Each connection gets a
 * {@code retainedDuplicate} of the frame of its user; {@link Session#send} bounds what a connection may queue.
 * Thread-safe; never blocks.
 */
public final class LocalBroker implements Broker {
    private final ChannelHub watchers;
    private final PresenceHub presence;
    private final ConnectionRegistry registry;

    public LocalBroker(ChannelHub watchers, PresenceHub presence, ConnectionRegistry registry) {
        this.watchers = requireNonNull(watchers, "watchers");
        this.presence = requireNonNull(presence, "presence");
        this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public void publish(Delivery delivery) {
        Frames frames = delivery.frames();
        try {
            send(recipients(delivery.audience()), frames);
        } finally {
            frames.release();
        }
    }

    @Override
    public void disconnect(Audience audience, @Nullable Frames frames, int code, String reason) {
        try {
            for (Session s : recipients(audience)) {
                if (frames != null) {
                    s.send(frames.frameOf(s.userId()).retainedDuplicate());
                }
                s.close(code, reason);
            }
        } finally {
            if (frames != null) {
                frames.release();
            }
        }
    }

    @Override
    public boolean mayReach(Audience audience) {
        return switch (audience) {
            case Audience.PresenceOf p ->
                !presence.subscribersOf(p.userId()).isEmpty()
                        || (p.alsoOwnConnections() && registry.connectionCount(p.userId()) > 0);
            case Audience.Users u ->
                u.userIds().stream()
                        .anyMatch(user -> registry.connectionCount(user) > 0
                                && (u.unlessWatching() == null || !watchers.isWatching(user, u.unlessWatching())));
            default -> true;
        };
    }

    /** The open connections of this node that an audience names. */
    Collection<Session> recipients(Audience audience) {
        return switch (audience) {
            case Audience.Watchers w -> {
                Collection<Session> all = watchers.watchers(w.cid());
                List<String> only = w.onlyUserIds();
                yield w.exceptUserId() == null && only == null
                        ? all
                        : all.stream()
                                .filter(s -> !s.userId().equals(w.exceptUserId()))
                                .filter(s -> only == null || only.contains(s.userId()))
                                .toList();
            }
            case Audience.Users u -> {
                List<Session> out = new ArrayList<>();
                for (String user : u.userIds()) {
                    if (u.unlessWatching() == null || !watchers.isWatching(user, u.unlessWatching())) {
                        out.addAll(registry.sessionsOf(user));
                    }
                }
                yield out;
            }
            case Audience.PresenceOf p -> {
                Collection<Session> subs = presence.subscribersOf(p.userId());
                if (!p.alsoOwnConnections()) {
                    yield subs;
                }
                Set<Session> out = new LinkedHashSet<>(subs);
                out.addAll(registry.sessionsOf(p.userId()));
                yield out;
            }
            case Audience.Connection c ->
                registry.find(c.connectionId()).map(List::of).orElse(List.of());
        };
    }

    /** Queues each session's frame on it, one hand-off per event loop. Does not consume {@code frames}. */
    static void send(Collection<Session> sessions, Frames frames) {
        if (sessions.isEmpty()) {
            return;
        }
        Map<Executor, List<Session>> byWriter = new IdentityHashMap<>();
        for (Session s : sessions) {
            Executor w = s.writer();
            if (w == null || s.onWriter()) {
                s.send(frames.frameOf(s.userId()).retainedDuplicate());
            } else {
                byWriter.computeIfAbsent(w, k -> new ArrayList<>()).add(s);
            }
        }
        byWriter.forEach((w, batch) -> handOff(w, batch, frames));
    }

    private static void handOff(Executor writer, List<Session> batch, Frames frames) {
        frames.retain();
        try {
            writer.execute(() -> {
                try {
                    for (Session s : batch) {
                        ByteBuf frame = frames.frameOf(s.userId());
                        s.send(frame.retainedDuplicate());
                    }
                } finally {
                    frames.release();
                }
            });
        } catch (RejectedExecutionException e) {
            frames.release(); // the event loop is shutting down: its sockets are closing
        }
    }
}
