package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ratelimit.Endpoints;
import dev.parley.server.testing.TestServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every authenticated route has an endpoint name and an app-wide limit in the rate-limit table. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitedRoutesTest {

    @Test
    void everyAuthenticatedRouteIsListedInTheRateLimitTable() {
        List<Router.Route> routes;
        try (TestServer server = TestServer.start()) {
            routes = new RestApi(server.server().node()).router().routes();
        }
        assertThat(routes).hasSizeGreaterThan(60);
        List<String> missing = routes.stream()
                .filter(r -> !r.anonymousAllowed() && r.handler() != null)
                .filter(r -> Endpoints.nameOf(r.method(), r.template()).isEmpty())
                .map(r -> r.method() + " " + r.template())
                .toList();
        assertThat(missing)
                .as("routes to add to dev.parley.server.ratelimit.Endpoints with their Stream endpoint"
                        + " name and limit (otherwise they are limited per user only)")
                .isEmpty();
    }
}
