package dev.parley.server.uploads;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.RestClient;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Channel uploads against the real server (PROTOCOL.md §7.9): store, serve, limits, delete. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UploadsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private static final byte[] PNG = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    private static final Map<String, String> MULTIPART =
            Map.of("Content-Type", "multipart/form-data; boundary=b0undary");

    @RegisterExtension
    static final ServerExtension server =
            ServerExtension.embedded(b -> b.maxBodyBytes(16 * 1024).maxUploadBytes(64 * 1024));

    private String ann;
    private String bob;
    private String id;

    @BeforeEach
    void channel() {
        String s = UUID.randomUUID().toString().substring(0, 8);
        ann = "ann-" + s;
        bob = "bob-" + s;
        id = "room-" + s;
        Seed.users(server, json("id", ann), json("id", bob));
        Seed.messaging(server, ann, id, ann, bob);
    }

    private static byte[] multipart(String field, String fileName, String type, byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--b0undary\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + fileName
                        + "\"\r\nContent-Type: " + type + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        out.writeBytes("\r\n--b0undary--\r\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private RestClient.Response upload(String as, String kind, byte[] body) {
        return RestClient.user(server, as)
                .send("POST", "/channels/messaging/" + id + "/" + kind, Map.of(), body, MULTIPART);
    }

    private static HttpResponse<byte[]> fetch(String url) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anImageIsServedBackAtAnAbsoluteUrlWithItsTypeToAnyone() {
        RestClient.Response r = upload(ann, "image", multipart("file", "photo one.png", "image/png", PNG));
        String url = r.body().path("file").asText();

        HttpResponse<byte[]> got = fetch(url);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(url).startsWith(server.baseUrl() + "/uploads/").endsWith("/photo%20one.png");
        assertThat(r.body().path("thumb_url").asText()).isEqualTo(url);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(PNG);
        assertThat(got.headers().firstValue("content-type")).contains("image/png");
        assertThat(got.headers().firstValue("content-disposition").orElse("")).startsWith("inline");
    }

    @Test
    void aFileKeepsItsBytesAndRiskyTypesAreServedAsAttachments() {
        byte[] html = "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8);
        RestClient.Response r = upload(ann, "file", multipart("file", "page.html", "text/html", html));

        HttpResponse<byte[]> got = fetch(r.body().path("file").asText());

        assertThat(r.body().has("thumb_url")).isFalse();
        assertThat(got.body()).isEqualTo(html);
        assertThat(got.headers().firstValue("content-disposition").orElse("")).startsWith("attachment");
        assertThat(got.headers().firstValue("x-content-type-options")).contains("nosniff");
    }

    @Test
    void theImageRouteRefusesOtherTypesAndAMissingFileFieldWithCode4() {
        RestClient.Response text = upload(ann, "image", multipart("file", "notes.txt", "text/plain", new byte[] {'x'}));
        RestClient.Response noField = upload(ann, "file", multipart("other", "a.txt", "text/plain", new byte[] {'x'}));
        RestClient.Response garbage = upload(ann, "file", "not multipart".getBytes(StandardCharsets.UTF_8));

        assertThat(text.code()).isEqualTo(4);
        assertThat(noField.code()).isEqualTo(4);
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.code()).isEqualTo(4);
    }

    @Test
    void uploadsMayExceedTheRestBodyLimitButNotTheUploadLimit() {
        byte[] big = new byte[40 * 1024];
        Arrays.fill(big, (byte) 'a');

        RestClient.Response upload = upload(ann, "file", multipart("file", "big.txt", "text/plain", big));
        RestClient.Response message = RestClient.user(server, ann)
                .post(
                        "/channels/messaging/" + id + "/message",
                        json("message", json("text", "x", "filler", new String(big, StandardCharsets.US_ASCII))));
        RestClient.Response tooBig =
                upload(ann, "file", multipart("file", "huge.txt", "text/plain", new byte[100 * 1024]));

        assertThat(upload.status()).as(upload.body().toString()).isEqualTo(200);
        assertThat(message.status()).isEqualTo(413);
        assertThat(message.code()).isEqualTo(22);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.code()).isEqualTo(22);
    }

    @Test
    void outsidersAndUnknownChannelsAreRefused() {
        RestClient.Response outsider =
                upload("eve-" + id, "file", multipart("file", "a.txt", "text/plain", new byte[] {'x'}));
        id = "none-" + id;
        RestClient.Response missing = upload(ann, "file", multipart("file", "a.txt", "text/plain", new byte[] {'x'}));

        assertThat(outsider.code()).isEqualTo(17);
        assertThat(missing.code()).isEqualTo(16);
    }

    @Test
    void theUploaderDeletesAndTheUrlStopsServing() {
        String url = upload(ann, "file", multipart("file", "a.txt", "text/plain", new byte[] {'x'}))
                .body()
                .path("file")
                .asText();
        String path = "/channels/messaging/" + id + "/file?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8);

        RestClient.Response byBob = RestClient.user(server, bob).call("DELETE", path, null);
        RestClient.Response byAnn = RestClient.user(server, ann).call("DELETE", path, null);
        RestClient.Response again = RestClient.user(server, ann).call("DELETE", path, null);

        assertThat(byBob.code()).isEqualTo(17);
        assertThat(byAnn.status()).isEqualTo(200);
        assertThat(fetch(url).statusCode()).isEqualTo(404);
        assertThat(again.code()).isEqualTo(16);
    }

    @Test
    void aServerUploadNamesItsUploaderInTheUserField() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("--b0undary\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n{\"id\":\"" + bob + "\"}\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(multipart("file", "b.txt", "text/plain", new byte[] {'y'}));
        String url = RestClient.server(server)
                .send("POST", "/channels/messaging/" + id + "/file", Map.of(), body.toByteArray(), MULTIPART)
                .body()
                .path("file")
                .asText();

        RestClient.Response byBob = RestClient.user(server, bob)
                .call(
                        "DELETE",
                        "/channels/messaging/" + id + "/file?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8),
                        null);

        assertThat(url).contains("/uploads/");
        assertThat(byBob.status()).isEqualTo(200);
    }

    @Test
    void filesLiveUnderTheDataDirectory() throws IOException {
        String url = upload(ann, "file", multipart("file", "a.txt", "text/plain", new byte[] {'x'}))
                .body()
                .path("file")
                .asText();
        String uploadId = Uploads.idOf(url).orElseThrow();

        Path stored = server.config().dataDir().resolve("uploads").resolve(uploadId);

        assertThat(Files.readAllBytes(stored)).containsExactly('x');
    }

    @Test
    void theAppUploadConfigLimitsSizeAndExtensions() {
        ObjectNode config =
                json("blocked_file_extensions", Json.mapper().createArrayNode().add(".exe"), "size_limit", 8);
        RestClient.server(server).call("PATCH", "/app", json("file_upload_config", config));
        try {
            RestClient.Response exe =
                    upload(ann, "file", multipart("file", "setup.exe", "application/x-msdownload", new byte[] {'x'}));
            RestClient.Response large = upload(ann, "file", multipart("file", "a.txt", "text/plain", new byte[9]));

            assertThat(exe.code()).isEqualTo(4);
            assertThat(large.code()).isEqualTo(22);
        } finally {
            RestClient.server(server).call("PATCH", "/app", json("file_upload_config", json("size_limit", 0)));
        }
    }

    private RestClient.Response uploadRaw(String contentType, byte[] body) {
        return RestClient.user(server, ann)
                .send(
                        "POST",
                        "/channels/messaging/" + id + "/file",
                        Map.of(),
                        body,
                        Map.of("Content-Type", contentType));
    }

    @Test
    void partsKeepTheirFileNameTypeAndExactBytesEvenWithBoundaryLikeLinesInside() {
        byte[] content = "\r\n--not-the-boundary\r\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("preamble\r\n--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"caf\u00e9 photo.png\""
                                + "\r\nContent-Type: image/png\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n--b0undary\r\nContent-Disposition: form-data; name=other\r\n\r\nx\r\n--b0undary--\r\n"
                .getBytes(StandardCharsets.UTF_8));

        RestClient.Response r = upload(ann, "file", body.toByteArray());
        HttpResponse<byte[]> got = fetch(r.body().path("file").asText());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().path("file").asText()).endsWith("/caf%C3%A9%20photo.png");
        assertThat(got.body()).isEqualTo(content);
        assertThat(got.headers().firstValue("content-type")).contains("image/png");
    }

    @Test
    void aQuotedBoundaryIsUnquoted() {
        byte[] body =
                "--q b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q.txt\"\r\n\r\nx\r\n--q b--\r\n"
                        .getBytes(StandardCharsets.UTF_8);

        RestClient.Response r = uploadRaw("multipart/form-data; boundary=\"q b\"", body);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(fetch(r.body().path("file").asText()).body()).containsExactly('x');
    }

    @Test
    void bodiesThatAreNotMultipartOrAreMalformedAreCode4() {
        byte[] file = multipart("file", "a.txt", "text/plain", new byte[] {'x'});
        StringBuilder manyParts = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            manyParts
                    .append("--b0undary\r\nContent-Disposition: form-data; name=\"f")
                    .append(i)
                    .append("\"\r\n\r\nx\r\n");
        }
        manyParts.append("--b0undary--\r\n");
        byte[] longHeaders = ("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                        + "n".repeat(20_000) + "\"\r\n\r\nx\r\n--b0undary--\r\n")
                .getBytes(StandardCharsets.UTF_8);

        for (RestClient.Response r : new RestClient.Response[] {
            uploadRaw("application/json", file),
            uploadRaw("multipart/form-data", file),
            upload(ann, "file", "no boundary here".getBytes(StandardCharsets.UTF_8)),
            upload(ann, "file", manyParts.toString().getBytes(StandardCharsets.UTF_8)),
            upload(ann, "file", longHeaders),
            upload(
                    ann,
                    "file",
                    "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nopen"
                            .getBytes(StandardCharsets.UTF_8))
        }) {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.code()).as(r.toString()).isEqualTo(4);
        }
    }

    @Test
    void aLargeTextFieldIsRefusedWithCode4() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("--b0undary\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n" + "x".repeat(20 * 1024) + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(multipart("file", "b.txt", "text/plain", new byte[] {'y'}));

        RestClient.Response r = upload(ann, "file", body.toByteArray());

        assertThat(r.code()).as(r.toString()).isEqualTo(4);
        assertThat(r.message()).contains("'user'");
    }

    @Test
    void aHeadRequestGivesTheStoredLengthWithoutTheBytes() throws Exception {
        String url = upload(ann, "file", multipart("file", "h.txt", "text/plain", new byte[] {'a', 'b', 'c'}))
                .body()
                .path("file")
                .asText();

        HttpResponse<byte[]> head = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-length")).contains("3");
        assertThat(head.body()).isEmpty();
        assertThat(fetch(url).body()).containsExactly('a', 'b', 'c');
    }
}
