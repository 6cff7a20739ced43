package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HotCacheTest {
    final HotCache<String, Integer> cache = new HotCache<>(100);

    @Test
    void aLoadedValueIsServedUntilAChangeDropsIt() {
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("k", k -> loads.incrementAndGet() * 10)).isEqualTo(10);
        assertThat(cache.get("k", k -> loads.incrementAndGet() * 10)).isEqualTo(10);
        cache.invalidate("k");
        assertThat(cache.peek("k")).isNull();
        assertThat(cache.get("k", k -> loads.incrementAndGet() * 10)).isEqualTo(20);
    }

    @Test
    void aChangeAloneIsAppliedAndOverlappingChangesDropTheValue() {
        cache.get("k", k -> 1);
        long t = cache.begin("k");
        cache.end("k", t, v -> v + 1);
        assertThat(cache.peek("k")).isEqualTo(2);

        long a = cache.begin("k");
        long b = cache.begin("k");
        cache.end("k", a, v -> v + 1);
        assertThat(cache.peek("k"))
                .as("the commit order of two overlapping changes is unknown")
                .isNull();
        cache.end("k", b, v -> v + 1);
        assertThat(cache.peek("k")).isNull();
    }

    @Test
    void aLoadThatRacesWithAChangeIsReturnedButNotInstalled() {
        Integer loaded = cache.get("k", k -> {
            long t = cache.begin("k"); // a write begins and commits while the load reads
            cache.end("k", t, v -> v + 1);
            return 5;
        });
        assertThat(loaded).isEqualTo(5);
        assertThat(cache.peek("k")).isNull();

        long inFlight = cache.begin("j");
        assertThat(cache.get("j", k -> 7)).isEqualTo(7);
        assertThat(cache.peek("j")).as("not while a change is in flight").isNull();
        cache.end("j", inFlight, v -> v + 1);
        assertThat(cache.get("j", k -> 8)).isEqualTo(8);
        assertThat(cache.peek("j")).isEqualTo(8);
    }

    @Test
    void invalidateAllAlsoStopsLoadsOfKeysItNeverSaw() {
        Integer loaded = cache.get("new", k -> {
            cache.invalidateAll();
            return 3;
        });
        assertThat(loaded).isEqualTo(3);
        assertThat(cache.peek("new")).isNull();
        Map<String, Integer> all = cache.getAll(List.of("x", "y"), keys -> {
            cache.invalidateAll();
            return Map.of("x", 1, "y", 2);
        });
        assertThat(all).containsEntry("x", 1).containsEntry("y", 2);
        assertThat(cache.peek("x")).isNull();
        cache.getAll(List.of("x", "y"), keys -> Map.of("x", 1, "y", 2));
        assertThat(cache.peek("y")).isEqualTo(2);
    }

    @Test
    void theCacheStaysWithinItsBound() {
        for (int i = 0; i < 1_000; i++) {
            cache.get("k" + i, k -> 1);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(100);
    }
}
