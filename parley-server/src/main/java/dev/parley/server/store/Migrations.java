package dev.parley.server.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;

/**
 * Brings a database's schema to the current version with Flyway, from the versioned scripts under
 * {@code db/migration/<dialect>/} on the class path. Each script runs in its own transaction, applied
 * scripts are recorded with their checksum in {@code flyway_schema_history}, and a changed script
 * fails the start.
 */
final class Migrations {
    private Migrations() {}

    /**
     * Migrates the database of {@code dataSource}.
     *
     * @param folder {@code "sqlite"} or {@code "postgresql"}
     * @param schema the schema to create if missing and migrate, or null for the connection's default
     */
    static void migrate(DataSource dataSource, String folder, @Nullable String schema) {
        var config = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration/" + folder)
                .validateMigrationNaming(true);
        if (schema != null) {
            config.schemas(schema).defaultSchema(schema).createSchemas(true);
        }
        try {
            config.load().migrate();
        } catch (FlywayException e) {
            throw new StoreException(folder + ": database migration failed: " + e.getMessage(), e);
        }
    }
}
