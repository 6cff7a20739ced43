package dev.parley.server.transport;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import dev.parley.server.testing.WsProbe;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A socket's first frame is its {@code health.check}, even while events for its user are being delivered as it
 * opens (docs/PROTOCOL.md §3): Stream's SDKs take the first frame for the handshake's answer, and a client that
 * took an event for it would have no connection id.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstFrameTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    @Test
    void everySocketOpenedWhileItsUserReceivesNotificationsGetsTheHealthCheckFirst() throws Exception {
        String ann = Seed.uid("ann");
        String bob = Seed.uid("bob");
        String id = Seed.uid("busy");
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, bob, id, ann, bob);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        RestClient asBob = RestClient.user(server, bob);
        Thread sender = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 20_000 && !done.get(); i++) {
                asBob.post("/channels/messaging/" + id + "/message", json("message", json("text", "n" + i)));
                sent.incrementAndGet();
            }
        });
        try {
            for (int i = 0; i < 150; i++) {
                try (WsProbe ws = WsProbe.connect(server, ann, server.userToken(ann), Json.object())) {
                    ObjectNode first = ws.next();
                    assertThat(first.path("type").asText())
                            .as("first frame of socket %d (after %d sends): %s", i, sent.get(), first)
                            .isEqualTo("health.check");
                }
            }
        } finally {
            done.set(true);
            sender.join();
        }
        assertThat(sent.get()).as("messages sent while the sockets opened").isPositive();
    }
}
