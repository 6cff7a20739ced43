package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.RestClient.Response;
import dev.parley.server.testing.ServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /users?payload=} (PROTOCOL.md §7.1 U1, §9.1, §9.3, §9.6). Each test tags its own users. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueryUsersTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static final RestClient admin = RestClient.server(server);

    @Test
    void eqOnIdFindsExactlyThatUser() {
        seed("eqid", "eqid-a", "Ada", "eqid-b", "Bea");

        Response r = query(filter("id", op("$eq", "eqid-b")), null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r)).containsExactly("eqid-b");
        assertThat(r.body().path("users").get(0).path("name").asText()).isEqualTo("Bea");
        assertThat(r.body().path("duration").asText()).endsWith("ms");
    }

    @Test
    void inOnIdFindsEveryListedUser() {
        seed("inid", "inid-a", "A", "inid-b", "B", "inid-c", "C");

        ObjectNode f = Json.object();
        f.putObject("id").putArray("$in").add("inid-a").add("inid-c").add("inid-missing");

        assertThat(ids(query(f, sortBy("id", 1)))).containsExactly("inid-a", "inid-c");
    }

    @Test
    void autocompleteOnNameMatchesPrefixesOfWordsIgnoringCase() {
        seed("auto", "auto-1", "Anakin Skywalker", "auto-2", "anna", "auto-3", "Bob", "auto-4", "Luke Skywalker");

        ObjectNode byAn = tagged("auto");
        byAn.set("name", op("$autocomplete", "AN"));
        ObjectNode bySky = tagged("auto");
        bySky.set("name", op("$autocomplete", "sky"));

        assertThat(ids(query(byAn, sortBy("id", 1)))).containsExactly("auto-1", "auto-2");
        assertThat(ids(query(bySky, sortBy("id", 1)))).containsExactly("auto-1", "auto-4");
    }

    @Test
    void customFieldEqualityMatchesOnlyThatValue() {
        upsert(
                user("cust-1", "cust").put("color", "red"),
                user("cust-2", "cust").put("color", "blue"),
                user("cust-3", "cust").put("color", "red"));

        ObjectNode f = tagged("cust");
        f.put("color", "red");

        assertThat(ids(query(f, sortBy("id", 1)))).containsExactly("cust-1", "cust-3");
    }

    @Test
    void orMatchesUsersThatPassAnyBranch() {
        seed("or", "or-mara", "Zed", "or-b", "Marta", "or-c", "Quinn");

        ObjectNode f = tagged("or");
        ArrayNode or = f.putArray("$or");
        or.add(filter("id", op("$autocomplete", "or-ma")));
        or.add(filter("name", op("$autocomplete", "mar")));

        assertThat(ids(query(f, sortBy("id", 1)))).containsExactly("or-b", "or-mara");
    }

    @Test
    void createdAtComparisonsSplitUsersByCreationTime() {
        Response first = upsert(user("time-a", "time"));
        String firstCreated =
                first.body().path("users").path("time-a").path("created_at").asText();
        upsert(user("time-b", "time"));

        ObjectNode after = tagged("time");
        after.set("created_at", op("$gt", firstCreated));
        ObjectNode upTo = tagged("time");
        upTo.set("created_at", op("$lte", firstCreated));

        assertThat(ids(query(after, null))).containsExactly("time-b");
        assertThat(ids(query(upTo, null))).containsExactly("time-a");
    }

    @Test
    void sortByNameAscendingAndDescending() {
        seed("sort", "sort-1", "Charlie", "sort-2", "Alpha", "sort-3", "Bravo");

        assertThat(names(query(tagged("sort"), sortBy("name", 1)))).containsExactly("Alpha", "Bravo", "Charlie");
        assertThat(names(query(tagged("sort"), sortBy("name", -1)))).containsExactly("Charlie", "Bravo", "Alpha");
    }

    @Test
    void limitAndOffsetPageThroughTheSortedResult() {
        seed("page", "page-1", "a", "page-2", "b", "page-3", "c", "page-4", "d");

        ObjectNode payload = payload(tagged("page"), sortBy("id", 1));
        payload.put("limit", 2).put("offset", 1);

        assertThat(ids(admin.getPayload("/users", payload))).containsExactly("page-2", "page-3");
    }

    @Test
    void defaultLimitIsThirty() {
        List<ObjectNode> many = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            many.add(user("dflt-" + i, "dflt"));
        }
        upsert(many.toArray(ObjectNode[]::new));

        assertThat(ids(query(tagged("dflt"), null))).hasSize(30);
    }

    @Test
    void limitOverOneHundredIsAnInputError() {
        ObjectNode payload = payload(Json.object(), null);
        payload.put("limit", 101);

        Response r = admin.getPayload("/users", payload);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.message()).contains("limit");
    }

    @Test
    void unknownFilterOperatorIsAnInputError() {
        Response r = query(filter("name", op("$regex", "a.*")), null);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.message()).contains("$regex");
    }

    @Test
    void deactivatedUsersAreHiddenUnlessIncluded() {
        seed("deact", "deact-on", "On", "deact-off", "Off");
        assertThat(admin.post("/users/deact-off/deactivate", Json.object()).status())
                .isEqualTo(200);

        ObjectNode with = payload(tagged("deact"), sortBy("id", 1));
        with.put("include_deactivated_users", true);

        assertThat(ids(query(tagged("deact"), null))).containsExactly("deact-on");
        assertThat(ids(admin.getPayload("/users", with))).containsExactly("deact-off", "deact-on");
    }

    @Test
    void userTokensMayQueryUsers() {
        seed("usertok", "usertok-a", "A", "usertok-b", "B");

        Response r =
                RestClient.user(server, "usertok-a").getPayload("/users", payload(tagged("usertok"), sortBy("id", 1)));

        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r)).containsExactly("usertok-a", "usertok-b");
    }

    @Test
    void anonymousCallersMayNotQueryUsers() {
        Response r = admin.anonymous().getPayload("/users", payload(Json.object(), null));

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo(17);
    }

    private static void seed(String tag, String... idsAndNames) {
        List<ObjectNode> users = new ArrayList<>();
        for (int i = 0; i < idsAndNames.length; i += 2) {
            users.add(user(idsAndNames[i], tag).put("name", idsAndNames[i + 1]));
        }
        upsert(users.toArray(ObjectNode[]::new));
    }

    private static ObjectNode user(String id, String tag) {
        return Json.object().put("id", id).put("suite", tag);
    }

    private static Response upsert(ObjectNode... users) {
        ObjectNode body = Json.object();
        ObjectNode map = body.putObject("users");
        for (ObjectNode u : users) {
            map.set(u.get("id").asText(), u);
        }
        Response r = admin.post("/users", body);
        assertThat(r.status()).as("upsert: %s", r).isEqualTo(200);
        return r;
    }

    private static Response query(ObjectNode filter, ArrayNode sort) {
        return admin.getPayload("/users", payload(filter, sort));
    }

    private static ObjectNode payload(ObjectNode filter, ArrayNode sort) {
        ObjectNode p = Json.object();
        p.set("filter_conditions", filter);
        if (sort != null) {
            p.set("sort", sort);
        }
        p.put("presence", false);
        return p;
    }

    private static ObjectNode tagged(String tag) {
        return Json.object().put("suite", tag);
    }

    private static ObjectNode filter(String field, JsonNode condition) {
        ObjectNode f = Json.object();
        f.set(field, condition);
        return f;
    }

    private static ObjectNode op(String op, String value) {
        return Json.object().put(op, value);
    }

    private static ArrayNode sortBy(String field, int direction) {
        ArrayNode s = Json.array();
        s.addObject().put("field", field).put("direction", direction);
        return s;
    }

    private static List<String> ids(Response r) {
        assertThat(r.status()).as("query: %s", r).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.body().path("users").forEach(u -> out.add(u.path("id").asText()));
        return out;
    }

    private static List<String> names(Response r) {
        assertThat(r.status()).as("query: %s", r).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.body().path("users").forEach(u -> out.add(u.path("name").asText()));
        return out;
    }
}
