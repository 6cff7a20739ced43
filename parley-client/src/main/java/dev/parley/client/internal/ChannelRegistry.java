package dev.parley.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.client.Event;
import dev.parley.client.ReadEvent;
import dev.parley.protocol.EventType;
import dev.parley.protocol.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ChannelStore}s of one session, by cid: two channel objects for the same cid share one store.
 * Events are routed here on the scheduler thread before listeners see them, so a listener reading
 * {@code channel.state()} sees the event applied. Thread-safe.
 *
 * <p>Bounded by use: a store exists for each channel the app made, queried or was told about by an event
 * for a channel it already knows; events of unknown channels create nothing. Dropped on disconnect.
 */
public final class ChannelRegistry {
    private final Map<String, ChannelStore> byCid = new ConcurrentHashMap<>();
    private final @Nullable String ownUserId;

    /** @param ownUserId the connected user, or null for a server-side client */
    public ChannelRegistry(@Nullable String ownUserId) {
        this.ownUserId = ownUserId;
    }

    /** The store of {@code type:id}, made on first use with {@code data} as get-or-create data. */
    public ChannelStore open(String type, String id, @Nullable ObjectNode data) {
        return byCid.computeIfAbsent(type + ":" + id, k -> new ChannelStore(type, id, List.of(), data, ownUserId));
    }

    /** The store of the distinct channel of these members (§5.7), keyed locally until its id is known. */
    public ChannelStore openDistinct(String type, List<String> members, @Nullable ObjectNode data) {
        return byCid.computeIfAbsent(
                ChannelStore.localKey(type, members), k -> new ChannelStore(type, null, members, data, ownUserId));
    }

    /**
     * Loads a ChannelState into {@code store} (see {@link ChannelStore#load}); a distinct channel is
     * re-keyed by the id it learned.
     */
    public void load(ChannelStore store, JsonNode state, boolean mergeMessages) {
        String before = store.cid();
        store.load(state, mergeMessages);
        String after = store.cid();
        if (!after.equals(before)) {
            // The local key stays as an alias, so channel(type, members) again finds this same store.
            byCid.put(after, store);
        }
    }

    /** Loads each element of a {@code POST /channels} answer, making stores as needed; in answer order. */
    public List<ChannelStore> loadAll(JsonNode response) {
        List<ChannelStore> out = new ArrayList<>();
        for (JsonNode state : response.path("channels")) {
            JsonNode ch = state.path("channel");
            String type = Wire.requiredText(ch, "channel", "type");
            String id = Wire.requiredText(ch, "channel", "id");
            ChannelStore store = open(type, id, null);
            store.load(state, false);
            out.add(store);
        }
        return out;
    }

    /** Replaces a message known locally with a fresher copy from a response; unknown ones are ignored. */
    public void refresh(Message m) {
        if (m.cid() != null) {
            ChannelStore s = byCid.get(m.cid());
            if (s != null) {
                s.refresh(m);
            }
        }
    }

    /** Applies an event to the store of its channel, if there is one. */
    public void apply(Event event, Instant now) {
        if (event instanceof ReadEvent r
                && r.type().equals(EventType.NOTIFICATION_MARK_READ.wireName())
                && r.unreadChannels() == 0) {
            // no channel has unread messages any more: zero them all, as the JS SDK does (§7.8)
            new java.util.HashSet<>(byCid.values()).forEach(s -> s.markedRead(r.createdAt()));
            return;
        }
        event.channelCid().map(byCid::get).ifPresent(s -> s.apply(event, now));
    }

    /** The store of {@code cid}, or null. */
    public @Nullable ChannelStore get(String cid) {
        return byCid.get(cid);
    }

    /** Forgets every channel. */
    public void clear() {
        byCid.clear();
    }
}
