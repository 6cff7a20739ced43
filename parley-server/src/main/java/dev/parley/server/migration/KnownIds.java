package dev.parley.server.migration;

import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The users, channels and messages an import may refer to (PROTOCOL.md §17.4): those of the file read so far and
 * those stored. In memory: bounded caches of ids found, so that most references cost no query; past a cache's
 * bound the oldest entries are dropped and asked of the store again. A dry run writes nothing, so it also keeps
 * the file's ids as 64-bit hashes in {@link LongSet}s (bounded; past the bound a reference to an id of the file
 * that is no longer cached is asked of the store, and reported if it is not there). Every run keeps the file's
 * message ids so, for {@link #hasMessage}. Not thread-safe.
 */
final class KnownIds {
    static final int CACHE_ENTRIES = 20_000;

    /** Where a message is: its channel (null when only its hash is known) and whether it is a reply. */
    record MessageRef(@Nullable String cid, boolean reply) {}

    private final Store store;
    private final boolean dryRun;
    private final Map<String, Boolean> users = lru();
    private final Map<String, Boolean> channels = lru();
    private final Map<String, MessageRef> messages = lru();
    private final LongSet fileUsers = new LongSet();
    private final LongSet fileChannels = new LongSet();
    private final LongSet fileMessages = new LongSet();
    private final LongSet fileReplies = new LongSet();

    KnownIds(Store store, boolean dryRun) {
        this.store = store;
        this.dryRun = dryRun;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CACHE_ENTRIES;
            }
        };
    }

    void addUser(String id) {
        users.put(id, Boolean.TRUE);
        if (dryRun) {
            fileUsers.add(LongSet.hash(id));
        }
    }

    void addChannel(String cid) {
        channels.put(cid, Boolean.TRUE);
        if (dryRun) {
            fileChannels.add(LongSet.hash(cid));
        }
    }

    void addMessage(String id, String cid, boolean reply) {
        messages.put(id, new MessageRef(cid, reply));
        fileMessages.add(LongSet.hash(id)); // for hasMessage, in every run
        if (dryRun) {
            if (reply) {
                fileReplies.add(LongSet.hash(id));
            }
        }
    }

    /** Called after a batch is committed; nothing to do while every id stays cached or stored. */
    void committed() {}

    boolean user(String id) {
        if (users.containsKey(id) || (dryRun && fileUsers.contains(LongSet.hash(id)))) {
            return true;
        }
        boolean found = store.findUser(id).isPresent();
        if (found) {
            users.put(id, Boolean.TRUE);
        }
        return found;
    }

    boolean channel(String cid) {
        if (channels.containsKey(cid) || (dryRun && fileChannels.contains(LongSet.hash(cid)))) {
            return true;
        }
        boolean found = store.chat().findChannel(cid).isPresent();
        if (found) {
            channels.put(cid, Boolean.TRUE);
        }
        return found;
    }

    /**
     * Whether message {@code id} is earlier in the file or stored, for a reference that needs nothing more (a
     * reaction's message, a quoted message): a file's message past the cache is found by its hash, with no
     * query, so that reactions in any order cost no lookup each.
     */
    boolean hasMessage(String id) {
        return messages.containsKey(id) || fileMessages.contains(LongSet.hash(id)) || message(id) != null;
    }

    @Nullable
    MessageRef message(String id) {
        MessageRef ref = messages.get(id);
        if (ref != null) {
            return ref;
        }
        if (dryRun && fileMessages.contains(LongSet.hash(id))) {
            return new MessageRef(null, fileReplies.contains(LongSet.hash(id)));
        }
        Optional<MessageRow> m = store.chat().findMessage(id);
        if (m.isEmpty()) {
            return null;
        }
        ref = new MessageRef(m.get().cid(), m.get().parentId() != null);
        messages.put(id, ref);
        return ref;
    }
}
