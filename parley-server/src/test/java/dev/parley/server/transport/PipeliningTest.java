package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.ServerExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests sent back to back on one connection are answered in the order they were sent. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeliningTest {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    @Test
    void aPreflightPipelinedBehindARestCallIsAnsweredAfterIt() {
        String rest = "GET /app?api_key=" + server.apiKey() + " HTTP/1.1\r\nHost: x\r\nstream-auth-type: jwt\r\n"
                + "Authorization: " + server.serverToken() + "\r\n\r\n";
        String preflight = "OPTIONS /channels HTTP/1.1\r\nHost: x\r\nOrigin: http://a.example\r\n"
                + "Access-Control-Request-Method: POST\r\n\r\n";
        try (RawHttp http = RawHttp.open(server.port())) {
            http.send(rest + preflight + rest + preflight);

            assertThat(http.read().status()).isEqualTo(200);
            assertThat(http.read().status()).isEqualTo(204);
            RawHttp.Response third = http.read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.json().has("app")).isTrue();
            assertThat(http.read().status()).isEqualTo(204);
        }
    }

    @Test
    void theConnectionStaysUsableAfterPipelinedRequests() {
        String preflight = "OPTIONS /channels HTTP/1.1\r\nHost: x\r\n\r\n";
        try (RawHttp http = RawHttp.open(server.port())) {
            http.send(preflight.repeat(5));
            for (int i = 0; i < 5; i++) {
                assertThat(http.read().status()).isEqualTo(204);
            }
            http.send(preflight);
            assertThat(http.read().status()).isEqualTo(204);
        }
    }
}
