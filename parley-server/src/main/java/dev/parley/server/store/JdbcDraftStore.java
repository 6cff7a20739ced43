package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.requiredInstant;
import static dev.parley.server.store.Jdbc.update;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Json;
import dev.parley.server.store.PersonalQuerySql.Column;
import dev.parley.server.store.PersonalQuerySql.Kind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The {@link DraftStore} on JDBC, shared by SQLite and PostgreSQL (migration V15). */
final class JdbcDraftStore implements DraftStore {
    private static final String COLUMNS = "user_id, cid, parent_id, created_at, doc";
    private static final PersonalQuerySql QUERY = new PersonalQuerySql(
            "drafts",
            Map.of(
                    "channel_cid", new Column("cid", Kind.TEXT),
                    "parent_id", new Column("parent_id", Kind.TEXT_EMPTY_ABSENT),
                    "created_at", new Column("created_at", Kind.TIME)),
            Map.of("created_at", new Column("created_at", Kind.TIME)),
            "cid ASC, parent_id ASC");

    private final Jdbc jdbc;

    JdbcDraftStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public void upsert(Draft d) {
        jdbc.execute(
                "upsert draft",
                c -> update(
                        c,
                        new SqlBuilder()
                                .sql("INSERT INTO drafts (" + COLUMNS + ") VALUES (")
                                .param(d.userId())
                                .sql(", ")
                                .param(d.cid())
                                .sql(", ")
                                .param(d.parentId())
                                .sql(", ")
                                .param(micros(d.createdAt()))
                                .sql(", ")
                                .param(Json.write(d.message()))
                                .sql(") ON CONFLICT (user_id, cid, parent_id) DO UPDATE SET "
                                        + "created_at = excluded.created_at, doc = excluded.doc")));
    }

    @Override
    public Optional<Draft> find(String userId, String cid, String parentId) {
        SqlBuilder b = key(new SqlBuilder().sql("SELECT " + COLUMNS + " FROM drafts WHERE "), userId, cid, parentId);
        return jdbc.read("find draft", c -> list(c, b, JdbcDraftStore::draft)).stream()
                .findFirst();
    }

    @Override
    public List<Draft> ofChannels(String userId, Collection<String> cids) {
        List<Draft> out = new ArrayList<>();
        for (List<String> chunk : chunks(cids)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + COLUMNS + " FROM drafts WHERE user_id = ")
                    .param(userId)
                    .sql(" AND parent_id = '' AND cid IN (");
            in(b, chunk).sql(")");
            out.addAll(jdbc.read("drafts of channels", c -> list(c, b, JdbcDraftStore::draft)));
        }
        return out;
    }

    @Override
    public boolean delete(String userId, String cid, String parentId, java.time.@Nullable Instant savedBy) {
        SqlBuilder b = key(new SqlBuilder().sql("DELETE FROM drafts WHERE "), userId, cid, parentId);
        if (savedBy != null) {
            b.sql(" AND created_at <= ").param(micros(savedBy));
        }
        return jdbc.write("delete draft", c -> update(c, b)) > 0;
    }

    @Override
    public List<Draft> query(PersonalQuery q) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + COLUMNS + " FROM drafts WHERE user_id = ")
                .param(q.userId());
        QUERY.where(b, q.filter());
        QUERY.orderBy(b, q.sort(), "created_at DESC");
        b.sql(" LIMIT ").param(q.limit()).sql(" OFFSET ").param(q.offset());
        return jdbc.read("query drafts", c -> list(c, b, JdbcDraftStore::draft));
    }

    private static SqlBuilder key(SqlBuilder b, String userId, String cid, String parentId) {
        return b.sql("user_id = ")
                .param(userId)
                .sql(" AND cid = ")
                .param(cid)
                .sql(" AND parent_id = ")
                .param(parentId);
    }

    private static Draft draft(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Draft(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                requiredInstant(rs, 4),
                Json.parseObject(rs.getString(5), "stored draft"));
    }
}
