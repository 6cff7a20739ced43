package dev.parley.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageAppend;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.Store;
import dev.parley.server.store.Stores;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The group commit of message sends against the embedded store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageWriterTest {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    @TempDir
    Path dir;

    static MessageRow message(String id, String cid, int second) {
        Instant at = T0.plusSeconds(second);
        return new MessageRow(
                id, cid, "ann", null, true, at, at, null, null, Json.object().put("id", id));
    }

    @Test
    void concurrentSendsToManyChannelsAreAllDurableAndDuplicatesAreReported() throws Exception {
        try (Store store = Stores.open(null, dir);
                MessageWriter writer = new MessageWriter(store.chat());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 8; c++) {
                store.chat()
                        .createChannel(
                                new ChannelRow(
                                        "messaging:c" + c,
                                        "messaging",
                                        "c" + c,
                                        "ann",
                                        null,
                                        T0,
                                        T0,
                                        null,
                                        null,
                                        null,
                                        false,
                                        false,
                                        0,
                                        0,
                                        0,
                                        Json.object()),
                                List.of());
            }
            List<Future<Boolean>> sent = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                sent.add(pool.submit(() ->
                        writer.append(new MessageAppend(message("m" + n, "messaging:c" + n % 8, n), null, true))));
            }
            for (Future<Boolean> f : sent) {
                assertThat(f.get()).isTrue();
            }

            boolean again = writer.append(new MessageAppend(message("m7", "messaging:c7", 1000), null, true));

            assertThat(again).isFalse();
            assertThat(store.chat().channelMessages("messaging:c3", MessageRange.latest(100)))
                    .hasSize(50);
            assertThat(store.chat().findChannel("messaging:c3").orElseThrow().messageCount())
                    .isEqualTo(50);
        }
    }
}
