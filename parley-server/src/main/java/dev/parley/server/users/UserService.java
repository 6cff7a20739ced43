package dev.parley.server.users;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.User;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.StorableValues;
import dev.parley.server.store.Store;
import dev.parley.server.store.UserQuery;
import java.time.YearMonth;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes users. Every change of one user runs under that user's lock (striped), reads the
 * current value, and waits until the group commit of {@link StoreWriter} has made it durable, so that
 * concurrent connects and REST calls for one user never lose an update, while different users proceed in
 * parallel. A changed user is checked against {@link StorableValues} first: a value the store cannot keep
 * fails that change alone, with code 4.
 *
 * <p>Users with an open socket are kept in memory ({@link #pin}); the cache is therefore
 * bounded by the number of open sockets. In a cluster, each committed change is reported to the other nodes
 * ({@link #onChange}), which read the user again ({@link #reload}), and a change holds the user's lock of the
 * cluster too ({@link #inCluster}) and starts from the stored user, so that two nodes changing one user at once
 * (two tabs connecting through two nodes, an admin's update and a disconnect) never lose either change.
 * Blocking: call from virtual threads, never from an event loop.
 */
public final class UserService {
    private static final int STRIPES = 1024;

    private final Store store;
    private final StoreWriter writer;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final Map<String, User> connected = new ConcurrentHashMap<>();

    private volatile Consumer<String> onChange = id -> {};
    private volatile @Nullable ClusterLocks cluster;

    /** The cluster's per-user locks (docs/PROTOCOL.md §8.5), for a node of one. */
    public interface ClusterLocks {
        /**
         * Takes {@code userId}'s lock of the cluster, waiting for another node to release it (boundedly); the
         * lock expires by itself if its node dies holding it.
         */
        Held lock(String userId);
    }

    /** A lock taken; closing it releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public UserService(Store store, StoreWriter writer) {
        this.store = requireNonNull(store, "store");
        this.writer = requireNonNull(writer, "writer");
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Makes every change of a user hold its lock of the cluster as well, and start from the stored user. */
    public void inCluster(ClusterLocks locks) {
        cluster = requireNonNull(locks, "locks");
    }

    /** The current user, from memory when connected, else from the store. */
    public Optional<User> find(String id) {
        User u = connected.get(id);
        return u != null ? Optional.of(u) : store.findUser(id);
    }

    /** The user if this node keeps it in memory (it has sockets here), else null: never reads the store. */
    public @Nullable User inMemory(String id) {
        return connected.get(id);
    }

    /** The users of {@code ids} that exist: from memory for those connected, the others from the store. */
    public Map<String, User> findAll(Collection<String> ids) {
        List<String> missing = null;
        Map<String, User> held = null;
        for (String id : ids) {
            User u = connected.get(id);
            if (u == null) {
                if (missing == null) {
                    missing = new java.util.ArrayList<>();
                }
                missing.add(id);
            } else {
                if (held == null) {
                    held = new java.util.HashMap<>();
                }
                held.put(id, u);
            }
        }
        if (held == null) {
            return store.findUsers(ids);
        }
        Map<String, User> stored = missing == null ? Map.of() : store.findUsers(missing);
        Map<String, User> out = new java.util.LinkedHashMap<>();
        for (String id : ids) {
            User u = held.containsKey(id) ? held.get(id) : stored.get(id);
            if (u != null) {
                out.put(id, u);
            }
        }
        return out;
    }

    /** The user, or code 16. */
    public User require(String id) {
        return find(id).orElseThrow(() -> ChatException.notFound("user '" + id + "' does not exist"));
    }

    /**
     * Changes one user atomically.
     *
     * @param change receives the current user (null when none) and returns the new one; returning the
     *     same instance writes nothing
     * @param activeMonth when not null, the user is also recorded as active in that month in the same commit
     * @return the user after the change; null when {@code change} returned null (then nothing is written)
     */
    public @Nullable User update(String id, UnaryOperator<User> change, @Nullable YearMonth activeMonth) {
        return update(id, change, activeMonth, u -> {});
    }

    /**
     * As {@link #update(String, UnaryOperator, YearMonth)}, then runs {@code underLock} with the new user
     * before the user's lock is released: the connect and disconnect paths register sockets there, so
     * that presence never races with another socket of the same user.
     */
    public @Nullable User update(
            String id, UnaryOperator<User> change, @Nullable YearMonth activeMonth, Consumer<User> underLock) {
        ClusterLocks c = cluster;
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try (Held held = c == null ? () -> {} : c.lock(id)) {
            // In a cluster the copy kept here may miss another node's change that is still on its way.
            User current =
                    c == null ? find(id).orElse(null) : store.findUser(id).orElse(null);
            User next = change.apply(current);
            if (next == null) {
                return null;
            }
            if (next != current && (current == null || !UserRules.sameData(current, next))) {
                // Before the write joins a group commit: a value the store refuses must fail this write alone.
                // Data already stored is not checked again, so that a user stored before a rule existed can
                // still connect and go offline.
                StorableValues.checkUser(next);
            }
            if (next != current || activeMonth != null) {
                await(writer.saveUser(next, activeMonth));
                connected.computeIfPresent(id, (k, v) -> next);
                if (next != current) {
                    onChange.accept(id);
                }
            }
            underLock.accept(next);
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps the user in memory while it has open sockets; call under the user's lock (in {@code underLock}). */
    public void pin(User user) {
        connected.put(user.id(), user);
    }

    /** Ends {@link #pin}; call under the user's lock. */
    public void unpin(String id) {
        connected.remove(id);
    }

    /** Deletes the user's row. */
    public boolean delete(String id) {
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            connected.remove(id);
            boolean deleted = store.deleteUser(id);
            onChange.accept(id);
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /** Receives the id of each user this node changed or deleted, after the commit; one listener at a time. */
    public void onChange(Consumer<String> listener) {
        onChange = requireNonNull(listener, "listener");
    }

    /**
     * Reads a user kept in memory again, under its lock: another node changed or deleted it. A user deleted
     * elsewhere stays pinned as last seen until its sockets close.
     */
    public void reload(String id) {
        if (!connected.containsKey(id)) {
            return;
        }
        ReentrantLock lock = lockOf(id);
        lock.lock();
        try {
            store.findUser(id).ifPresent(u -> connected.computeIfPresent(id, (k, v) -> u));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A user's row was written around this service (an import, PROTOCOL.md §17.5): reads it again if it is kept
     * in memory here, and tells the other nodes of a cluster to do the same.
     */
    public void writtenAround(String id) {
        reload(id);
        onChange.accept(id);
    }

    /** Reads every user kept in memory again: other nodes' changes may have been missed. */
    public void reloadAll() {
        List.copyOf(connected.keySet()).forEach(this::reload);
    }

    private ReentrantLock lockOf(String id) {
        return locks[(id.hashCode() & 0x7fffffff) % STRIPES];
    }

    private static void await(java.util.concurrent.CompletableFuture<Void> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing", e);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        }
    }

    /** Users matching a filter (PROTOCOL.md §7.1, {@code GET /users}); at most {@link UserQuery#MAX_LIMIT}. */
    public List<User> query(Filter filter, List<SortField> sort, int limit, int offset, boolean includeDeactivated) {
        return store.queryUsers(
                new UserQuery(filter, sort, limit == 0 ? DEFAULT_QUERY_LIMIT : limit, offset, includeDeactivated));
    }

    /** Users a query returns when it names no limit. */
    public static final int DEFAULT_QUERY_LIMIT = UserQuery.DEFAULT_LIMIT;

    /** The most users one query returns. */
    public static final int MAX_QUERY_LIMIT = UserQuery.MAX_LIMIT;
}
