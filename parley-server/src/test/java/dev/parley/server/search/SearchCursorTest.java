package dev.parley.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SearchCursorTest {

    @Test
    void aCursorRoundTripsItsOffset() {
        assertThat(SearchService.decode(SearchService.encode(0))).isZero();
        assertThat(SearchService.decode(SearchService.encode(40))).isEqualTo(40);
    }

    @Test
    void foreignOrOutOfRangeCursorsAreCode4() {
        String outOfRange = Base64.getUrlEncoder().encodeToString("offset:5000".getBytes(StandardCharsets.UTF_8));
        String foreign = Base64.getUrlEncoder().encodeToString("page:2".getBytes(StandardCharsets.UTF_8));
        for (String c : new String[] {"%%%", outOfRange, foreign, ""}) {
            assertThatThrownBy(() -> SearchService.decode(c))
                    .as(c)
                    .isInstanceOfSatisfying(
                            ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
        }
    }
}
