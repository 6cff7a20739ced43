package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.DraftStore.Draft;
import dev.parley.server.store.LocationStore.Location;
import dev.parley.server.store.ReminderStore.Reminder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link DraftStore}, {@link ReminderStore} and {@link LocationStore} (migration V15), run against
 * every backend; a subclass supplies an empty store per test.
 */
@Timeout(value = 60, unit = SECONDS)
abstract class PersonalItemsStoreContractTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00.000001Z");

    protected Store store;

    protected abstract Store createStore();

    @BeforeEach
    void open() {
        store = createStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static ObjectNode message(String id, String text) {
        return Json.object().put("id", id).put("text", text);
    }

    private static PersonalQuery page(String user, String filter, String sort, int limit, int offset) {
        return new PersonalQuery(
                user,
                Filter.parse(Json.parse(filter, "filter")),
                SortField.parse(Json.parse(sort, "sort")),
                limit,
                offset);
    }

    @Test
    void aDraftIsOnePerUserAndChannelOrThreadAndASecondReplacesTheFirst() {
        DraftStore drafts = store.drafts();
        drafts.upsert(new Draft("ann", "messaging:a", "", T0, message("d1", "hello")));
        drafts.upsert(new Draft("ann", "messaging:a", "", T0.plusSeconds(5), message("d2", "hello again")));
        drafts.upsert(new Draft("ann", "messaging:a", "p1", T0.plusSeconds(1), message("d3", "in the thread")));
        drafts.upsert(new Draft("bob", "messaging:a", "", T0, message("d4", "bob's")));

        Draft channel = drafts.find("ann", "messaging:a", "").orElseThrow();
        assertThat(channel.message().path("id").asText()).isEqualTo("d2");
        assertThat(channel.createdAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(drafts.find("ann", "messaging:a", "p1")
                        .orElseThrow()
                        .message()
                        .path("text")
                        .asText())
                .isEqualTo("in the thread");
        assertThat(drafts.delete("ann", "messaging:a", "", T0))
                .as("a send before the draft was saved leaves it")
                .isFalse();
        assertThat(drafts.delete("ann", "messaging:a", "", T0.plusSeconds(5))).isTrue();
        assertThat(drafts.delete("ann", "messaging:a", "", null)).isFalse();
        assertThat(drafts.find("ann", "messaging:a", "")).isEmpty();
        assertThat(drafts.find("bob", "messaging:a", "")).isPresent();
    }

    @Test
    void theDraftsOfChannelsAreTheUsersOwnOfTheChannelsThemselves() {
        DraftStore drafts = store.drafts();
        drafts.upsert(new Draft("ann", "messaging:a", "", T0, message("a", "")));
        drafts.upsert(new Draft("ann", "messaging:a", "p", T0, message("ap", "")));
        drafts.upsert(new Draft("ann", "messaging:b", "", T0, message("b", "")));
        drafts.upsert(new Draft("ann", "messaging:c", "", T0, message("c", "")));
        drafts.upsert(new Draft("bob", "messaging:a", "", T0, message("x", "")));

        assertThat(ids(drafts.ofChannels("ann", List.of("messaging:a", "messaging:b", "messaging:z"))))
                .containsExactlyInAnyOrder("a", "b");
        assertThat(drafts.ofChannels("eve", List.of("messaging:a"))).isEmpty();
    }

    @Test
    void draftsAreListedPerUserNewestFirstAndFilteredByChannelThreadAndTime() {
        DraftStore drafts = store.drafts();
        drafts.upsert(new Draft("ann", "messaging:a", "", T0, message("a", "")));
        drafts.upsert(new Draft("ann", "messaging:b", "", T0.plusSeconds(2), message("b", "")));
        drafts.upsert(new Draft("ann", "messaging:b", "p", T0.plusSeconds(1), message("bp", "")));
        drafts.upsert(new Draft("bob", "messaging:a", "", T0.plusSeconds(3), message("x", "")));

        assertThat(ids(drafts.query(page("ann", "{}", "[]", 10, 0)))).containsExactly("b", "bp", "a");
        assertThat(ids(drafts.query(page("ann", "{}", "[{\"field\":\"created_at\",\"direction\":1}]", 10, 0))))
                .containsExactly("a", "bp", "b");
        assertThat(ids(drafts.query(page("ann", "{\"channel_cid\":\"messaging:b\"}", "[]", 10, 0))))
                .containsExactly("b", "bp");
        assertThat(ids(drafts.query(page("ann", "{\"parent_id\":{\"$exists\":true}}", "[]", 10, 0))))
                .containsExactly("bp");
        assertThat(ids(drafts.query(page("ann", "{\"parent_id\":{\"$exists\":false}}", "[]", 10, 0))))
                .containsExactly("b", "a");
        assertThat(ids(drafts.query(
                        page("ann", "{\"created_at\":{\"$gte\":\"2026-03-01T10:00:01.000001Z\"}}", "[]", 10, 0))))
                .containsExactly("b", "bp");
        assertThat(ids(drafts.query(page("ann", "{\"channel_cid\":{\"$in\":[\"messaging:a\"]}}", "[]", 10, 0))))
                .containsExactly("a");
        assertThat(ids(drafts.query(page("ann", "{}", "[]", 2, 1)))).containsExactly("bp", "a");
    }

    @Test
    void aDraftQueryOnAFieldOrOperatorTheStoreDoesNotKnowIsCode4() {
        assertThatThrownBy(() -> store.drafts().query(page("ann", "{\"text\":\"x\"}", "[]", 10, 0)))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("text");
        assertThatThrownBy(() -> store.drafts().query(page("ann", "{\"channel_cid\":{\"$gt\":\"a\"}}", "[]", 10, 0)))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("$gt");
        assertThatThrownBy(() ->
                        store.drafts().query(page("ann", "{}", "[{\"field\":\"channel_cid\",\"direction\":1}]", 10, 0)))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("channel_cid");
    }

    @Test
    void aReminderIsOnePerUserAndMessageAndAnUpdateReplacesItsTime() {
        ReminderStore reminders = store.reminders();
        assertThat(reminders.insert(new Reminder("ann", "m1", "messaging:a", T0, T0, T0)))
                .isTrue();
        assertThat(reminders.insert(new Reminder("ann", "m1", "messaging:a", null, T0, T0)))
                .isFalse();
        assertThat(reminders.insert(new Reminder("bob", "m1", "messaging:a", null, T0, T0)))
                .isTrue();

        assertThat(reminders.update(new Reminder("ann", "m1", "messaging:a", null, T0, T0.plusSeconds(1))))
                .isTrue();
        assertThat(reminders.update(new Reminder("ann", "nope", "messaging:a", null, T0, T0)))
                .isFalse();
        Reminder r = reminders.find("ann", "m1").orElseThrow();
        assertThat(r.remindAt()).isNull();
        assertThat(r.createdAt()).isEqualTo(T0);
        assertThat(r.updatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(reminders.ofMessages("bob", List.of("m1", "m2"))).containsOnlyKeys("m1");
        assertThat(reminders.delete("ann", "m1")).isTrue();
        assertThat(reminders.delete("ann", "m1")).isFalse();
        assertThat(reminders.find("bob", "m1")).isPresent();
    }

    @Test
    void remindersAreFilteredBySavedForLaterChannelAndTimeAndSortedWithoutTimeLast() {
        ReminderStore reminders = store.reminders();
        reminders.insert(new Reminder("ann", "m1", "messaging:a", T0.plusSeconds(60), T0, T0));
        reminders.insert(new Reminder("ann", "m2", "messaging:b", null, T0.plusSeconds(1), T0));
        reminders.insert(new Reminder("ann", "m3", "messaging:a", T0.plusSeconds(30), T0.plusSeconds(2), T0));
        reminders.insert(new Reminder("bob", "m4", "messaging:a", T0, T0, T0));

        assertThat(messages(reminders.query(page("ann", "{}", "[]", 10, 0)))).containsExactly("m1", "m2", "m3");
        assertThat(messages(reminders.query(page("ann", "{}", "[{\"field\":\"remind_at\",\"direction\":1}]", 10, 0))))
                .containsExactly("m3", "m1", "m2");
        assertThat(messages(reminders.query(page("ann", "{}", "[{\"field\":\"remind_at\",\"direction\":-1}]", 10, 0))))
                .containsExactly("m1", "m3", "m2");
        assertThat(messages(reminders.query(page("ann", "{\"remind_at\":{\"$exists\":false}}", "[]", 10, 0))))
                .containsExactly("m2");
        assertThat(messages(reminders.query(
                        page("ann", "{\"remind_at\":{\"$lte\":\"2026-03-01T10:00:30.000001Z\"}}", "[]", 10, 0))))
                .containsExactly("m3");
        assertThat(messages(reminders.query(page("ann", "{\"channel_cid\":\"messaging:a\"}", "[]", 10, 0))))
                .containsExactly("m1", "m3");
        assertThat(messages(reminders.query(page("ann", "{}", "[]", 1, 2)))).containsExactly("m3");
    }

    @Test
    void aDueReminderIsClaimedOnceAndAChangedTimeMakesItDueAgain() {
        ReminderStore reminders = store.reminders();
        reminders.insert(new Reminder("ann", "m1", "messaging:a", T0, T0, T0));
        reminders.insert(new Reminder("ann", "m2", "messaging:a", T0.plusSeconds(10), T0, T0));
        reminders.insert(new Reminder("ann", "m3", "messaging:a", null, T0, T0));

        List<Reminder> due = reminders.due(T0.plusSeconds(1), 10);
        assertThat(messages(due)).containsExactly("m1");
        assertThat(reminders.claim("ann", "m1", T0, T0.plusSeconds(1))).isTrue();
        assertThat(reminders.claim("ann", "m1", T0, T0.plusSeconds(1))).isFalse();
        assertThat(reminders.due(T0.plusSeconds(1), 10)).isEmpty();

        reminders.update(new Reminder("ann", "m1", "messaging:a", T0.plusSeconds(5), T0, T0.plusSeconds(2)));
        assertThat(reminders.claim("ann", "m1", T0, T0.plusSeconds(6))).isFalse(); // the old time is gone
        assertThat(messages(reminders.due(T0.plusSeconds(20), 10))).containsExactly("m1", "m2");
        assertThat(reminders.due(T0.plusSeconds(20), 1)).hasSize(1);
    }

    @Test
    void ofConcurrentClaimsOfOneDueReminderExactlyOneWins() throws Exception {
        ReminderStore reminders = store.reminders();
        reminders.insert(new Reminder("ann", "m1", "messaging:a", T0, T0, T0));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Callable<Boolean> claim = () -> reminders.claim("ann", "m1", T0, T0.plusSeconds(1));
            List<Future<Boolean>> results = pool.invokeAll(List.of(claim, claim, claim, claim));
            int won = 0;
            for (Future<Boolean> f : results) {
                won += f.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLiveLocationIsListedUntilItsEndAndAStaticOneNever() {
        LocationStore locations = store.locations();
        locations.upsert(new Location("m1", "messaging:a", "ann", "phone", 52.37, 4.89, T0.plusSeconds(60), T0, T0));
        locations.upsert(new Location("m2", "messaging:a", "ann", "phone", 1.5, -2.25, null, T0, T0));
        locations.upsert(new Location("m3", "messaging:b", "ann", "tab", 0, 0, T0.plusSeconds(5), T0, T0));
        locations.upsert(new Location("m4", "messaging:b", "bob", "tab", 0, 0, T0.plusSeconds(60), T0, T0));

        assertThat(locations.live("ann", T0, 10))
                .extracting(Location::messageId)
                .containsExactly("m1", "m3");
        assertThat(locations.live("ann", T0.plusSeconds(5), 10))
                .extracting(Location::messageId)
                .containsExactly("m1");
        assertThat(locations.live("ann", T0, 1)).hasSize(1);

        locations.upsert(new Location(
                "m1", "messaging:a", "ann", "phone", -33.86, 151.2, T0.plusSeconds(1), T0, T0.plusSeconds(1)));
        Location moved = locations.find("m1").orElseThrow();
        assertThat(moved.latitude()).isEqualTo(-33.86);
        assertThat(moved.longitude()).isEqualTo(151.2);
        assertThat(moved.endAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(moved.createdAt()).isEqualTo(T0);
        assertThat(moved.updatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(locations.find("m2").orElseThrow().endAt()).isNull();
        assertThat(locations.delete("m2")).isTrue();
        assertThat(locations.find("m2")).isEmpty();
    }

    private static List<String> ids(List<Draft> drafts) {
        return drafts.stream().map(d -> d.message().path("id").asText()).toList();
    }

    private static List<String> messages(List<Reminder> reminders) {
        return reminders.stream().map(Reminder::messageId).toList();
    }
}
