package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.IDS_PER_QUERY;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.list;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@link Store} on JDBC that both databases share; a subclass supplies the pools and the dialect.
 *
 * <p>Reads go to the read pool, every write to the write pool, each write in one transaction. Writes take
 * rows in id order (users, then months and users, then days), so that two concurrent batches never wait
 * on each other in opposite orders. Thread-safe.
 */
abstract class JdbcStore implements Store {
    private final SqlDialect dialect;
    private final HikariDataSource reads;
    private final HikariDataSource writes;
    private final Jdbc jdbc;
    private final UserQueryTranslator translator;
    private final String upsertUser;
    private final ChatStore chat;
    private final ModerationStore moderation;
    private final HookStore hooks;
    private final PushStore push;
    private final PollStore polls;
    private final DraftStore drafts;
    private final ReminderStore reminders;
    private final ImportStore imports;
    private final LocationStore locations;
    private final PolicyStore policies;
    private final TaskStore tasks;
    private final ExportStore exports;
    private final StoreCaches caches;
    private final CachedChatStore hot;

    JdbcStore(SqlDialect dialect, HikariDataSource reads, HikariDataSource writes) {
        this(dialect, reads, writes, false);
    }

    /**
     * @param shared whether other processes write the database too (the nodes of a cluster): the chat's hot
     *     rows are kept in memory ({@link CachedChatStore}) either way, and a shared store's {@link #caches()}
     *     lets the other nodes drop what its writes change
     */
    JdbcStore(SqlDialect dialect, HikariDataSource reads, HikariDataSource writes, boolean shared) {
        this.dialect = requireNonNull(dialect, "dialect");
        this.reads = requireNonNull(reads, "reads");
        this.writes = requireNonNull(writes, "writes");
        StatementCache statements = dialect.keepsStatements() ? new StatementCache() : null;
        this.jdbc = new Jdbc(kind(), reads, writes, true, statements);
        this.translator = new UserQueryTranslator(dialect);
        this.upsertUser = UserRows.upsertSql(dialect);
        JdbcChatStore chatRows =
                new JdbcChatStore(getClass().getSimpleName(), dialect, reads, writes, statements, shared);
        JdbcModerationStore moderationRows =
                new JdbcModerationStore(getClass().getSimpleName(), reads, writes, statements);
        CachedChatStore hot = new CachedChatStore(chatRows);
        this.hot = hot;
        this.chat = hot;
        this.moderation = new CachedModerationStore(moderationRows, hot);
        this.caches = shared ? hot : StoreCaches.NONE;
        this.hooks = new JdbcHookStore(getClass().getSimpleName(), reads, writes, statements);
        this.push = new JdbcPushStore(getClass().getSimpleName(), reads, writes, statements);
        this.polls = new JdbcPollStore(getClass().getSimpleName(), reads, writes, statements);
        this.drafts = new JdbcDraftStore(getClass().getSimpleName(), reads, writes, statements);
        this.reminders = new JdbcReminderStore(getClass().getSimpleName(), reads, writes, statements);
        this.imports = new JdbcImportStore(getClass().getSimpleName(), reads, writes, statements);
        this.locations = new JdbcLocationStore(getClass().getSimpleName(), reads, writes, statements);
        this.policies = new JdbcPolicyStore(getClass().getSimpleName(), reads, writes, statements);
        this.tasks = new JdbcTaskStore(getClass().getSimpleName(), reads, writes, statements);
        this.exports = new JdbcExportStore(getClass().getSimpleName(), reads, writes, statements);
    }

    @Override
    public StoreCaches caches() {
        return caches;
    }

    @Override
    public ChatStore chat() {
        return chat;
    }

    @Override
    public ModerationStore moderation() {
        return moderation;
    }

    @Override
    public HookStore hooks() {
        return hooks;
    }

    @Override
    public PushStore push() {
        return push;
    }

    @Override
    public PollStore polls() {
        return polls;
    }

    @Override
    public DraftStore drafts() {
        return drafts;
    }

    @Override
    public ReminderStore reminders() {
        return reminders;
    }

    @Override
    public ImportStore imports() {
        return imports;
    }

    @Override
    public LocationStore locations() {
        return locations;
    }

    @Override
    public PolicyStore policies() {
        return policies;
    }

    @Override
    public TaskStore tasks() {
        return tasks;
    }

    @Override
    public ExportStore exports() {
        return exports;
    }

    @Override
    public Optional<User> findUser(String id) {
        requireNonNull(id, "id");
        return Optional.ofNullable(findUsers(List.of(id)).get(id));
    }

    @Override
    public Map<String, User> findUsers(Collection<String> ids) {
        requireNonNull(ids, "ids");
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        Map<String, User> found = new LinkedHashMap<>();
        for (int from = 0; from < distinct.size(); from += IDS_PER_QUERY) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + IDS_PER_QUERY));
            SqlBuilder b = new SqlBuilder().sql("SELECT " + UserRows.COLUMNS + " FROM users WHERE users.id IN (");
            in(b, chunk).sql(")");
            jdbc.read("find users", c -> list(c, b, UserRows::read)).forEach(u -> found.put(u.id(), u));
        }
        Map<String, User> ordered = new LinkedHashMap<>();
        distinct.stream().filter(found::containsKey).forEach(id -> ordered.put(id, found.get(id)));
        return Collections.unmodifiableMap(ordered);
    }

    @Override
    public List<User> queryUsers(UserQuery query) {
        requireNonNull(query, "query");
        SqlBuilder select = translator.select(query);
        return jdbc.read("query users", c -> list(c, select, UserRows::read));
    }

    @Override
    public boolean deleteUser(String id) {
        requireNonNull(id, "id");
        return jdbc.write("delete user", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void apply(WriteBatch batch) {
        requireNonNull(batch, "batch");
        if (batch.isEmpty()) {
            return;
        }
        jdbc.execute("apply batch", c -> {
            upsertUsers(c, batch.users());
            insertActiveUsers(c, batch.activeUsers());
            raisePeaks(c, batch.peakConnections());
        });
    }

    @Override
    public ImportBatch.Written importBatch(ImportBatch batch) {
        requireNonNull(batch, "batch");
        JdbcImport writer = new JdbcImport(upsertUser);
        try {
            ImportBatch.Written w = jdbc.write("import batch", c -> writer.write(c, batch));
            long n = importBatches.incrementAndGet();
            if (kind().equals("postgresql") && (n == 5 || n == 20 || n == 50 || n % 100 == 0)) {
                // PostgreSQL plans from table statistics that a bulk load outdates faster than autovacuum
                // refreshes them: with the tables' sizes unknown, the batch's IN lookups became sequential scans
                jdbc.write("import statistics", c -> {
                    try (java.sql.Statement st = c.createStatement()) {
                        st.execute("ANALYZE users, channels, members, messages, reactions, threads, "
                                + "thread_participants");
                    }
                    return Boolean.TRUE;
                });
            }
            return w;
        } finally {
            hot.dropAllEverywhere(); // the batch went around the caches: what they hold may be stale
        }
    }

    private final java.util.concurrent.atomic.AtomicLong importBatches = new java.util.concurrent.atomic.AtomicLong();

    private void upsertUsers(Connection c, List<User> users) throws SQLException {
        if (users.isEmpty()) {
            return;
        }
        Map<String, User> lastById = new TreeMap<>();
        users.forEach(u -> lastById.put(u.id(), u));
        try (PreparedStatement ps = c.prepareStatement(upsertUser)) {
            for (User u : lastById.values()) {
                UserRows.bindUpsert(ps, u);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertActiveUsers(Connection c, Map<YearMonth, ? extends Collection<String>> active)
            throws SQLException {
        if (active.isEmpty()) {
            return;
        }
        String sql = "INSERT INTO active_users (month, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<YearMonth, ? extends Collection<String>> e : new TreeMap<>(active).entrySet()) {
                for (String userId : e.getValue().stream().sorted().toList()) {
                    ps.setString(1, e.getKey().toString());
                    ps.setString(2, userId);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    private void raisePeaks(Connection c, Map<LocalDate, Integer> peaks) throws SQLException {
        if (peaks.isEmpty()) {
            return;
        }
        String sql = "INSERT INTO daily_peaks (day, peak) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET peak = "
                + dialect.greatest() + "(daily_peaks.peak, excluded.peak)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<LocalDate, Integer> e : new TreeMap<>(peaks).entrySet()) {
                ps.setString(1, e.getKey().toString());
                ps.setInt(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public long countActiveUsers(YearMonth month) {
        requireNonNull(month, "month");
        return jdbc.read("count active users", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM active_users WHERE month = ?")) {
                ps.setString(1, month.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public boolean isActiveUser(YearMonth month, String userId) {
        requireNonNull(month, "month");
        requireNonNull(userId, "userId");
        return jdbc.read("check active user", c -> {
            String sql = "SELECT 1 FROM active_users WHERE month = ? AND user_id = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, month.toString());
                ps.setString(2, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public Map<LocalDate, Integer> peakConnections(LocalDate from, LocalDate to) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from: " + from + " (expected: not after to: " + to + ")");
        }
        return jdbc.read("read peaks", c -> {
            String sql = "SELECT day, peak FROM daily_peaks WHERE day >= ? AND day <= ? ORDER BY day";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, from.toString());
                ps.setString(2, to.toString());
                Map<LocalDate, Integer> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(LocalDate.parse(rs.getString(1)), rs.getInt(2));
                    }
                }
                return Collections.unmodifiableMap(out);
            }
        });
    }

    @Override
    public Optional<ObjectNode> loadAppSettings() {
        return jdbc.read("load app settings", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT doc FROM app_settings WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                JsonNode doc = Json.parse(rs.getString(1), "stored app settings");
                return Optional.of((ObjectNode) doc);
            }
        });
    }

    @Override
    public void saveAppSettings(ObjectNode settings) {
        requireNonNull(settings, "settings");
        String json = Json.write(settings);
        jdbc.execute("save app settings", c -> {
            String sql = "INSERT INTO app_settings (id, doc) VALUES (1, " + dialect.jsonParam()
                    + ") ON CONFLICT (id) DO UPDATE SET doc = excluded.doc";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, json);
                ps.executeUpdate();
            }
        });
    }

    @Override
    public void close() {
        writes.close();
        reads.close();
    }
}
