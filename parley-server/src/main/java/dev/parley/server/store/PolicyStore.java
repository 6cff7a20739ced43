package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Moderation v2 policies (PROTOCOL.md §7.28): configurations by team and key, moderation rules, and the bans a
 * user made for the channels it creates later. Blocking and thread-safe; every write is one transaction.
 */
public interface PolicyStore {
    /**
     * One configuration.
     *
     * @param team {@code ""} for the app's own
     * @param doc the policy parts as given (without key, team and times)
     */
    record Config(String team, String key, ObjectNode doc, Instant createdAt, Instant updatedAt) {
        public Config {
            requireNonNull(team, "team");
            requireNonNull(key, "key");
            requireNonNull(doc, "doc");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(updatedAt, "updatedAt");
        }
    }

    /**
     * One moderation rule; {@code doc} holds its description, config keys, conditions and actions as given.
     */
    record Rule(
            String id,
            String team,
            String name,
            boolean enabled,
            String ruleType,
            ObjectNode doc,
            Instant createdAt,
            Instant updatedAt) {
        public Rule {
            requireNonNull(id, "id");
            requireNonNull(team, "team");
            requireNonNull(name, "name");
            requireNonNull(ruleType, "ruleType");
            requireNonNull(doc, "doc");
            requireNonNull(createdAt, "createdAt");
            requireNonNull(updatedAt, "updatedAt");
        }
    }

    /** A ban by {@code createdBy} of {@code targetId} in every channel {@code createdBy} creates from now on. */
    record FutureBan(
            String createdBy,
            String targetId,
            @Nullable String reason,
            boolean shadow,
            Instant createdAt,
            @Nullable Instant expires) {
        public FutureBan {
            requireNonNull(createdBy, "createdBy");
            requireNonNull(targetId, "targetId");
            requireNonNull(createdAt, "createdAt");
        }

        /** Whether the ban holds at {@code at}. */
        public boolean activeAt(Instant at) {
            return expires == null || expires.isAfter(at);
        }
    }

    /** A filtered, sorted page: the store refuses a field or operator it does not know with code 4. */
    record Page(Filter filter, List<SortField> sort, int limit, int offset) {
        public Page {
            requireNonNull(filter, "filter");
            sort = List.copyOf(sort);
            if (limit < 1) {
                throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
            }
            if (offset < 0) {
                throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
            }
        }
    }

    /** Stores {@code config}, replacing the one of the same team and key (whose {@code createdAt} is kept). */
    Config upsertConfig(Config config);

    Optional<Config> config(String team, String key);

    /** False when there was none. */
    boolean deleteConfig(String team, String key);

    /** Every configuration, for the send path's compiled rules; the caller bounds how many can exist. */
    List<Config> configs();

    /** Filterable: {@code key}, {@code team}, {@code created_at}, {@code updated_at}; the same sortable. */
    List<Config> configs(Page page);

    /** Stores {@code rule}, replacing the one of the same team and name (whose id and {@code createdAt} it keeps). */
    Rule upsertRule(Rule rule);

    Optional<Rule> rule(String id);

    /** False when there was none. */
    boolean deleteRule(String id);

    /** How many rules are stored. */
    int ruleCount();

    /**
     * Filterable: {@code id}, {@code name}, {@code team}, {@code enabled}, {@code rule_type}, {@code created_at},
     * {@code updated_at}; sortable by {@code name}, {@code enabled}, {@code team} and the times.
     */
    List<Rule> rules(Page page);

    /** Adds a future ban or replaces the one of the same creator and target. */
    void upsertFutureBan(FutureBan ban);

    /** False when there was none. */
    boolean deleteFutureBan(String createdBy, String targetId);

    /**
     * Future bans, oldest first; each argument null means any. {@code activeAt} leaves out the bans expired by
     * then.
     */
    List<FutureBan> futureBans(
            @Nullable String createdBy, @Nullable String targetId, @Nullable Instant activeAt, int limit, int offset);
}
