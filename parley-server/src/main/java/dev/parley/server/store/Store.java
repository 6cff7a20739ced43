package dev.parley.server.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.User;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Durable storage of Parley: users, app settings and usage metering.
 *
 * <p>Two implementations pass the same contract suite: {@code SqliteStore} (embedded default, WAL) and
 * {@code PostgresStore}. Every method is blocking and thread-safe; callers run it off the network
 * threads. Every write method is atomic: it commits everything or nothing. Timestamps are kept with
 * microsecond precision, so a user read back equals the user written.
 */
public interface Store extends AutoCloseable {

    /** A short name for logs: {@code "sqlite"} or {@code "postgresql"}. */
    String kind();

    /** Where the data lives, for the start-up log (a file path, or a JDBC URL without password). */
    String location();

    Optional<User> findUser(String id);

    /** The users among {@code ids} that exist, keyed by id. */
    Map<String, User> findUsers(Collection<String> ids);

    /** Runs the query of {@code GET /users}: filter, sort, offset and limit, in the store. */
    List<User> queryUsers(UserQuery query);

    /** Deletes the user's row; false when there was none. */
    boolean deleteUser(String id);

    /**
     * Applies a batch in one transaction: this is the group commit through which every connect's writes
     * pass, so that many connects share one disk sync.
     */
    void apply(WriteBatch batch);

    /**
     * Writes one batch of an import (PROTOCOL.md §17) in one transaction: no events, no webhooks, no usage.
     * This store's caches are dropped, and so are those of the other nodes of a cluster when this store belongs to a
     * running node; a store opened by the command line tells no server, so no server may use it meanwhile.
     */
    ImportBatch.Written importBatch(ImportBatch batch);

    /** Number of distinct users recorded as active in {@code month}. */
    long countActiveUsers(YearMonth month);

    /** Whether {@code userId} is recorded as active in {@code month}. */
    boolean isActiveUser(YearMonth month, String userId);

    /** Stored daily peaks of concurrent connections for the days from {@code from} to {@code to}, inclusive. */
    Map<LocalDate, Integer> peakConnections(LocalDate from, LocalDate to);

    /** The stored app settings document, if any was saved. */
    Optional<ObjectNode> loadAppSettings();

    void saveAppSettings(ObjectNode settings);

    /** The chat tables of the same database (channels, members, messages, reactions, events). */
    ChatStore chat();

    /** The moderation tables of the same database (mutes, bans, flags, blocks). */
    ModerationStore moderation();

    /** The webhook outbox of the same database. */
    HookStore hooks();

    /** Push preferences and the devices push is sent to, in the same database. */
    PushStore push();

    /** Polls, their options and votes, in the same database. */
    PollStore polls();
    /** Users' drafts, in the same database. */
    DraftStore drafts();

    /** Message reminders and saved-for-later messages, in the same database. */
    ReminderStore reminders();

    /** Imports through the HTTP routes, in the same database. */
    ImportStore imports();

    /** Locations shared in messages, in the same database. */
    LocationStore locations();

    /** Moderation v2 configurations, moderation rules and bans of future channels, in the same database. */
    PolicyStore policies();

    /** Durable tasks (batches, exports), in the same database. */
    TaskStore tasks();

    /** The paged reads of a channel export, in the same database. */
    ExportStore exports();

    /** What this store keeps in memory, for the other nodes of a cluster to drop; {@link StoreCaches#NONE} here. */
    default StoreCaches caches() {
        return StoreCaches.NONE;
    }

    /** Closes the connection pool. */
    @Override
    void close();
}
