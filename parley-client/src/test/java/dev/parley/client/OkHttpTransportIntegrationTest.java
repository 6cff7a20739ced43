package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.client.transport.OkHttpTransport;
import dev.parley.protocol.User;
import dev.parley.server.testing.ServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OkHttp transport's ownership rules against a real server: what it builds it stops, what it is given it leaves. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OkHttpTransportIntegrationTest {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .toList();
    }

    @Test
    void anAppsOwnOkHttpClientStaysOpenAfterTheChatClientCloses() throws Exception {
        OkHttpClient shared = new OkHttpClient();
        try {
            ChatClient client = ChatClient.builder(server.apiKey())
                    .baseUrl(server.baseUrl())
                    .transport(OkHttpTransport.factory(shared))
                    .build();
            ConnectResponse r = client.connectUser(User.builder("ok-shared").build(), server.userToken("ok-shared"))
                    .join();
            assertThat(r.me().id()).isEqualTo("ok-shared");
            client.close();

            assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
            try (Response after = shared.newCall(new Request.Builder()
                            .url(server.baseUrl() + "/app?api_key=" + server.apiKey())
                            .build())
                    .execute()) {
                assertThat(after.code()).as("the app's client still sends").isPositive();
            }
        } finally {
            shared.dispatcher().executorService().shutdown();
            shared.connectionPool().evictAll();
        }
    }

    /**
     * The SDK's own threads (OkHttp's calls ran on its I/O threads) end; OkHttp's JVM-wide daemon threads
     * ({@code OkHttp TaskRunner}, {@code Okio Watchdog}) only go idle, and end by themselves after a minute.
     */
    @Test
    void aClosedClientLeavesNoThreadOfItsOwnAndOkHttpsSharedThreadsIdle() {
        ChatClient client = ChatClient.builder(server.apiKey())
                .baseUrl(server.baseUrl())
                .transport(OkHttpTransport.factory())
                .build();
        client.connectUser(User.builder("ok-own").build(), server.userToken("ok-own"))
                .join();
        client.close();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(threads("parley-client")).isEmpty();
            assertThat(threads("OkHttp"))
                    .as("a busy TaskRunner thread is renamed after its task")
                    .allMatch("OkHttp TaskRunner"::equals);
        });
    }
}
