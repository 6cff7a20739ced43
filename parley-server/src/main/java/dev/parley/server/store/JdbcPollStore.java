package dev.parley.server.store;

import static dev.parley.server.store.Jdbc.chunks;
import static dev.parley.server.store.Jdbc.in;
import static dev.parley.server.store.Jdbc.list;
import static dev.parley.server.store.Jdbc.micros;
import static dev.parley.server.store.Jdbc.nullable;
import static dev.parley.server.store.Jdbc.requiredInstant;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.protocol.Json;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** The {@link PollStore} on JDBC, shared by SQLite and PostgreSQL (migration V14). */
final class JdbcPollStore implements PollStore {
    private static final String POLL_COLUMNS = "id, name, created_by_id, message_id, cid, voting_visibility, "
            + "enforce_unique_vote, max_votes_allowed, allow_answers, allow_user_suggested_options, is_closed, doc, "
            + "created_at, updated_at";
    private static final String OPTION_COLUMNS = "poll_id, id, position, text, custom, created_at, updated_at";
    static final String VOTE_COLUMNS = "id, poll_id, user_id, option_id, answer_text, created_at, updated_at";

    private final Jdbc jdbc;

    JdbcPollStore(String kind, HikariDataSource reads, HikariDataSource writes, @Nullable StatementCache statements) {
        this.jdbc = new Jdbc(kind, reads, writes, false, statements);
    }

    @Override
    public boolean create(PollRow p, List<OptionRow> options) {
        return jdbc.write("create poll", c -> {
            SqlBuilder b = new SqlBuilder().sql("INSERT INTO polls (" + POLL_COLUMNS + ") VALUES (");
            pollValues(b, p).sql(") ON CONFLICT (id) DO NOTHING");
            if (Jdbc.update(c, b) == 0) {
                return false;
            }
            for (OptionRow o : options) {
                insertOption(c, o);
            }
            return true;
        });
    }

    @Override
    public Optional<PollRow> poll(String id) {
        return polls(List.of(id)).values().stream().findFirst();
    }

    @Override
    public Map<String, PollRow> polls(Collection<String> ids) {
        Map<String, PollRow> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(ids)) {
            SqlBuilder b = new SqlBuilder().sql("SELECT " + POLL_COLUMNS + " FROM polls WHERE id IN (");
            in(b, chunk).sql(")");
            jdbc.read("read polls", c -> list(c, b, JdbcPollStore::poll)).forEach(p -> out.put(p.id(), p));
        }
        return out;
    }

    @Override
    public Map<String, List<OptionRow>> options(Collection<String> pollIds) {
        Map<String, List<OptionRow>> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(pollIds)) {
            SqlBuilder b = new SqlBuilder().sql("SELECT " + OPTION_COLUMNS + " FROM poll_options WHERE poll_id IN (");
            in(b, chunk).sql(") ORDER BY poll_id, position, created_at, id");
            jdbc.read("read poll options", c -> list(c, b, JdbcPollStore::option))
                    .forEach(o -> out.computeIfAbsent(o.pollId(), k -> new ArrayList<>())
                            .add(o));
        }
        return out;
    }

    @Override
    public boolean update(PollRow p, @Nullable List<OptionRow> options) {
        return jdbc.write("update poll", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("UPDATE polls SET name = ")
                    .param(p.name())
                    .sql(", voting_visibility = ")
                    .param(p.votingVisibility())
                    .sql(", enforce_unique_vote = ")
                    .param(bit(p.enforceUniqueVote()))
                    .sql(", max_votes_allowed = ");
            nullable(b, p.maxVotesAllowed())
                    .sql(", allow_answers = ")
                    .param(bit(p.allowAnswers()))
                    .sql(", allow_user_suggested_options = ")
                    .param(bit(p.allowUserSuggestedOptions()))
                    .sql(", is_closed = ")
                    .param(bit(p.closed()))
                    .sql(", doc = ")
                    .param(Json.write(p.doc()))
                    .sql(", updated_at = ")
                    .param(micros(p.updatedAt()))
                    .sql(" WHERE id = ")
                    .param(p.id());
            if (Jdbc.update(c, b) == 0) {
                return false;
            }
            if (options != null) {
                SqlBuilder keep = new SqlBuilder()
                        .sql("DELETE FROM poll_options WHERE poll_id = ")
                        .param(p.id());
                SqlBuilder votes = new SqlBuilder()
                        .sql("DELETE FROM poll_votes WHERE poll_id = ")
                        .param(p.id())
                        .sql(" AND option_id IS NOT NULL");
                if (!options.isEmpty()) {
                    List<String> ids = options.stream().map(OptionRow::id).toList();
                    in(keep.sql(" AND id NOT IN ("), ids).sql(")");
                    in(votes.sql(" AND option_id NOT IN ("), ids).sql(")");
                }
                Jdbc.update(c, votes);
                Jdbc.update(c, keep);
                for (OptionRow o : options) {
                    SqlBuilder up = new SqlBuilder().sql("INSERT INTO poll_options (" + OPTION_COLUMNS + ") VALUES (");
                    optionValues(up, o)
                            .sql(
                                    ") ON CONFLICT (poll_id, id) DO UPDATE SET position = excluded.position, "
                                            + "text = excluded.text, custom = excluded.custom, updated_at = excluded.updated_at");
                    Jdbc.update(c, up);
                }
            }
            return true;
        });
    }

    @Override
    public boolean delete(String id) {
        return jdbc.write("delete poll", c -> {
            Jdbc.update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM poll_votes WHERE poll_id = ")
                            .param(id));
            Jdbc.update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM poll_options WHERE poll_id = ")
                            .param(id));
            return Jdbc.update(
                            c,
                            new SqlBuilder()
                                    .sql("DELETE FROM polls WHERE id = ")
                                    .param(id))
                    > 0;
        });
    }

    @Override
    public boolean attach(String pollId, String messageId, String cid) {
        return jdbc.write(
                        "attach poll",
                        c -> Jdbc.update(
                                c,
                                new SqlBuilder()
                                        .sql("UPDATE polls SET message_id = ")
                                        .param(messageId)
                                        .sql(", cid = ")
                                        .param(cid)
                                        .sql(" WHERE id = ")
                                        .param(pollId)
                                        .sql(" AND message_id IS NULL")))
                > 0;
    }

    @Override
    public void detach(String pollId, String messageId) {
        jdbc.execute(
                "detach poll",
                c -> Jdbc.update(
                        c,
                        new SqlBuilder()
                                .sql("UPDATE polls SET message_id = NULL, cid = NULL WHERE id = ")
                                .param(pollId)
                                .sql(" AND message_id = ")
                                .param(messageId)));
    }

    @Override
    public boolean addOption(OptionRow o) {
        return jdbc.write("add poll option", c -> {
            if (!lock(c, o.pollId())) {
                return false;
            }
            SqlBuilder b = new SqlBuilder().sql("INSERT INTO poll_options (" + OPTION_COLUMNS + ") VALUES (");
            optionValues(b, o).sql(") ON CONFLICT (poll_id, id) DO NOTHING");
            return Jdbc.update(c, b) > 0;
        });
    }

    @Override
    public boolean updateOption(OptionRow o) {
        return jdbc.write(
                        "update poll option",
                        c -> Jdbc.update(
                                c,
                                new SqlBuilder()
                                        .sql("UPDATE poll_options SET text = ")
                                        .param(o.text())
                                        .sql(", custom = ")
                                        .param(Json.write(o.custom()))
                                        .sql(", updated_at = ")
                                        .param(micros(o.updatedAt()))
                                        .sql(" WHERE poll_id = ")
                                        .param(o.pollId())
                                        .sql(" AND id = ")
                                        .param(o.id())))
                > 0;
    }

    @Override
    public boolean deleteOption(String pollId, String optionId) {
        return jdbc.write("delete poll option", c -> {
            Jdbc.update(
                    c,
                    new SqlBuilder()
                            .sql("DELETE FROM poll_votes WHERE poll_id = ")
                            .param(pollId)
                            .sql(" AND option_id = ")
                            .param(optionId));
            return Jdbc.update(
                            c,
                            new SqlBuilder()
                                    .sql("DELETE FROM poll_options WHERE poll_id = ")
                                    .param(pollId)
                                    .sql(" AND id = ")
                                    .param(optionId))
                    > 0;
        });
    }

    @Override
    public Optional<VoteChange> cast(String pollId, String userId, Function<List<VoteRow>, VoteChange> decide) {
        return jdbc.write("cast poll vote", c -> {
            if (!lock(c, pollId)) {
                return Optional.empty();
            }
            SqlBuilder mine = new SqlBuilder()
                    .sql("SELECT " + VOTE_COLUMNS + " FROM poll_votes WHERE poll_id = ")
                    .param(pollId)
                    .sql(" AND user_id = ")
                    .param(userId)
                    .sql(" ORDER BY created_at, id");
            VoteChange change = decide.apply(list(c, mine, JdbcPollStore::vote));
            for (VoteRow r : change.removed()) {
                Jdbc.update(
                        c,
                        new SqlBuilder()
                                .sql("DELETE FROM poll_votes WHERE id = ")
                                .param(r.id()));
            }
            VoteRow w = change.written();
            if (w != null) {
                SqlBuilder b = new SqlBuilder()
                        .sql("INSERT INTO poll_votes (" + VOTE_COLUMNS + ") VALUES (")
                        .param(w.id())
                        .sql(", ")
                        .param(w.pollId())
                        .sql(", ")
                        .param(w.userId())
                        .sql(", ");
                nullable(b, w.optionId()).sql(", ");
                nullable(b, w.answerText())
                        .sql(", ")
                        .param(micros(w.createdAt()))
                        .sql(", ")
                        .param(micros(w.updatedAt()))
                        .sql(") ON CONFLICT (id) DO UPDATE SET answer_text = excluded.answer_text, "
                                + "updated_at = excluded.updated_at");
                Jdbc.update(c, b);
            }
            return Optional.of(change);
        });
    }

    @Override
    public Optional<VoteRow> removeVote(String pollId, String voteId) {
        return jdbc.write("remove poll vote", c -> {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + VOTE_COLUMNS + " FROM poll_votes WHERE id = ")
                    .param(voteId)
                    .sql(" AND poll_id = ")
                    .param(pollId);
            List<VoteRow> found = list(c, b, JdbcPollStore::vote);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Jdbc.update(
                    c,
                    new SqlBuilder().sql("DELETE FROM poll_votes WHERE id = ").param(voteId));
            return Optional.of(found.getFirst());
        });
    }

    @Override
    public Map<String, List<VoteRow>> votesOf(Collection<String> pollIds, String userId) {
        Map<String, List<VoteRow>> out = new HashMap<>();
        for (List<String> chunk : chunks(pollIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + VOTE_COLUMNS + " FROM poll_votes WHERE user_id = ")
                    .param(userId)
                    .sql(" AND poll_id IN (");
            in(b, chunk).sql(") ORDER BY created_at, id");
            jdbc.read("read own poll votes", c -> list(c, b, JdbcPollStore::vote))
                    .forEach(v -> out.computeIfAbsent(v.pollId(), k -> new ArrayList<>())
                            .add(v));
        }
        return out;
    }

    @Override
    public Map<String, Tally> tallies(Collection<String> pollIds) {
        Map<String, Map<String, Integer>> byOption = new HashMap<>();
        Map<String, Integer> answers = new HashMap<>();
        for (List<String> chunk : chunks(pollIds)) {
            SqlBuilder b =
                    new SqlBuilder().sql("SELECT poll_id, option_id, count(*) FROM poll_votes WHERE poll_id IN (");
            in(b, chunk).sql(") GROUP BY poll_id, option_id");
            jdbc.read("count poll votes", c -> {
                Jdbc.forEach(c, b, rs -> {
                    String option = rs.getString(2);
                    if (option == null) {
                        answers.merge(rs.getString(1), rs.getInt(3), Integer::sum);
                    } else {
                        byOption.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                                .put(option, rs.getInt(3));
                    }
                });
                return Boolean.TRUE;
            });
        }
        Map<String, Tally> out = new HashMap<>();
        for (String id : pollIds) {
            Map<String, Integer> counts = byOption.getOrDefault(id, Map.of());
            int votes = counts.values().stream().mapToInt(Integer::intValue).sum();
            out.put(id, new Tally(counts, votes, answers.getOrDefault(id, 0)));
        }
        return out;
    }

    @Override
    public Map<String, List<VoteRow>> latestVotes(Collection<String> pollIds, int perOption) {
        Map<String, List<VoteRow>> out = new HashMap<>();
        for (List<String> chunk : chunks(pollIds)) {
            SqlBuilder b = new SqlBuilder()
                    .sql("SELECT " + VOTE_COLUMNS + " FROM (SELECT " + VOTE_COLUMNS + ", ROW_NUMBER() OVER ("
                            + "PARTITION BY poll_id, COALESCE(option_id, '') ORDER BY created_at DESC, id DESC) AS n "
                            + "FROM poll_votes WHERE poll_id IN (");
            in(b, chunk).sql(")) latest WHERE n <= ").param(perOption).sql(" ORDER BY created_at DESC, id DESC");
            jdbc.read("read latest poll votes", c -> list(c, b, JdbcPollStore::vote))
                    .forEach(v -> out.computeIfAbsent(v.pollId(), k -> new ArrayList<>())
                            .add(v));
        }
        return out;
    }

    @Override
    public List<PollRow> query(Query q) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + POLL_COLUMNS + " FROM polls WHERE (");
        PollQueryTranslator.POLLS.filter(b, q.filter());
        b.sql(")");
        if (q.visibleTo() != null) {
            b.sql(" AND (created_by_id = ")
                    .param(q.visibleTo())
                    .sql(" OR cid IN (SELECT cid FROM members WHERE user_id = ")
                    .param(q.visibleTo())
                    .sql("))");
        }
        PollQueryTranslator.POLLS.orderBy(b, q.sort());
        b.sql(" LIMIT ").param(q.limit()).sql(" OFFSET ").param(q.offset());
        return jdbc.read("query polls", c -> list(c, b, JdbcPollStore::poll));
    }

    @Override
    public List<VoteRow> queryVotes(String pollId, Filter filter, List<SortField> sort, int limit, int offset) {
        SqlBuilder b = new SqlBuilder()
                .sql("SELECT " + VOTE_COLUMNS + " FROM poll_votes WHERE poll_id = ")
                .param(pollId)
                .sql(" AND (");
        PollQueryTranslator.VOTES.filter(b, filter);
        b.sql(")");
        PollQueryTranslator.VOTES.orderBy(b, sort);
        b.sql(" LIMIT ").param(limit).sql(" OFFSET ").param(offset);
        return jdbc.read("query poll votes", c -> list(c, b, JdbcPollStore::vote));
    }

    /** Takes the poll's row lock for the rest of the transaction; false when the poll is gone. */
    private static boolean lock(Connection c, String pollId) throws SQLException {
        return Jdbc.update(
                        c,
                        new SqlBuilder()
                                .sql("UPDATE polls SET updated_at = updated_at WHERE id = ")
                                .param(pollId))
                > 0;
    }

    private static void insertOption(Connection c, OptionRow o) throws SQLException {
        SqlBuilder b = new SqlBuilder().sql("INSERT INTO poll_options (" + OPTION_COLUMNS + ") VALUES (");
        optionValues(b, o).sql(")");
        Jdbc.update(c, b);
    }

    private static SqlBuilder pollValues(SqlBuilder b, PollRow p) {
        b.param(p.id())
                .sql(", ")
                .param(p.name())
                .sql(", ")
                .param(p.createdById())
                .sql(", ");
        nullable(b, p.messageId()).sql(", ");
        nullable(b, p.cid())
                .sql(", ")
                .param(p.votingVisibility())
                .sql(", ")
                .param(bit(p.enforceUniqueVote()))
                .sql(", ");
        return nullable(b, p.maxVotesAllowed())
                .sql(", ")
                .param(bit(p.allowAnswers()))
                .sql(", ")
                .param(bit(p.allowUserSuggestedOptions()))
                .sql(", ")
                .param(bit(p.closed()))
                .sql(", ")
                .param(Json.write(p.doc()))
                .sql(", ")
                .param(micros(p.createdAt()))
                .sql(", ")
                .param(micros(p.updatedAt()));
    }

    private static SqlBuilder optionValues(SqlBuilder b, OptionRow o) {
        return b.param(o.pollId())
                .sql(", ")
                .param(o.id())
                .sql(", ")
                .param(o.position())
                .sql(", ")
                .param(o.text())
                .sql(", ")
                .param(Json.write(o.custom()))
                .sql(", ")
                .param(micros(o.createdAt()))
                .sql(", ")
                .param(micros(o.updatedAt()));
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    private static PollRow poll(ResultSet rs) throws SQLException {
        int max = rs.getInt(8);
        Integer maxVotes = rs.wasNull() ? null : max;
        return new PollRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getInt(7) != 0,
                maxVotes,
                rs.getInt(9) != 0,
                rs.getInt(10) != 0,
                rs.getInt(11) != 0,
                Json.parseObject(rs.getString(12), "stored poll"),
                requiredInstant(rs, 13),
                requiredInstant(rs, 14));
    }

    private static OptionRow option(ResultSet rs) throws SQLException {
        return new OptionRow(
                rs.getString(1),
                rs.getString(2),
                rs.getInt(3),
                rs.getString(4),
                Json.parseObject(rs.getString(5), "stored poll option"),
                requiredInstant(rs, 6),
                requiredInstant(rs, 7));
    }

    static VoteRow vote(ResultSet rs) throws SQLException {
        return new VoteRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                requiredInstant(rs, 6),
                requiredInstant(rs, 7));
    }
}
