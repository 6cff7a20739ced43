package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.ServerExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests that break HTTP or WebSocket rules get an answer in the error envelope, never silence. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MalformedRequestTest {

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded();

    private static RawHttp.Response answer(String request) {
        try (RawHttp http = RawHttp.open(server.port())) {
            return http.send(request).read();
        }
    }

    @Test
    void aQueryWithBadPercentEncodingIsAnswered400WithCode4() {
        RawHttp.Response r = answer("GET /channels?api_key=%zz HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("code").asInt()).isEqualTo(4);
    }

    @Test
    void aPathWithBadPercentEncodingIsAnswered400WithCode4() {
        RawHttp.Response r = answer(
                "POST /channels/messaging/%E0%A4%A/query HTTP/1.1\r\nHost: x\r\n" + "Content-Length: 2\r\n\r\n{}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("code").asInt()).isEqualTo(4);
    }

    @Test
    void aNonNumericContentLengthIsAnswered400WithCode4() {
        RawHttp.Response r = answer("POST /channels HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n{}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("code").asInt()).isEqualTo(4);
    }

    @Test
    void anUpgradeWithoutSecWebSocketKeyIsAnswered400WithCode4() {
        RawHttp.Response r = answer("GET /connect?api_key=" + server.apiKey() + " HTTP/1.1\r\nHost: x\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("code").asInt()).isEqualTo(4);
        assertThat(r.json().path("message").asText()).contains("Sec-WebSocket-Key");
    }

    @Test
    void anUpgradeWithABadMethodIsAnswered400WithCode4() {
        RawHttp.Response r = answer("POST /connect?api_key=" + server.apiKey() + " HTTP/1.1\r\nHost: x\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("code").asInt()).isEqualTo(4);
    }

    @Test
    void aFragmentedMessagePastTheFrameLimitIsClosedWith1009() {
        try (RawHttp http = RawHttp.open(server.port())) {
            RawWebSocket.upgrade(http, server, "fay");
            byte[] part = new byte[40 * 1024];
            java.util.Arrays.fill(part, (byte) 'a');
            http.send(RawWebSocket.frame(RawWebSocket.TEXT, false, part));
            http.send(RawWebSocket.frame(RawWebSocket.CONTINUATION, false, part));

            assertThat(RawWebSocket.closeCode(http)).isEqualTo(1009);
        }
    }
}
