package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.Json;
import dev.parley.server.testing.TestServer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the router picks a route: literal segments before parameters, per method, and unserved endpoints. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouterTest {
    private static final Router.Handler OK = ctx -> Json.object();

    private static Optional<Router.Match> match(Router router, String method, String path, boolean[] mismatch) {
        return router.match(method, path, mismatch);
    }

    @Test
    void aLiteralSegmentWinsOverAParameterWhateverTheOrderOfTheRoutes() {
        Router router = new Router().add("POST", "/channels/{type}/{id}", OK).add("POST", "/channels/{type}/query", OK);

        Optional<Router.Match> m = match(router, "POST", "/channels/messaging/query", new boolean[1]);

        assertThat(m).map(x -> x.route().template()).hasValue("/channels/{type}/query");
        assertThat(m.get().pathParams()).containsEntry("type", "messaging").doesNotContainKey("id");
    }

    @Test
    void anEndpointThatIsNotServedIsNoEndpointRatherThanAParameterOfAnotherRoute() {
        Router router = new Router()
                .add("POST", "/messages/{id}", OK)
                .add("GET", "/messages/{id}", OK)
                .addNotServed("POST", "/messages/history");
        boolean[] mismatch = new boolean[1];

        Optional<Router.Match> history = match(router, "POST", "/messages/history", mismatch);
        Optional<Router.Match> get = match(router, "GET", "/messages/history", new boolean[1]);

        assertThat(history).isEmpty();
        assertThat(mismatch[0]).isFalse();
        assertThat(get).map(x -> x.pathParams().get("id")).hasValue("history");
    }

    @Test
    void aPathServedOnlyForAnotherMethodIsAMethodMismatch() {
        Router router = new Router().add("GET", "/messages/{id}", OK).addNotServed("PUT", "/messages/history");
        boolean[] mismatch = new boolean[1];

        assertThat(match(router, "DELETE", "/messages/x", mismatch)).isEmpty();
        assertThat(mismatch[0]).isTrue();
    }

    @Test
    void theRestRouterSendsTheMessageHistoryQueryToItsOwnRouteNotToTheMessageUpdate() {
        try (TestServer server = TestServer.start()) {
            Router router = new RestApi(server.server().node()).router();
            boolean[] mismatch = new boolean[1];

            assertThat(match(router, "POST", "/messages/history", mismatch))
                    .map(x -> x.route().template())
                    .hasValue("/messages/history");
            assertThat(match(router, "POST", "/messages/abc", new boolean[1]))
                    .map(x -> x.route().template())
                    .hasValue("/messages/{id}");
        }
    }
}
