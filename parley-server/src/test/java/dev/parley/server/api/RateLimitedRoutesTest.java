package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ratelimit.Endpoints;
import dev.parley.server.testing.TestServer;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every authenticated route has an endpoint name and an app-wide limit in the rate-limit table. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitedRoutesTest {

    @Test
    void everyAuthenticatedRouteIsListedInTheRateLimitTable() throws ReflectiveOperationException {
        try (TestServer server = TestServer.start()) {
            List<Router.Route> routes = routes(new RestApi(server.server().node()));
            assertThat(routes).hasSizeGreaterThan(60);
            List<String> missing = routes.stream()
                    .filter(r -> !r.anonymousAllowed())
                    .filter(r -> Endpoints.nameOf(r.method(), r.template()).isEmpty())
                    .map(r -> r.method() + " " + r.template())
                    .toList();
            assertThat(missing).as("routes to add to dev.parley.server.ratelimit.Endpoints with their Stream endpoint"
                    + " name and limit (otherwise they are limited per user only)").isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Router.Route> routes(RestApi api) throws ReflectiveOperationException {
        Field router = RestApi.class.getDeclaredField("router");
        router.setAccessible(true);
        Field routes = Router.class.getDeclaredField("routes");
        routes.setAccessible(true);
        return (List<Router.Route>) routes.get(router.get(api));
    }
}
