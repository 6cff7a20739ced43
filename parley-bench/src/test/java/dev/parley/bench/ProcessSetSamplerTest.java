package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PostgreSQL's processes found by name and their CPU time summed over a window while they come and go. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessSetSamplerTest {

    @Test
    void thePostmasterItsBackendsAndItsProcessTitlesArePostgresOthersAreNot() {
        assertThat(ProcessSetSampler.isPostgres("postgres", "postgres: 15/main: walwriter \0"))
                .isTrue();
        assertThat(ProcessSetSampler.isPostgres("postgres", "")).isTrue();
        assertThat(ProcessSetSampler.isPostgres("postmaster", "")).isTrue();
        assertThat(ProcessSetSampler.isPostgres("bash", "/usr/lib/postgresql/15/bin/postgres\0-D\0/var/lib"))
                .isTrue();
        assertThat(ProcessSetSampler.isPostgres("x", "postgres: 15/main: postgres parley_bench 127.0.0.1(5) idle"))
                .isTrue();
        assertThat(ProcessSetSampler.isPostgres("psql", "psql\0-h\0127.0.0.1\0-U\0postgres"))
                .isFalse();
        assertThat(ProcessSetSampler.isPostgres("java", "java\0-jar\0postgres-tools.jar"))
                .isFalse();
        assertThat(ProcessSetSampler.isPostgres("postgres_expor", "postgres_exporter"))
                .isFalse();
    }

    @Test
    void aProcessStartedInsideCountsFromZeroAnEndedOneUpToItsLastReadingAndAReusedPidStartsOver() {
        ProcessSetSampler.Key postmaster = new ProcessSetSampler.Key(10, 100);
        ProcessSetSampler.Key backend = new ProcessSetSampler.Key(20, 500);
        ProcessSetSampler.Key ended = new ProcessSetSampler.Key(30, 400);
        ProcessSetSampler.Key reused = new ProcessSetSampler.Key(30, 900);
        ProcessSetSampler.Window w = new ProcessSetSampler.Window();
        w.begin(Map.of(postmaster, 1_000L, ended, 50L));
        w.observe(Map.of(postmaster, 1_001L, ended, 70L, backend, 5L));
        w.observe(Map.of(postmaster, 1_003L, backend, 12L, reused, 4L));
        // postmaster 3, ended 20 (its last reading), backend 12 and the new process on pid 30: 4, from 0
        assertThat(w.ticks()).isEqualTo(3 + 20 + 12 + 4);
        assertThat(w.processes()).isEqualTo(4);
    }

    @Test
    void theCpuTimeOfAMatchingProcessIsCountedOverTheWindow() throws Exception {
        String self = Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.UTF_8);
        ProcessSetSampler sampler = new ProcessSetSampler((comm, cmdline) -> cmdline.equals(self), Path.of("/proc"));
        assertThat(sampler.snapshot())
                .containsKey(new ProcessSetSampler.Key(ProcessHandle.current().pid(), startTicks()));
        sampler.start();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long from = mx.getCurrentThreadCpuTime();
        while (mx.getCurrentThreadCpuTime() - from < TimeUnit.MILLISECONDS.toNanos(300)) {
            Thread.onSpinWait(); // busy for 300 ms of CPU time
        }
        // whole ticks of 10 ms; the sampler's own thread and the JVM's add to it
        assertThat(sampler.stop()).isBetween(280L, 5_000L);
    }

    @Test
    void noMatchingProcessReadsAsMinusOne() {
        ProcessSetSampler sampler = new ProcessSetSampler((comm, cmdline) -> false, Path.of("/proc"));
        sampler.start();
        assertThat(sampler.stop()).isEqualTo(-1);
    }

    private static long startTicks() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }
}
