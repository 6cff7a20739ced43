package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's CPU time by thread group, read from this test's own process. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcSamplerTest {

    @Test
    void threadsAreGroupedByTheirTruncatedNames() {
        assertThat(ProcSampler.group("C2 CompilerThre")).isEqualTo("JIT");
        assertThat(ProcSampler.group("C1 CompilerThre")).isEqualTo("JIT");
        assertThat(ProcSampler.group("GC Thread#3")).isEqualTo("GC");
        assertThat(ProcSampler.group("G1 Conc#0")).isEqualTo("GC");
        assertThat(ProcSampler.group("multiThreadIoEv")).isEqualTo("event loops");
        assertThat(ProcSampler.group("epollEventLoopG")).isEqualTo("event loops");
        assertThat(ProcSampler.group("ForkJoinPool-1-")).isEqualTo("virtual-thread carriers");
        assertThat(ProcSampler.group("parley-store-wr")).isEqualTo("store writers");
        assertThat(ProcSampler.group("parley-message-")).isEqualTo("store writers");
        assertThat(ProcSampler.group("parley-webhooks")).isEqualTo("webhooks");
        assertThat(ProcSampler.group("parley-hook-wri")).isEqualTo("webhooks");
        assertThat(ProcSampler.group("VM Thread")).isEqualTo("other");
        assertThat(ProcSampler.group("centrifuge-peer")).isEqualTo("other");
    }

    @Test
    void aNewThreadCountsFromZeroAnEndedOneIsLeftOutAndAReusedIdStartsOver() {
        Map<Long, ProcSampler.ThreadTime> before = Map.of(
                1L, new ProcSampler.ThreadTime("C2 CompilerThre", 500),
                2L, new ProcSampler.ThreadTime("GC Thread#0", 70),
                3L, new ProcSampler.ThreadTime("multiThreadIoEv", 900));
        Map<Long, ProcSampler.ThreadTime> after = Map.of(
                1L, new ProcSampler.ThreadTime("C2 CompilerThre", 530),
                3L, new ProcSampler.ThreadTime("multiThreadIoEv", 40),
                4L, new ProcSampler.ThreadTime("ForkJoinPool-1-", 20));
        assertThat(ProcSampler.cpuByGroup(before, after))
                .containsExactly(
                        Map.entry("JIT", 30L),
                        Map.entry("event loops", 40L),
                        Map.entry("virtual-thread carriers", 20L),
                        Map.entry("store writers", 0L),
                        Map.entry("webhooks", 0L),
                        Map.entry("GC", 0L),
                        Map.entry("other", 0L));
    }

    @Test
    void theCpuTimeOfAThreadOfThisProcessLandsInItsGroup() throws Exception {
        ProcSampler sampler = new ProcSampler(ProcessHandle.current().pid());
        Map<Long, ProcSampler.ThreadTime> before = sampler.threads();
        assertThat(before.values()).anyMatch(t -> t.name().contains("Compiler"));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CountDownLatch burnt = new CountDownLatch(1);
        CountDownLatch read = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().name("parley-store-writer").start(() -> {
            while (mx.getCurrentThreadCpuTime() < TimeUnit.MILLISECONDS.toNanos(100)) {
                Thread.onSpinWait(); // busy for 100 ms of CPU time
            }
            burnt.countDown();
            try {
                read.await(); // alive until read: an ended thread is left out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        burnt.await();
        Map<Long, ProcSampler.ThreadTime> after = sampler.threads();
        read.countDown();
        writer.join();
        // user and system time in whole ticks of 10 ms each: 100 ms of CPU time reads as 80 ms at least
        assertThat(ProcSampler.cpuByGroup(before, after).get("store writers")).isBetween(80L, 1000L);
        assertThat(after.values()).anyMatch(t -> t.name().equals("parley-store-wr"));
    }
}
