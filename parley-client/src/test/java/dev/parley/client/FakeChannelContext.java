package dev.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.internal.ChannelContext;
import dev.parley.client.internal.ChannelRegistry;
import dev.parley.client.internal.EventBus;
import dev.parley.client.internal.Events;
import dev.parley.client.internal.RestClient;
import dev.parley.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ChannelContext} for unit tests: records each REST call and answers with the queued replies
 * (or {@code {}}), on a manual clock, listeners run inline. No sockets, no threads.
 */
final class FakeChannelContext implements ChannelContext {
    final List<RestClient.Call> calls = new ArrayList<>();
    final Deque<JsonNode> replies = new ArrayDeque<>();
    final Set<String> watched = ConcurrentHashMap.newKeySet();
    final ChannelRegistry registry;
    final EventBus bus;
    CompletableFuture<String> connection = CompletableFuture.completedFuture("c1");
    Instant now = Instant.parse("2026-03-02T09:00:00Z");
    boolean disconnected;
    boolean serverSide;

    FakeChannelContext(String ownUserId, LogCapture log) {
        registry = new ChannelRegistry(ownUserId);
        bus = new EventBus(Runnable::run, log.logger());
    }

    /** Queues the answer of the next call. */
    FakeChannelContext reply(String json) {
        replies.add(Json.parse(json, "reply"));
        return this;
    }

    RestClient.Call last() {
        return calls.get(calls.size() - 1);
    }

    /** The channel {@code type:id} of this context, as {@code ChatClient.channel} makes it. */
    Channel channel(String type, String id) {
        return new Channel(this, registry.open(type, id, Json.object()));
    }

    /** Delivers a socket event as the client does: local state first, then listeners. */
    /** {@code messaging:general}, watched, with {@code messages} (JSON objects) in its first state. */
    Channel watchedGeneral(String... messages) {
        Channel c = channel("messaging", "general");
        reply(ChannelFixtures.state(messages));
        c.watch().join();
        return c;
    }

    Event receive(String json) {
        Event e = Events.parse(Json.parseObject(json, "event"), now);
        registry.apply(e, now);
        bus.publish(e);
        return e;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public void ensureActive() {
        if (disconnected) {
            throw new DisconnectedException("You can't use a channel after client.disconnectUser() was called");
        }
    }

    @Override
    public CompletableFuture<String> awaitConnection() {
        return connection;
    }

    @Override
    public CompletableFuture<JsonNode> send(RestClient.Call call) {
        calls.add(call);
        JsonNode r = replies.isEmpty() ? Json.object() : replies.poll();
        return CompletableFuture.completedFuture(r);
    }

    @Override
    public Set<String> watched() {
        return watched;
    }

    @Override
    public ChannelRegistry channels() {
        return registry;
    }

    @Override
    public EventBus bus() {
        return bus;
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public boolean serverSide() {
        return serverSide;
    }

    static ObjectNode body(RestClient.Call call) {
        return (ObjectNode) call.body();
    }
}
