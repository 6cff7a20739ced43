package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** An exhausted connection pool is overload (503, code NOT_READY), not an internal error (500). */
class DatabaseBusyTest {

    @Test
    void aPoolTimeoutAnywhereInTheCausesIsTheDatabaseBeingBusy() {
        RuntimeException wrapped = new IllegalStateException(
                "postgresql: find users failed",
                new RuntimeException(new SQLTransientConnectionException("Connection is not available")));

        assertThat(RestApi.databaseBusy(wrapped)).isTrue();
    }

    @Test
    void otherFailuresStayInternalErrors() {
        assertThat(RestApi.databaseBusy(new IllegalStateException("bug", new NullPointerException())))
                .isFalse();
        assertThat(RestApi.databaseBusy(new RuntimeException(new java.sql.SQLException("syntax error"))))
                .isFalse();
    }
}
