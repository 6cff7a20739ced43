package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Store}, run against every implementation. A subclass supplies an empty,
 * migrated store per test.
 */
@Timeout(value = 60, unit = SECONDS)
abstract class StoreContractTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456Z");

    protected Store store;

    /** A new, empty store; closed after each test. */
    protected abstract Store createStore();

    @BeforeEach
    void openStore() {
        store = createStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // ---- users: round trip, find, delete, apply

    @Test
    void userRoundTripKeepsEveryFieldAndNestedCustomData() {
        User maria = User.builder("maria")
                .role("admin")
                .teams(List.of("red", "blue"))
                .createdAt(T0)
                .updatedAt(T0.plusSeconds(1))
                .lastActive(T0.plusSeconds(2))
                .online(true)
                .invisible(true)
                .banned(true)
                .banExpires(T0.plusSeconds(3))
                .shadowBanned(true)
                .deactivatedAt(T0.plusSeconds(4))
                .deletedAt(T0.plusSeconds(5))
                .revokeTokensIssuedBefore(T0.plusSeconds(6))
                .custom(custom("""
                        {"name": "Maria López", "image": "https://cdn.example/m.png", "language": "",
                         "privacy_settings": {"typing_indicators": {"enabled": true}},
                         "scores": [1, 2.5, null, "x"], "emoji": "😀", "big": 12345678901234}"""))
                .build();
        store.apply(WriteBatch.ofUsers(List.of(maria)));

        User read = store.findUser("maria").orElseThrow();
        assertThat(read).isEqualTo(maria);
        assertThat(read.toJson()).isEqualTo(maria.toJson());
    }

    @Test
    void userWithoutOptionalFieldsReadsBackEqual() {
        User plain = User.builder("plain").build();
        store.apply(WriteBatch.ofUsers(List.of(plain)));

        assertThat(store.findUser("plain")).contains(plain);
    }

    @Test
    void findUserOfAnUnknownIdIsEmpty() {
        assertThat(store.findUser("nobody")).isEmpty();
    }

    @Test
    void findUsersReturnsOnlyExistingUsersKeyedById() {
        save(user("a"), user("b"), user("c"));

        Map<String, User> found = store.findUsers(List.of("c", "zz", "a", "a"));

        assertThat(found.keySet()).containsExactly("c", "a");
        assertThat(found.get("a")).isEqualTo(user("a"));
    }

    @Test
    void findUsersHandlesMoreIdsThanOneStatementTakes() {
        List<User> users = IntStream.range(0, 1200).mapToObj(i -> user("u" + i)).toList();
        store.apply(WriteBatch.ofUsers(users));

        List<String> ids = IntStream.range(0, 1300).mapToObj(i -> "u" + i).toList();

        assertThat(store.findUsers(ids)).hasSize(1200);
    }

    @Test
    void deleteUserRemovesTheRowAndReportsWhetherThereWasOne() {
        save(user("a"));

        assertThat(store.deleteUser("a")).isTrue();
        assertThat(store.deleteUser("a")).isFalse();
        assertThat(store.findUser("a")).isEmpty();
    }

    @Test
    void applyReplacesAUserWhole() {
        save(user("a").toBuilder().put("color", text("red")).online(true).build());
        User replaced = user("a").toBuilder().put("size", text("xl")).build();

        save(replaced);

        assertThat(store.findUser("a")).contains(replaced);
    }

    @Test
    void applyKeepsTheLastVersionOfAUserInOneBatch() {
        User first = user("a").toBuilder().role("guest").build();
        User last = user("a").toBuilder().role("admin").build();

        store.apply(WriteBatch.ofUsers(List.of(first, user("b"), last)));

        assertThat(store.findUser("a").orElseThrow().role()).isEqualTo("admin");
    }

    @Test
    void applyWritesFiveThousandUsersInOneBatch() {
        List<User> users = IntStream.range(0, 5000)
                .mapToObj(i -> user(String.format("bulk-%05d", i)).toBuilder()
                        .put("name", text("Bulk " + i))
                        .put("n", Json.mapper().getNodeFactory().numberNode(i))
                        .build())
                .toList();

        store.apply(new WriteBatch(
                users,
                Map.of(
                        YearMonth.of(2026, 1),
                        Set.copyOf(users.stream().map(User::id).toList())),
                Map.of(LocalDate.of(2026, 1, 1), 5000)));

        assertThat(store.findUser("bulk-04999")).contains(users.get(4999));
        assertThat(store.countActiveUsers(YearMonth.of(2026, 1))).isEqualTo(5000);
        assertThat(ids(query("{\"n\": {\"$gte\": 4998}}"))).containsExactly("bulk-04998", "bulk-04999");
    }

    @Test
    void emptyBatchChangesNothing() {
        store.apply(new WriteBatch(List.of(), Map.of(), Map.of()));

        assertThat(store.queryUsers(all())).isEmpty();
    }

    @Test
    void concurrentBatchesAllCommit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        List<User> users = IntStream.range(0, 20)
                                .mapToObj(k -> user("shared-" + k).toBuilder()
                                        .put("by", text("t" + thread))
                                        .build())
                                .toList();
                        store.apply(new WriteBatch(
                                users,
                                Map.of(YearMonth.of(2026, 2), Set.of("t" + thread)),
                                Map.of(LocalDate.of(2026, 2, 1), thread * 10 + i)));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(store.findUsers(
                        IntStream.range(0, 20).mapToObj(k -> "shared-" + k).toList()))
                .hasSize(20);
        assertThat(store.countActiveUsers(YearMonth.of(2026, 2))).isEqualTo(8);
        assertThat(store.peakConnections(LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 1)))
                .containsEntry(LocalDate.of(2026, 2, 1), 79);
    }

    // ---- usage metering and settings

    @Test
    void activeUsersCountEachUserOncePerMonth() {
        YearMonth jan = YearMonth.of(2026, 1);
        store.apply(new WriteBatch(List.of(), Map.of(jan, Set.of("a", "b")), Map.of()));
        store.apply(new WriteBatch(List.of(), Map.of(jan, Set.of("a")), Map.of()));

        assertThat(store.countActiveUsers(jan)).isEqualTo(2);
        assertThat(store.isActiveUser(jan, "a")).isTrue();
        assertThat(store.isActiveUser(jan, "c")).isFalse();
    }

    @Test
    void activeUsersOfDifferentMonthsAreCountedSeparately() {
        YearMonth jan = YearMonth.of(2026, 1);
        YearMonth feb = YearMonth.of(2026, 2);
        store.apply(new WriteBatch(List.of(), Map.of(jan, Set.of("a", "b"), feb, Set.of("a")), Map.of()));

        assertThat(store.countActiveUsers(jan)).isEqualTo(2);
        assertThat(store.countActiveUsers(feb)).isEqualTo(1);
        assertThat(store.countActiveUsers(YearMonth.of(2026, 3))).isZero();
        assertThat(store.isActiveUser(feb, "b")).isFalse();
    }

    @Test
    void peaksAreOnlyEverRaised() {
        LocalDate day = LocalDate.of(2026, 1, 5);
        store.apply(new WriteBatch(List.of(), Map.of(), Map.of(day, 10)));
        store.apply(new WriteBatch(List.of(), Map.of(), Map.of(day, 7)));

        assertThat(store.peakConnections(day, day)).containsExactly(Map.entry(day, 10));

        store.apply(new WriteBatch(List.of(), Map.of(), Map.of(day, 12)));

        assertThat(store.peakConnections(day, day)).containsExactly(Map.entry(day, 12));
    }

    @Test
    void peakConnectionsReturnsOnlyTheRequestedDaysInOrder() {
        LocalDate d1 = LocalDate.of(2026, 1, 30);
        LocalDate d2 = LocalDate.of(2026, 1, 31);
        LocalDate d3 = LocalDate.of(2026, 2, 1);
        store.apply(new WriteBatch(List.of(), Map.of(), Map.of(d3, 3, d1, 1, d2, 2)));

        assertThat(store.peakConnections(d2, d3)).containsExactly(Map.entry(d2, 2), Map.entry(d3, 3));
        assertThatThrownBy(() -> store.peakConnections(d3, d1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appSettingsAreEmptyUntilSavedAndReadBackEqual() {
        assertThat(store.loadAppSettings()).isEmpty();
        ObjectNode settings = (ObjectNode) Json.parse("""
                {"name": "demo", "permission_version": "v2", "file_upload_config": {"size_limit": 0},
                 "disable_auth_checks": true, "roles": ["user", "admin"]}""", "test");

        store.saveAppSettings(settings);
        assertThat(store.loadAppSettings()).contains(settings);

        ObjectNode replaced = Json.object().put("name", "other");
        store.saveAppSettings(replaced);
        assertThat(store.loadAppSettings()).contains(replaced);
    }

    @Test
    void kindAndLocationDescribeTheStore() {
        assertThat(store.kind()).isIn("sqlite", "postgresql");
        assertThat(store.location()).isNotBlank();
    }

    // ---- queryUsers: fields and operators

    @Test
    void emptyFilterReturnsEveryoneByCreationTimeThenId() {
        save(user("c", 1), user("b", 2), user("a", 2));

        assertThat(ids(store.queryUsers(all()))).containsExactly("c", "a", "b");
    }

    @Test
    void queryByIdUsesEqualityAndLists() {
        save(user("a"), user("b"), user("c"));

        assertThat(ids(query("{\"id\": \"b\"}"))).containsExactly("b");
        assertThat(ids(query("{\"id\": {\"$eq\": \"b\"}}"))).containsExactly("b");
        assertThat(ids(query("{\"id\": {\"$ne\": \"b\"}}"))).containsExactly("a", "c");
        assertThat(ids(query("{\"id\": {\"$in\": [\"a\", \"c\", \"x\"]}}"))).containsExactly("a", "c");
        assertThat(ids(query("{\"id\": {\"$nin\": [\"a\", \"c\"]}}"))).containsExactly("b");
        assertThat(ids(query("{\"id\": {\"$in\": []}}"))).isEmpty();
    }

    @Test
    void queryByIdComparesStrings() {
        save(user("a"), user("b"), user("c"));

        assertThat(ids(query("{\"id\": {\"$gt\": \"a\"}}"))).containsExactly("b", "c");
        assertThat(ids(query("{\"id\": {\"$gte\": \"b\", \"$lt\": \"c\"}}"))).containsExactly("b");
        assertThat(ids(query("{\"id\": {\"$lte\": \"b\"}}"))).containsExactly("a", "b");
    }

    @Test
    void queryByRoleAndBooleanFields() {
        save(
                user("a").toBuilder().role("admin").online(true).build(),
                user("b").toBuilder().banned(true).shadowBanned(true).build(),
                user("c").toBuilder().invisible(true).role("guest").build());

        assertThat(ids(query("{\"role\": \"admin\"}"))).containsExactly("a");
        assertThat(ids(query("{\"role\": {\"$in\": [\"guest\", \"admin\"]}}"))).containsExactly("a", "c");
        assertThat(ids(query("{\"online\": true}"))).containsExactly("a");
        assertThat(ids(query("{\"online\": {\"$ne\": true}}"))).containsExactly("b", "c");
        assertThat(ids(query("{\"banned\": true}"))).containsExactly("b");
        assertThat(ids(query("{\"shadow_banned\": {\"$eq\": true}}"))).containsExactly("b");
        assertThat(ids(query("{\"invisible\": false}"))).containsExactly("a", "b");
    }

    @Test
    void queryByTimestampComparesInstantsInAnyOffset() {
        save(user("a", 10), user("b", 20), user("c", 30));
        String twenty = "2026-01-01T01:00:20.123456+01:00";

        assertThat(ids(query("{\"created_at\": {\"$gt\": \"" + twenty + "\"}}")))
                .containsExactly("c");
        assertThat(ids(query("{\"created_at\": {\"$gte\": \"" + twenty + "\"}}")))
                .containsExactly("b", "c");
        assertThat(ids(query("{\"created_at\": {\"$lt\": \"" + twenty + "\"}}")))
                .containsExactly("a");
        assertThat(ids(query("{\"created_at\": {\"$lte\": \"" + twenty + "\"}}")))
                .containsExactly("a", "b");
        assertThat(ids(query("{\"created_at\": \"2026-01-01T00:00:20.123456Z\"}")))
                .containsExactly("b");
        assertThat(ids(query("{\"updated_at\": {\"$gt\": \"2025-12-31T00:00:00Z\"}}")))
                .hasSize(3);
    }

    @Test
    void queryByLastActiveExistence() {
        save(user("a").toBuilder().lastActive(T0).build(), user("b"));

        assertThat(ids(query("{\"last_active\": {\"$exists\": true}}"))).containsExactly("a");
        assertThat(ids(query("{\"last_active\": {\"$exists\": false}}"))).containsExactly("b");
        assertThat(ids(query("{\"last_active\": null}"))).containsExactly("b");
        assertThat(ids(query("{\"last_active\": {\"$ne\": null}}"))).containsExactly("a");
        assertThat(ids(query("{\"last_active\": {\"$lt\": \"2030-01-01T00:00:00Z\"}}")))
                .containsExactly("a");
    }

    @Test
    void queryByBadTimestampFailsWithCode4() {
        assertCode4NamingField("{\"created_at\": {\"$gt\": \"yesterday\"}}", "created_at");
        assertCode4NamingField("{\"created_at\": {\"$gt\": 5}}", "created_at");
    }

    @Test
    void queryByCustomFieldUsesEquality() {
        save(custom("a", "{\"color\": \"red\"}"), custom("b", "{\"color\": \"blue\"}"), user("c"));

        assertThat(ids(query("{\"color\": \"red\"}"))).containsExactly("a");
        assertThat(ids(query("{\"color\": {\"$in\": [\"red\", \"blue\"]}}"))).containsExactly("a", "b");
        assertThat(ids(query("{\"color\": {\"$ne\": \"red\"}}"))).containsExactly("b", "c");
        assertThat(ids(query("{\"color\": {\"$nin\": [\"blue\"]}}"))).containsExactly("a", "c");
        assertThat(ids(query("{\"color\": null}"))).containsExactly("c");
    }

    @Test
    void queryByCustomNumberComparesNumerically() {
        save(
                custom("a", "{\"age\": 9}"),
                custom("b", "{\"age\": 10}"),
                custom("c", "{\"age\": 10.5}"),
                custom("d", "{\"age\": \"10\"}"));

        assertThat(ids(query("{\"age\": {\"$gt\": 9}}"))).containsExactly("b", "c");
        assertThat(ids(query("{\"age\": {\"$gte\": 9.5, \"$lte\": 10}}"))).containsExactly("b");
        assertThat(ids(query("{\"age\": {\"$lt\": 10}}"))).containsExactly("a");
        assertThat(ids(query("{\"age\": 10}"))).containsExactly("b");
        assertThat(ids(query("{\"age\": \"10\"}"))).containsExactly("d");
    }

    @Test
    void queryByCustomBooleanDoesNotMatchOtherTypes() {
        save(
                custom("a", "{\"vip\": true}"),
                custom("b", "{\"vip\": false}"),
                custom("c", "{\"vip\": 1}"),
                custom("d", "{\"vip\": \"true\"}"));

        assertThat(ids(query("{\"vip\": true}"))).containsExactly("a");
        assertThat(ids(query("{\"vip\": false}"))).containsExactly("b");
        assertThat(ids(query("{\"vip\": {\"$ne\": true}}"))).containsExactly("b", "c", "d");
    }

    @Test
    void queryByCustomStringComparesStrings() {
        save(
                custom("a", "{\"level\": \"bronze\"}"),
                custom("b", "{\"level\": \"gold\"}"),
                custom("c", "{\"level\": \"silver\"}"),
                custom("d", "{\"level\": 7}"));

        assertThat(ids(query("{\"level\": {\"$gt\": \"gold\"}}"))).containsExactly("c");
        assertThat(ids(query("{\"level\": {\"$lte\": \"gold\"}}"))).containsExactly("a", "b");
    }

    @Test
    void queryByCustomFieldExistence() {
        save(custom("a", "{\"nick\": \"al\"}"), custom("b", "{\"nick\": null}"), user("c"));

        assertThat(ids(query("{\"nick\": {\"$exists\": true}}"))).containsExactly("a");
        assertThat(ids(query("{\"nick\": {\"$exists\": false}}"))).containsExactly("b", "c");
    }

    @Test
    void queryByCustomArrayContainsAnElement() {
        save(
                custom("a", "{\"tags\": [\"x\", \"y\", 3]}"),
                custom("b", "{\"tags\": [\"y\"]}"),
                custom("c", "{\"tags\": \"x\"}"),
                user("d"));

        assertThat(ids(query("{\"tags\": {\"$contains\": \"x\"}}"))).containsExactly("a");
        assertThat(ids(query("{\"tags\": {\"$contains\": \"y\"}}"))).containsExactly("a", "b");
        assertThat(ids(query("{\"tags\": {\"$contains\": 3}}"))).containsExactly("a");
        assertThat(ids(query("{\"tags\": {\"$contains\": \"3\"}}"))).isEmpty();
        assertThat(ids(query("{\"tags\": [\"y\"]}"))).containsExactly("b");
    }

    @Test
    void customObjectFieldsMatchByExistenceButNotByArrayEquality() {
        save(
                custom("a", "{\"address\": {\"city\": \"Lyon\", \"zip\": \"69001\"}}"),
                custom("b", "{\"address\": {\"city\": \"Paris\"}}"));

        assertThat(ids(query("{\"address\": {\"$eq\": [1]}}"))).isEmpty();
        assertThat(ids(query("{\"address\": {\"$exists\": true}}"))).containsExactly("a", "b");
    }

    @Test
    void queryByTeams() {
        save(
                user("a").toBuilder().teams(List.of("red", "blue")).build(),
                user("b").toBuilder().teams(List.of("blue")).build(),
                user("c"));

        assertThat(ids(query("{\"teams\": {\"$contains\": \"red\"}}"))).containsExactly("a");
        assertThat(ids(query("{\"teams\": \"blue\"}"))).containsExactly("a", "b");
        assertThat(ids(query("{\"teams\": {\"$in\": [\"red\", \"green\"]}}"))).containsExactly("a");
        assertThat(ids(query("{\"teams\": {\"$in\": [\"blue\"]}}"))).containsExactly("a", "b");
        assertThat(ids(query("{\"teams\": {\"$eq\": [\"blue\"]}}"))).containsExactly("b");
        assertThat(ids(query("{\"teams\": {\"$nin\": [\"red\"]}}"))).containsExactly("b", "c");
        assertThat(ids(query("{\"teams\": {\"$exists\": false}}"))).containsExactly("c");
    }

    @Test
    void autocompleteMatchesThePrefixOfAnyWordIgnoringCase() {
        save(named("a", "Maria Lopez"), named("b", "Mario"), named("c", "Ana-Maria"), named("d", "Rosemary"));

        assertThat(ids(query("{\"name\": {\"$autocomplete\": \"mar\"}}"))).containsExactly("a", "b", "c");
        assertThat(ids(query("{\"name\": {\"$autocomplete\": \"LOP\"}}"))).containsExactly("a");
        assertThat(ids(query("{\"name\": {\"$autocomplete\": \"opez\"}}"))).isEmpty();
    }

    @Test
    void autocompleteOnIdMatchesPrefixes() {
        save(user("maria"), user("john_mark"), user("tom"));

        assertThat(ids(query("{\"id\": {\"$autocomplete\": \"MA\"}}"))).containsExactly("john_mark", "maria");
        assertThat(ids(query("{\"id\": {\"$autocomplete\": \"to\"}}"))).containsExactly("tom");
    }

    @Test
    void autocompleteTreatsLikeWildcardsLiterally() {
        save(named("a", "100% sure"), named("b", "plain"), named("c", "a_b"));

        assertThat(ids(query("{\"name\": {\"$autocomplete\": \"%\"}}"))).isEmpty();
        assertThat(ids(query("{\"name\": {\"$autocomplete\": \"100%\"}}"))).containsExactly("a");
        assertThat(ids(query("{\"name\": {\"$q\": \"_\"}}"))).containsExactly("c");
    }

    @Test
    void qMatchesASubstringIgnoringCase() {
        save(named("a", "Maria Lopez"), named("b", "Rosemary"), named("c", "John"));

        assertThat(ids(query("{\"name\": {\"$q\": \"MAR\"}}"))).containsExactly("a", "b");
        assertThat(ids(query("{\"id\": {\"$q\": \"b\"}}"))).containsExactly("b");
    }

    @Test
    void nameEqualityIsExact() {
        save(named("a", "Maria"), named("b", "maria"));

        assertThat(ids(query("{\"name\": \"Maria\"}"))).containsExactly("a");
        assertThat(ids(query("{\"name\": {\"$in\": [\"maria\", \"x\"]}}"))).containsExactly("b");
    }

    @Test
    void logicalOperatorsCombineConditions() {
        save(
                user("a").toBuilder().role("admin").online(true).build(),
                user("b").toBuilder().role("admin").build(),
                user("c").toBuilder().online(true).build(),
                user("d"));

        assertThat(ids(query("{\"role\": \"admin\", \"online\": true}"))).containsExactly("a");
        assertThat(ids(query("{\"$and\": [{\"role\": \"admin\"}, {\"online\": false}]}")))
                .containsExactly("b");
        assertThat(ids(query("{\"$or\": [{\"role\": \"admin\"}, {\"online\": true}]}")))
                .containsExactly("a", "b", "c");
        assertThat(ids(query("{\"$nor\": [{\"role\": \"admin\"}, {\"online\": true}]}")))
                .containsExactly("d");
        assertThat(
                        ids(
                                query(
                                        "{\"$or\": [{\"id\": {\"$autocomplete\": \"a\"}}, {\"$and\": [{\"role\": \"user\"}, {\"online\": true}]}]}")))
                .containsExactly("a", "c");
    }

    @Test
    void norMatchesUsersWithoutTheField() {
        save(custom("a", "{\"age\": 30}"), user("b"));

        assertThat(ids(query("{\"$nor\": [{\"age\": {\"$gt\": 20}}]}"))).containsExactly("b");
    }

    // ---- sort and pages

    @Test
    void sortDescendingBreaksTiesByIdAscending() {
        save(user("a", 1), user("c", 2), user("b", 2), user("d", 3));

        List<User> users =
                store.queryUsers(query(Filter.parse(null), List.of(new SortField("created_at", false)), 100, 0));

        assertThat(ids(users)).containsExactly("d", "b", "c", "a");
    }

    @Test
    void sortByLastActivePutsUsersWithoutOneLast() {
        save(
                user("a").toBuilder().lastActive(T0).build(),
                user("b"),
                user("c").toBuilder().lastActive(T0.plusSeconds(5)).build());

        assertThat(ids(sorted(new SortField("last_active", false)))).containsExactly("c", "a", "b");
        assertThat(ids(sorted(new SortField("last_active", true)))).containsExactly("a", "c", "b");
    }

    @Test
    void sortByNameIgnoresCase() {
        save(named("a", "bob"), named("b", "Alice"), named("c", "carol"));

        assertThat(ids(sorted(new SortField("name", true)))).containsExactly("b", "a", "c");
    }

    @Test
    void sortByCustomKeyThenAnotherField() {
        save(
                custom("a", "{\"rank\": 2}"),
                custom("b", "{\"rank\": 10}"),
                custom("c", "{\"rank\": 2}"),
                user("d").toBuilder()
                        .online(true)
                        .put("rank", Json.mapper().getNodeFactory().numberNode(1))
                        .build());

        assertThat(ids(sorted(new SortField("rank", false)))).containsExactly("b", "a", "c", "d");
        assertThat(ids(sorted(new SortField("rank", true), new SortField("id", false))))
                .containsExactly("d", "c", "a", "b");
        assertThat(ids(sorted(new SortField("online", false), new SortField("rank", true))))
                .containsExactly("d", "a", "c", "b");
    }

    @Test
    void limitAndOffsetSelectAPage() {
        save(IntStream.range(0, 10).mapToObj(i -> user("u" + i, i)).toArray(User[]::new));

        assertThat(ids(store.queryUsers(query(new Filter.All(), List.of(), 3, 4))))
                .containsExactly("u4", "u5", "u6");
        assertThat(ids(store.queryUsers(query(new Filter.All(), List.of(), 5, 8))))
                .containsExactly("u8", "u9");
        assertThat(store.queryUsers(query(new Filter.All(), List.of(), 5, 20))).isEmpty();
    }

    // ---- visibility

    @Test
    void deletedUsersAreHiddenUnlessTheFilterNamesAnId() {
        save(user("a"), user("gone").toBuilder().deletedAt(T0).build());

        assertThat(ids(store.queryUsers(all()))).containsExactly("a");
        assertThat(ids(query("{\"id\": \"gone\"}"))).containsExactly("gone");
        assertThat(ids(query("{\"id\": {\"$in\": [\"a\", \"gone\"]}}"))).containsExactly("a", "gone");
    }

    @Test
    void deactivatedUsersAreHiddenUnlessIncluded() {
        save(user("a"), user("off").toBuilder().deactivatedAt(T0).build());

        assertThat(ids(store.queryUsers(all()))).containsExactly("a");
        assertThat(ids(store.queryUsers(new UserQuery(new Filter.All(), List.of(), 100, 0, true))))
                .containsExactly("a", "off");
        assertThat(ids(query("{\"id\": \"off\"}"))).isEmpty();
        assertThat(ids(store.queryUsers(new UserQuery(new Filter.All(), List.of(), 100, 0, true)).stream()
                        .filter(u -> u.deactivatedAt() != null)
                        .toList()))
                .containsExactly("off");
    }

    // ---- bad input

    @Test
    void badCustomKeyFailsWithCode4() {
        assertCode4NamingField("{\"bad key\": 1}", "bad key");
        assertCode4NamingField("{\"x'); DROP TABLE users; --\": 1}", "DROP TABLE");
        assertCode4NamingField("{\"" + "k".repeat(65) + "\": 1}", "kkkk");
        assertThatThrownBy(() -> sorted(new SortField("a\"b", true)))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
    }

    @Test
    void operatorsThatDoNotFitTheFieldFailWithCode4NamingTheField() {
        assertCode4NamingField("{\"role\": {\"$contains\": \"a\"}}", "role");
        assertCode4NamingField("{\"online\": {\"$gt\": true}}", "online");
        assertCode4NamingField("{\"online\": \"yes\"}", "online");
        assertCode4NamingField("{\"created_at\": {\"$autocomplete\": \"2026\"}}", "created_at");
        assertCode4NamingField("{\"teams\": {\"$gt\": \"a\"}}", "teams");
        assertCode4NamingField("{\"score\": {\"$gt\": true}}", "score");
        assertCode4NamingField("{\"tags\": {\"$contains\": [1]}}", "tags");
        assertThatThrownBy(() -> sorted(new SortField("teams", true)))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
    }

    @Test
    void injectionLookingValuesAreHarmless() {
        String evil = "x'); DROP TABLE users; --";
        save(
                user(evil).toBuilder()
                        .put("name", text("Robert'); DROP TABLE users;--"))
                        .build(),
                user("b"));

        assertThat(ids(query("{\"id\": \"" + evil.replace("\"", "\\\"") + "\"}")))
                .containsExactly(evil);
        assertThat(ids(query("{\"role\": \"user' OR '1'='1\"}"))).isEmpty();
        assertThat(ids(query("{\"name\": {\"$autocomplete\": \"robert'); drop\"}}")))
                .containsExactly(evil);
        assertThat(ids(query("{\"color\": {\"$q\": \"' OR 1=1 --\"}}"))).isEmpty();
        assertThat(store.findUser(evil)).isPresent();
        assertThat(store.queryUsers(all())).hasSize(2);
    }

    // ---- helpers

    void save(User... users) {
        store.apply(WriteBatch.ofUsers(List.of(users)));
    }

    static User user(String id) {
        return User.builder(id).createdAt(T0).updatedAt(T0).build();
    }

    /** A user created {@code seconds} after {@link #T0}. */
    static User user(String id, int seconds) {
        return User.builder(id).createdAt(T0.plusSeconds(seconds)).updatedAt(T0).build();
    }

    static User named(String id, String name) {
        return user(id).toBuilder().put("name", text(name)).build();
    }

    static User custom(String id, String json) {
        return user(id).toBuilder().custom(custom(json)).build();
    }

    static Map<String, JsonNode> custom(String json) {
        return User.customOf(Json.parse(json, "test custom data"));
    }

    static TextNode text(String s) {
        return TextNode.valueOf(s);
    }

    static UserQuery all() {
        return query(new Filter.All(), List.of(), 100, 0);
    }

    static UserQuery query(Filter filter, List<SortField> sort, int limit, int offset) {
        return new UserQuery(filter, sort, limit, offset, false);
    }

    List<User> query(String filterJson) {
        return store.queryUsers(query(Filter.parse(Json.parse(filterJson, "test filter")), List.of(), 100, 0));
    }

    List<User> sorted(SortField... sort) {
        return store.queryUsers(query(new Filter.All(), List.of(sort), 100, 0));
    }

    static List<String> ids(List<User> users) {
        return users.stream().map(User::id).toList();
    }

    void assertCode4NamingField(String filterJson, String field) {
        assertThatThrownBy(() -> query(filterJson)).isInstanceOfSatisfying(ChatException.class, e -> {
            assertThat(e.code()).isEqualTo(4);
            assertThat(e.getMessage()).contains(field);
        });
    }
}
