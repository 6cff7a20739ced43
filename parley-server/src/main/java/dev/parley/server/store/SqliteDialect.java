package dev.parley.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * SQLite's JSON1 functions. A custom key is bound as the JSON path {@code $."key"}; keys are validated
 * identifiers without quotes, so the path always names exactly one top-level key.
 */
final class SqliteDialect implements SqlDialect {
    private final String doc;

    SqliteDialect() {
        this("users.custom");
    }

    private SqliteDialect(String doc) {
        this.doc = doc;
    }

    @Override
    public boolean keepsStatements() {
        return true;
    }

    @Override
    public SqlDialect onDocument(String column) {
        return new SqliteDialect(column);
    }

    @Override
    public String jsonParam() {
        return "?";
    }

    @Override
    public String greatest() {
        return "max";
    }

    @Override
    public void customScalar(SqlBuilder b, String key, Scalar type) {
        String path = path(key);
        switch (type) {
            case STRING ->
                b.sql("(CASE WHEN json_type(" + doc + ", ")
                        .param(path)
                        .sql(") = 'text' THEN json_extract(" + doc + ", ")
                        .param(path)
                        .sql(") END)");
            case NUMBER ->
                b.sql("(CASE WHEN json_type(" + doc + ", ")
                        .param(path)
                        .sql(") IN ('integer', 'real') THEN json_extract(" + doc + ", ")
                        .param(path)
                        .sql(") END)");
            case BOOLEAN ->
                b.sql("(CASE json_type(" + doc + ", ").param(path).sql(") WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)");
        }
    }

    @Override
    public void customExists(SqlBuilder b, String key) {
        b.sql("COALESCE(json_type(" + doc + ", ").param(path(key)).sql("), 'null') <> 'null'");
    }

    @Override
    public void customJsonEquals(SqlBuilder b, String key, String json) {
        b.sql("(json_type(" + doc + ", ")
                .param(path(key))
                .sql(") IN ('array', 'object') AND json_extract(" + doc + ", ")
                .param(path(key))
                .sql(") = json(")
                .param(json)
                .sql("))");
    }

    @Override
    public void arrayContains(SqlBuilder b, String column, @Nullable String key, JsonNode element) {
        if (key == null) {
            b.sql("EXISTS (SELECT 1 FROM json_each(users." + column + ") AS e WHERE ");
        } else {
            b.sql("(json_type(" + doc + ", ")
                    .param(path(key))
                    .sql(") = 'array' AND EXISTS (SELECT 1 FROM json_each(" + doc + ", ")
                    .param(path(key))
                    .sql(") AS e WHERE ");
        }
        elementMatch(b, element);
        b.sql(key == null ? ")" : "))");
    }

    @Override
    public void arrayNotEmpty(SqlBuilder b, String column) {
        b.sql("json_array_length(users." + column + ") > 0");
    }

    @Override
    public void customSortKey(SqlBuilder b, String key) {
        b.sql("json_extract(" + doc + ", ").param(path(key)).sql(")");
    }

    private static void elementMatch(SqlBuilder b, JsonNode element) {
        if (element.isTextual()) {
            b.sql("e.type = 'text' AND e.value = ").param(element.asText());
        } else if (element.isNumber()) {
            b.sql("e.type IN ('integer', 'real') AND e.value = ").param(JsonValues.number(element));
        } else if (element.isBoolean()) {
            b.sql("e.type = ").param(element.asBoolean() ? "true" : "false");
        } else {
            b.sql("e.type = 'null'");
        }
    }

    private static String path(String key) {
        return "$.\"" + key + "\"";
    }
}
