package dev.parley.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Copy-on-write while small, concurrent when large: {@link CompactSets}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CompactSetsTest {

    @Test
    void aSetStaysImmutableUpToSmallThenBecomesConcurrentAndEmptiesToNull() {
        Set<Integer> s = null;
        for (int i = 0; i < CompactSets.SMALL; i++) {
            Set<Integer> before = s;
            s = CompactSets.with(s, i);
            assertThat(s).isNotSameAs(before).hasSize(i + 1);
        }
        assertThat(s).isNotInstanceOf(ConcurrentHashMap.KeySetView.class);
        assertThat(CompactSets.with(s, 0))
                .as("adding a member again changes nothing")
                .isSameAs(s);

        Set<Integer> large = CompactSets.with(s, 100);
        assertThat(large).isInstanceOf(ConcurrentHashMap.KeySetView.class).hasSize(CompactSets.SMALL + 1);
        assertThat(CompactSets.with(large, 101)).isSameAs(large).contains(101);

        Set<Integer> small = CompactSets.with(null, 7);
        assertThat(CompactSets.without(CompactSets.with(small, 8), 7)).containsExactly(8);
        assertThat(CompactSets.without(small, 7)).isNull();
        assertThat(CompactSets.without(small, 99)).isSameAs(small);
        for (int i = 0; i < CompactSets.SMALL; i++) {
            large = CompactSets.without(large, i);
        }
        large = CompactSets.without(large, 100);
        assertThat(CompactSets.without(large, 101)).isNull();
    }

    @Test
    void countsGoUpAndDownAndAKeyAtZeroIsRemoved() {
        Map<String, Integer> m = CompactSets.count(null, "ann", 1);
        m = CompactSets.count(m, "ann", 1);
        m = CompactSets.count(m, "bob", 1);
        assertThat(m).containsEntry("ann", 2).containsEntry("bob", 1);

        m = CompactSets.count(m, "ann", -1);
        m = CompactSets.count(m, "bob", -1);
        assertThat(m).containsExactly(Map.entry("ann", 1));
        assertThat(CompactSets.count(m, "ann", -1)).isNull();

        Map<String, Integer> large = null;
        for (int i = 0; i <= CompactSets.SMALL; i++) {
            large = CompactSets.count(large, "u" + i, 1);
        }
        assertThat(large).isInstanceOf(ConcurrentHashMap.class).hasSize(CompactSets.SMALL + 1);
        assertThat(CompactSets.count(large, "u0", 1)).isSameAs(large).containsEntry("u0", 2);
    }
}
