package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.PolicyStore.Config;
import dev.parley.server.store.PolicyStore.FutureBan;
import dev.parley.server.store.PolicyStore.Page;
import dev.parley.server.store.PolicyStore.Rule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link PolicyStore} (migration V19), run against every backend; a subclass supplies an empty
 * store per test.
 */
@Timeout(value = 60, unit = SECONDS)
abstract class PolicyStoreContractTest {
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

    private static Page page(String filter, String sort, int limit, int offset) {
        return new Page(
                Filter.parse(Json.parse(filter, "filter")), SortField.parse(Json.parse(sort, "sort")), limit, offset);
    }

    private static Config config(String team, String key, String doc, Instant at) {
        return new Config(team, key, Json.parseObject(doc, "doc"), at, at);
    }

    private static Rule rule(String id, String name, boolean enabled, Instant at) {
        return new Rule(id, "", name, enabled, "content", Json.parseObject("{\"rule\":{\"x\":1}}", "doc"), at, at);
    }

    @Test
    void anUpsertedConfigReplacesTheDocAndKeepsItsCreationTime() {
        PolicyStore p = store.policies();
        p.upsertConfig(config("", "chat", "{\"a\":{\"n\":1}}", T0));
        Config second = p.upsertConfig(config("", "chat", "{\"b\":{\"n\":2}}", T0.plusSeconds(5)));
        p.upsertConfig(config("team-a", "chat", "{\"c\":{}}", T0));

        assertThat(second.createdAt()).isEqualTo(T0);
        assertThat(second.updatedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(p.config("", "chat").orElseThrow().doc().has("a")).isFalse();
        assertThat(p.config("", "chat").orElseThrow().doc().path("b").path("n").asInt())
                .isEqualTo(2);
        assertThat(p.config("team-a", "chat").orElseThrow().doc().has("c")).isTrue();
        assertThat(p.configs()).hasSize(2);
        assertThat(p.deleteConfig("", "chat")).isTrue();
        assertThat(p.deleteConfig("", "chat")).isFalse();
        assertThat(p.config("", "chat")).isEmpty();
    }

    @Test
    void configsAreFilteredSortedAndPaged() {
        PolicyStore p = store.policies();
        p.upsertConfig(config("", "chat", "{}", T0));
        p.upsertConfig(config("", "chat:messaging", "{}", T0.plusSeconds(1)));
        p.upsertConfig(config("", "custom", "{}", T0.plusSeconds(2)));

        List<String> newest =
                p.configs(page("{}", "[]", 10, 0)).stream().map(Config::key).toList();
        List<String> byKey = p
                .configs(page(
                        "{\"key\":{\"$in\":[\"chat\",\"chat:messaging\"]}}",
                        "[{\"field\":\"key\",\"direction\":1}]",
                        1,
                        1))
                .stream()
                .map(Config::key)
                .toList();
        List<String> later =
                p.configs(page("{\"created_at\":{\"$gt\":\"" + T0.plusSeconds(1) + "\"}}", "[]", 10, 0)).stream()
                        .map(Config::key)
                        .toList();

        assertThat(newest).containsExactly("custom", "chat:messaging", "chat");
        assertThat(byKey).containsExactly("chat:messaging");
        assertThat(later).containsExactly("custom");
        assertThatThrownBy(() -> p.configs(page("{\"colour\":\"red\"}", "[]", 10, 0)))
                .isInstanceOf(ChatException.class);
        assertThatThrownBy(() -> p.configs(page("{}", "[{\"field\":\"colour\",\"direction\":1}]", 10, 0)))
                .isInstanceOf(ChatException.class);
    }

    @Test
    void aRuleIsUpsertedByTeamAndNameKeepingItsId() {
        PolicyStore p = store.policies();
        Rule first = p.upsertRule(rule("id-1", "repeat", true, T0));
        Rule second = p.upsertRule(rule("id-2", "repeat", false, T0.plusSeconds(1)));
        p.upsertRule(rule("id-3", "other", true, T0.plusSeconds(2)));

        List<String> disabled = p.rules(page("{\"enabled\":false}", "[]", 10, 0)).stream()
                .map(Rule::id)
                .toList();
        List<String> byName = p.rules(page("{}", "[{\"field\":\"name\",\"direction\":1}]", 10, 0)).stream()
                .map(Rule::name)
                .toList();

        assertThat(first.id()).isEqualTo("id-1");
        assertThat(second.id()).isEqualTo("id-1");
        assertThat(second.enabled()).isFalse();
        assertThat(second.createdAt()).isEqualTo(T0);
        assertThat(p.ruleCount()).isEqualTo(2);
        assertThat(disabled).containsExactly("id-1");
        assertThat(byName).containsExactly("other", "repeat");
        assertThat(p.rule("id-1").orElseThrow().doc().at("/rule/x").asInt()).isEqualTo(1);
        assertThat(p.deleteRule("id-1")).isTrue();
        assertThat(p.rule("id-1")).isEmpty();
        assertThat(p.deleteRule("id-1")).isFalse();
    }

    @Test
    void futureBansAreReplacedPerCreatorAndTargetAndFilteredByExpiry() {
        PolicyStore p = store.policies();
        p.upsertFutureBan(new FutureBan("mod", "ann", "rude", false, T0, null));
        p.upsertFutureBan(new FutureBan("mod", "ann", "ruder", true, T0.plusSeconds(1), null));
        p.upsertFutureBan(new FutureBan("mod", "bob", null, false, T0.plusSeconds(2), T0.plusSeconds(60)));
        p.upsertFutureBan(new FutureBan("other", "ann", null, false, T0.plusSeconds(3), null));

        List<FutureBan> mods = p.futureBans("mod", null, null, 10, 0);
        List<FutureBan> active = p.futureBans("mod", null, T0.plusSeconds(120), 10, 0);
        List<FutureBan> ofAnn = p.futureBans(null, "ann", null, 10, 0);

        assertThat(mods).extracting(FutureBan::targetId).containsExactly("ann", "bob");
        assertThat(mods.getFirst().reason()).isEqualTo("ruder");
        assertThat(mods.getFirst().shadow()).isTrue();
        assertThat(mods.get(1).expires()).isEqualTo(T0.plusSeconds(60));
        assertThat(active).extracting(FutureBan::targetId).containsExactly("ann");
        assertThat(ofAnn).extracting(FutureBan::createdBy).containsExactly("mod", "other");
        assertThat(p.deleteFutureBan("mod", "ann")).isTrue();
        assertThat(p.futureBans("mod", null, null, 10, 0))
                .extracting(FutureBan::targetId)
                .containsExactly("bob");
    }
}
