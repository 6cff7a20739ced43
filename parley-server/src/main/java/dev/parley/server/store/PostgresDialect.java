package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's jsonb operators. A custom key is bound as a text parameter of {@code ->} and {@code ->>};
 * extracted strings use the "C" collation, like the text columns, so both stores order alike.
 */
final class PostgresDialect implements SqlDialect {
    private final String doc;

    PostgresDialect() {
        this("users.custom");
    }

    private PostgresDialect(String doc) {
        this.doc = doc;
    }

    @Override
    public SqlDialect onDocument(String column) {
        return new PostgresDialect("CAST(" + column + " AS jsonb)");
    }

    @Override
    public boolean writesInWithClauses() {
        return true;
    }

    @Override
    public boolean hasChannelLocks() {
        return true;
    }

    @Override
    public String jsonParam() {
        return "CAST(? AS jsonb)";
    }

    @Override
    public String greatest() {
        return "GREATEST";
    }

    @Override
    public void customScalar(SqlBuilder b, String key, Scalar type) {
        b.sql("(CASE WHEN jsonb_typeof(" + doc + " -> CAST(").param(key).sql(" AS text)) = ");
        switch (type) {
            case STRING ->
                b.sql("'string' THEN (" + doc + " ->> CAST(").param(key).sql(" AS text)) COLLATE \"C\" END)");
            case NUMBER ->
                b.sql("'number' THEN CAST(" + doc + " ->> CAST(").param(key).sql(" AS text) AS numeric) END)");
            case BOOLEAN ->
                b.sql("'boolean' THEN CAST(" + doc + " ->> CAST(").param(key).sql(" AS text) AS boolean) END)");
        }
    }

    @Override
    public void customExists(SqlBuilder b, String key) {
        b.sql("COALESCE(jsonb_typeof(" + doc + " -> CAST(").param(key).sql(" AS text)), 'null') <> 'null'");
    }

    @Override
    public void customJsonEquals(SqlBuilder b, String key, String json) {
        b.sql("COALESCE(" + doc + " -> CAST(")
                .param(key)
                .sql(" AS text) = CAST(")
                .param(json)
                .sql(" AS jsonb), FALSE)");
    }

    @Override
    public void arrayContains(SqlBuilder b, String column, @Nullable String key, JsonNode element) {
        String wrapped = Json.write(Json.array().add(element));
        if (key == null) {
            b.sql("users." + column + " @> CAST(").param(wrapped).sql(" AS jsonb)");
        } else {
            b.sql("COALESCE(jsonb_typeof(" + doc + " -> CAST(")
                    .param(key)
                    .sql(" AS text)) = 'array' AND " + doc + " -> CAST(")
                    .param(key)
                    .sql(" AS text) @> CAST(")
                    .param(wrapped)
                    .sql(" AS jsonb), FALSE)");
        }
    }

    @Override
    public void arrayNotEmpty(SqlBuilder b, String column) {
        b.sql("jsonb_array_length(users." + column + ") > 0");
    }

    @Override
    public void customSortKey(SqlBuilder b, String key) {
        b.sql(doc + " -> CAST(").param(key).sql(" AS text)");
    }
}
