package dev.parley.server.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ChatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MultipartFormTest {
    private static final String TYPE = "multipart/form-data; boundary=----xyz";

    private static byte[] body(String... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String c : chunks) {
            out.writeBytes(c.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void partsKeepNameFileNameTypeAndExactBytes() {
        byte[] b = body("preamble\r\n------xyz\r\n",
                "Content-Disposition: form-data; name=\"file\"; filename=\"a; b.png\"\r\nContent-Type: image/png\r\n\r\n",
                "\r\n--not-the-boundary\r\n",
                "\r\n------xyz\r\nContent-Disposition: form-data; name=user\r\n\r\n{\"id\":\"ann\"}\r\n------xyz--\r\n");

        List<MultipartForm.Part> parts = MultipartForm.parse(TYPE, b);

        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).name()).isEqualTo("file");
        assertThat(parts.get(0).fileName()).isEqualTo("a; b.png");
        assertThat(parts.get(0).contentType()).isEqualTo("image/png");
        assertThat(new String(parts.get(0).bytes(), StandardCharsets.UTF_8)).isEqualTo("\r\n--not-the-boundary\r\n");
        assertThat(MultipartForm.find(parts, "user").fileName()).isNull();
        assertThat(new String(MultipartForm.find(parts, "user").bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"ann\"}");
    }

    @Test
    void aQuotedBoundaryIsUnquoted() {
        byte[] b = body("--q b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--q b--");

        assertThat(MultipartForm.parse("multipart/form-data; boundary=\"q b\"", b)).hasSize(1);
    }

    @Test
    void malformedBodiesAreCode4() {
        for (byte[] b : List.of(body("no boundary here"), body("------xyz\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nopen"),
                body("------xyz\r\nno-colon-header\r\n\r\nx\r\n------xyz--"), body("------xyzjunk"))) {
            assertThatThrownBy(() -> MultipartForm.parse(TYPE, b))
                    .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
        }
        assertThatThrownBy(() -> MultipartForm.parse("application/json", body("{}")))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
        assertThatThrownBy(() -> MultipartForm.parse("multipart/form-data", body("x")))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
    }
}
