package dev.parley.server.uploads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pure rules of uploads: limits from the app config, names, types, URLs. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class UploadRulesTest {

    private static ObjectNode config(String json) {
        return Json.parseObject(json, "config");
    }

    private static int code(Runnable r) {
        try {
            r.run();
            return 0;
        } catch (ChatException e) {
            return e.code();
        }
    }

    @Test
    void extensionsAndMimeTypesAreCheckedAgainstAllowedAndBlockedLists() {
        ObjectNode c = config(
                "{\"allowed_file_extensions\": [\".PNG\", \"jpg\"], \"blocked_mime_types\": [\"image/x-*\", \"image/jpeg\"]}");

        assertThat(code(() -> UploadLimits.check(c, "a.png", "image/png", 10, 100)))
                .isZero();
        assertThat(code(() -> UploadLimits.check(c, "a.gif", "image/gif", 10, 100)))
                .isEqualTo(4);
        assertThat(code(() -> UploadLimits.check(c, "a.jpg", "image/jpeg", 10, 100)))
                .isEqualTo(4);
        assertThat(code(() -> UploadLimits.check(
                        config("{\"allowed_mime_types\": [\"image/*\"]}"), "a.txt", "text/plain", 1, 9)))
                .isEqualTo(4);
        assertThat(code(() -> UploadLimits.check(
                        config("{\"blocked_file_extensions\": [\".exe\"]}"), "setup.EXE", "x/y", 1, 9)))
                .isEqualTo(4);
    }

    @Test
    void theSmallerOfSizeLimitAndTheServerLimitApplies() {
        assertThat(code(() -> UploadLimits.check(config("{\"size_limit\": 10}"), "a.txt", "text/plain", 11, 100)))
                .isEqualTo(22);
        assertThat(code(() -> UploadLimits.check(config("{\"size_limit\": 0}"), "a.txt", "text/plain", 101, 100)))
                .isEqualTo(22);
        assertThat(code(() -> UploadLimits.check(config("{\"size_limit\": 0}"), "a.txt", "text/plain", 100, 100)))
                .isZero();
    }

    @Test
    void fileNamesLoseFoldersAndControlCharacters() {
        assertThat(Uploads.fileName("../../etc/passwd")).isEqualTo("passwd");
        assertThat(Uploads.fileName("C:\\x\\photo.png")).isEqualTo("photo.png");
        assertThat(Uploads.fileName("a\r\nb\".txt")).isEqualTo("ab.txt");
        assertThat(Uploads.fileName("..")).isEqualTo("file");
        assertThat(Uploads.fileName(null)).isEqualTo("file");
    }

    @Test
    void theDeclaredTypeWinsWhenWellFormedElseTheExtensionDecides() {
        assertThat(Uploads.mimeType("image/PNG; charset=x", "a.bin")).isEqualTo("image/png");
        assertThat(Uploads.mimeType("application/octet-stream", "a.jpg")).isEqualTo("image/jpeg");
        assertThat(Uploads.mimeType("not a type", "a.unknown")).isEqualTo("application/octet-stream");
    }

    @Test
    void uploadRoutesUrlsAndHosts() {
        assertThat(Uploads.isUploadRoute("POST", "/channels/messaging/general/image"))
                .isTrue();
        assertThat(Uploads.isUploadRoute("POST", "/channels/messaging/general/message"))
                .isFalse();
        assertThat(Uploads.isUploadRoute("DELETE", "/channels/messaging/general/file"))
                .isFalse();
        assertThat(Uploads.idOf("http://h:1/uploads/abc/photo.png")).contains("abc");
        assertThat(Uploads.idOf("http://h:1/elsewhere/abc")).isEmpty();
        assertThat(Uploads.idOf("::not a url")).isEmpty();
        assertThat(Uploads.baseUrl("chat.example:8443", "https")).isEqualTo("https://chat.example:8443");
        assertThat(Uploads.baseUrl("[::1]:80", null)).isEqualTo("http://[::1]:80");
        assertThatThrownBy(() -> Uploads.baseUrl("evil/path", null)).isInstanceOf(ChatException.class);
        assertThatThrownBy(() -> Uploads.baseUrl(null, null)).isInstanceOf(ChatException.class);
    }
}
