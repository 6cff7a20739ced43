package dev.parley.server.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.User;
import dev.parley.server.store.Store;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.WriteBatch;
import dev.parley.server.users.StoreWriter;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group commit of user writes, against a store that refuses one user. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StoreWriterTest {
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");

    /** Applies batches (the first only once {@code release} opens) unless one holds the user "poison". */
    private static final class RefusingStore {
        final CountDownLatch release = new CountDownLatch(1);
        final List<Integer> refusedBatchSizes = Collections.synchronizedList(new ArrayList<>());
        final Set<String> stored = Collections.synchronizedSet(new java.util.HashSet<>());

        Store proxy() {
            return (Store) Proxy.newProxyInstance(
                    Store.class.getClassLoader(),
                    new Class<?>[] {Store.class},
                    (p, method, args) -> switch (method.getName()) {
                        case "apply" -> {
                            release.await();
                            WriteBatch batch = (WriteBatch) args[0];
                            if (batch.users().stream().anyMatch(u -> u.id().equals("poison"))) {
                                refusedBatchSizes.add(batch.users().size());
                                throw new StoreException("postgresql: apply batch failed: invalid byte sequence", null);
                            }
                            batch.users().forEach(u -> stored.add(u.id()));
                            yield null;
                        }
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void aBatchThatFailsIsRetriedOneByOneSoOnlyTheBadWriteFails() throws Exception {
        RefusingStore store = new RefusingStore();
        try (StoreWriter writer = new StoreWriter(store.proxy())) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String id = i == 37 ? "poison" : "u" + i;
                done.add(writer.saveUser(User.create(id, T0), YearMonth.of(2026, 2)));
            }
            store.release.countDown();

            for (int i = 0; i < 100; i++) {
                if (i == 37) {
                    assertFailsWithStoreException(done.get(i));
                } else {
                    assertThat(done.get(i).get(10, TimeUnit.SECONDS)).isNull();
                }
            }
        }
        assertThat(store.stored).hasSize(99).doesNotContain("poison");
        assertThat(store.refusedBatchSizes)
                .as("the bad write was first tried in a batch with others, then alone")
                .contains(1)
                .anyMatch(size -> size > 1);
    }

    private static void assertFailsWithStoreException(CompletableFuture<Void> f)
            throws TimeoutException, InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("the poisoned write succeeded");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StoreException.class);
        }
    }
}
