package dev.parley.server.testing;

import static java.util.Objects.requireNonNull;

import dev.parley.server.config.ServerConfig;
import java.time.Clock;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server shared by the tests of a class: started before the class's {@code @BeforeAll} methods,
 * closed (and its data deleted) after its {@code @AfterAll} methods. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ServerExtension server = ServerExtension.embedded();
 * }</pre>
 *
 * <p>It is a {@link TestServer}, so tokens, URLs, {@link RestClient} and {@link WsProbe} work on it as on
 * one started by hand; calling them before the class starts fails with a clear message.
 */
public final class ServerExtension extends TestServer implements BeforeAllCallback, AfterAllCallback {
    private final Clock clock;
    private final Consumer<ServerConfig.Builder> customizer;

    private ServerExtension(Clock clock, Consumer<ServerConfig.Builder> customizer) {
        this.clock = requireNonNull(clock, "clock");
        this.customizer = requireNonNull(customizer, "customizer");
    }

    /** A server with the embedded store and the test defaults. */
    public static ServerExtension embedded() {
        return embedded(b -> {});
    }

    /** A server with the embedded store and the test defaults, changed by {@code customizer}. */
    public static ServerExtension embedded(Consumer<ServerConfig.Builder> customizer) {
        return embedded(Clock.systemUTC(), customizer);
    }

    /** A server whose node reads {@code clock}, with the test defaults changed by {@code customizer}. */
    public static ServerExtension embedded(Clock clock, Consumer<ServerConfig.Builder> customizer) {
        return new ServerExtension(clock, customizer);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startNow(clock, customizer);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
