package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.client.transport.JdkTransport;
import dev.parley.client.transport.OkHttpTransport;
import dev.parley.client.transport.Transport;
import dev.parley.protocol.User;
import dev.parley.server.testing.ServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once the last client of the JVM is closed no SDK thread is left, so that nothing pins the class loader of
 * an app redeployed in a servlet container; a client built afterwards starts its threads again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"jdk", "okhttp"})
class ClientThreadsLifecycleTest {

    /** Every test runs on both transports. */
    @Parameter
    String transportName;

    Transport.Factory transport() {
        return transportName.equals("okhttp") ? OkHttpTransport.factory() : JdkTransport.factory();
    }

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private ChatClient client() {
        return ChatClient.builder(server.apiKey())
                .baseUrl(server.baseUrl())
                .transport(transport())
                .build();
    }

    private static List<String> sdkThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("parley-client"))
                .toList();
    }

    @Test
    void closingTheLastOfTwoClientsLeavesNoSdkThread() {
        ChatClient a = client();
        ChatClient b = client();
        a.connectUser(User.builder("thr-a").build(), server.userToken("thr-a")).join();
        b.connectUser(User.builder("thr-b").build(), server.userToken("thr-b")).join();
        assertThat(sdkThreads()).contains("parley-client-cleaner");

        a.close();
        assertThat(sdkThreads()).as("b is still open").contains("parley-client-cleaner");
        b.close();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(sdkThreads()).isEmpty());
    }

    @Test
    void aClientBuiltAfterTheLastOneClosedWorks() {
        client().close();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(sdkThreads()).isEmpty());

        try (ChatClient c = client()) {
            ConnectResponse r = c.connectUser(User.builder("thr-c").build(), server.userToken("thr-c"))
                    .join();
            assertThat(r.me().id()).isEqualTo("thr-c");
            assertThat(sdkThreads()).contains("parley-client-cleaner");
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(sdkThreads()).isEmpty());
    }
}
