package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.parley.bench.load.Result;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** W4's figures with and without PostgreSQL's CPU. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MeasureTest {
    private static final String PG_PER_MESSAGE = "PostgreSQL CPU µs per message";
    private static final String PER_CPU_SECOND =
            "messages per CPU-second of server without JIT plus PostgreSQL (floor, centrifuge: server only)";
    private static final String PER_CORE = "messages/s per server core (1e6 / CPU µs)";

    /** 1,000 messages for 1,100 ms of server CPU (100 of them JIT) and {@code dbCpuMillis} of PostgreSQL. */
    private static Map<String, Double> w4(String store, long dbCpuMillis) {
        Options o = Options.parse(new String[] {"w4", "--store", store});
        return new Measure(
                        Result.empty(),
                        Result.empty(),
                        1_000,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        -1,
                        0,
                        0,
                        5_000,
                        6_100,
                        Map.of("JIT", 100L),
                        dbCpuMillis,
                        10_000,
                        o)
                .figures();
    }

    @Test
    void onPostgresqlAMessageCostsTheServersCpuWithoutJitPlusPostgresqls() {
        Map<String, Double> f = w4("postgresql", 500);
        assertThat(f.get(PER_CORE)).isCloseTo(1_000, within(1e-6));
        assertThat(f.get(PG_PER_MESSAGE)).isCloseTo(500, within(1e-6));
        assertThat(f.get(PER_CPU_SECOND)).isCloseTo(1e6 / 1_500, within(1e-6));
    }

    @Test
    void aTargetWithoutADatabaseCountsItsServerOnly() {
        Map<String, Double> f = w4("postgresql", 0);
        assertThat(f.get(PG_PER_MESSAGE)).isZero();
        assertThat(f.get(PER_CPU_SECOND)).isEqualTo(f.get(PER_CORE));
    }

    @Test
    void postgresqlNotSeenLeavesBothFiguresUnknown() {
        Map<String, Double> f = w4("postgresql", -1);
        assertThat(f.get(PG_PER_MESSAGE)).isNaN();
        assertThat(f.get(PER_CPU_SECOND)).isNaN();
    }

    @Test
    void anSqliteRunHasNoPostgresqlFigures() {
        assertThat(w4("sqlite", 0))
                .doesNotContainKeys(PG_PER_MESSAGE, PER_CPU_SECOND)
                .containsEntry(PER_CORE, 1_000.0);
    }
}
