package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the SQL of SQLite and of PostgreSQL for the users table: JSON access to
 * {@code custom} and {@code teams}, JSON parameters, and the greatest-of function.
 *
 * <p>Methods that take a custom key append SQL and bind the key as a parameter; keys are validated by the
 * caller but never written into SQL text. Implementations are stateless and thread-safe.
 */
interface SqlDialect {

    /** The JSON type of a scalar operand, which decides how a custom value is extracted and compared. */
    enum Scalar {
        STRING,
        NUMBER,
        BOOLEAN
    }

    /**
     * Whether the stores keep prepared statements per connection ({@link StatementCache}). SQLite
     * compiles SQL in the client, so that keeping statements saves the compilation; PostgreSQL's driver
     * keeps server-side statements by itself.
     */
    default boolean keepsStatements() {
        return false;
    }

    /**
     * Whether a statement may change several tables at once through data-modifying {@code WITH} clauses
     * (PostgreSQL); the message append then takes one round trip instead of four.
     */
    default boolean writesInWithClauses() {
        return false;
    }

    /**
     * Whether a transaction can lock a channel by name until it ends ({@code pg_advisory_xact_lock}), which
     * several processes writing one database need (PostgreSQL).
     */
    default boolean hasChannelLocks() {
        return false;
    }

    /** A placeholder for a JSON document bound as a string, for example {@code CAST(? AS jsonb)}. */
    String jsonParam();

    /** The name of the two-argument greatest-of function. */
    String greatest();

    /**
     * Appends an expression that is the custom value under {@code key} as an SQL value when its JSON type is
     * {@code type}, and NULL otherwise (missing, null, or another type). A string compares as text, a
     * number numerically, a boolean as a boolean.
     */
    void customScalar(SqlBuilder b, String key, Scalar type);

    /** Appends a condition: the custom key is present and not JSON null. */
    void customExists(SqlBuilder b, String key);

    /** Appends a condition: the custom value under {@code key} equals the JSON array or object {@code json}. */
    void customJsonEquals(SqlBuilder b, String key, String json);

    /**
     * Appends a condition: the JSON array in the column {@code column} (when {@code key} is null) or under
     * the custom key {@code key} has an element equal to the scalar or JSON null {@code element}, with the
     * same JSON type. False when the value is not an array.
     */
    void arrayContains(SqlBuilder b, String column, @Nullable String key, JsonNode element);

    /** Appends a condition: the JSON array in {@code column} has at least one element. */
    void arrayNotEmpty(SqlBuilder b, String column);

    /** Appends a sort expression for a custom key, ordering values of one JSON type sensibly. */
    void customSortKey(SqlBuilder b, String key);

    /**
     * This dialect with its {@code custom*} methods (and {@link #arrayContains} with a key) reading the JSON
     * text or document in {@code column} instead of {@code users.custom}; for the chat tables.
     */
    SqlDialect onDocument(String column);
}
