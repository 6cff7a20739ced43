package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.Event;
import dev.parley.client.LogCapture;
import dev.parley.client.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class EventBusTest {
    final Instant now = Instant.parse("2026-03-02T09:00:00Z");

    @Test
    void aListenerThatThrowsIsLoggedAndTheOthersStillRun() {
        try (LogCapture log = new LogCapture()) {
            EventBus bus = new EventBus(Runnable::run, log.logger());
            List<Event> seen = new ArrayList<>();
            bus.subscribe(e -> true, e -> {
                throw new IllegalStateException("app bug");
            });
            bus.subscribe(e -> true, seen::add);
            bus.publish(Events.connectionChanged(true, now));
            assertThat(seen).hasSize(1);
            assertThat(log.warnings()).singleElement().asString().contains("connection.changed");
        }
    }

    @Test
    void aClosedSubscriptionReceivesNothing() {
        try (LogCapture log = new LogCapture()) {
            EventBus bus = new EventBus(Runnable::run, log.logger());
            List<Event> seen = new ArrayList<>();
            Subscription sub = bus.subscribe(e -> e.type().equals("connection.recovered"), seen::add);
            bus.publish(Events.connectionChanged(true, now));
            bus.publish(Events.connectionRecovered("c2", now));
            sub.close();
            sub.close();
            bus.publish(Events.connectionRecovered("c3", now));
            assertThat(seen).singleElement().extracting(Event::type).isEqualTo("connection.recovered");
            assertThat(bus.size()).isZero();
        }
    }
}
