package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class UrlsTest {
    @Test
    void theSocketBaseIsDerivedFromTheRestBaseAsTheJsSdkDoes() {
        assertThat(Urls.wsBase("http://127.0.0.1:8080")).isEqualTo("ws://127.0.0.1:8080");
        assertThat(Urls.wsBase("https://chat.example.com/chat")).isEqualTo("wss://chat.example.com/chat");
        assertThat(Urls.wsBase("http://localhost:3030")).isEqualTo("ws://localhost:8800");
    }

    @Test
    void restUrlsKeepParameterOrderAndLeaveOutNulls() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("api_key", "k");
        p.put("connection_id", null);
        p.put("payload", "{\"a\": 1}");
        assertThat(Urls.rest("http://h:1", "/users", p).toString())
                .isEqualTo("http://h:1/users?api_key=k&payload=%7B%22a%22%3A%201%7D");
    }
}
