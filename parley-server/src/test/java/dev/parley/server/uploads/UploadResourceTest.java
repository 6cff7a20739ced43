package dev.parley.server.uploads;

import static dev.parley.server.testing.RestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.protocol.Json;
import dev.parley.server.testing.Seed;
import dev.parley.server.testing.ServerExtension;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What uploads cost the server, measured in the bytes Netty's allocator holds for the pipeline: refused
 * uploads cost nothing however many stall, and an admitted one streams to disk instead of memory. Raw
 * sockets, so that the test decides when each byte is sent.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UploadResourceTest {
    private static final int FILE_BYTES = 15 * 1024 * 1024;
    private static final long MEMORY_BOUND = 8L * 1024 * 1024;
    /**
     * The bound for 24 uploads stalled after 2 MiB of body each: buffering their bodies would hold 48 MiB. The
     * allocator reports memory in whole chunks, shared with every other connection of the test server, so a
     * correct server was seen at 8.4 MiB; a third of what buffering would take separates the two cases.
     */
    private static final long STALLED_BOUND = 16L * 1024 * 1024;

    private static final String BOUNDARY = "----parley-resource-" + UUID.randomUUID();
    private static final byte[] CHUNK = new byte[64 * 1024];

    @RegisterExtension
    static final ServerExtension server = ServerExtension.embedded(b -> b.uploadStallTimeout(Duration.ofSeconds(2)));

    private String ann;
    private String id;

    @BeforeEach
    void channel() {
        String s = UUID.randomUUID().toString().substring(0, 8);
        ann = "ann-" + s;
        id = "room-" + s;
        Seed.users(server, json("id", ann), json("id", "eve-" + s));
        Seed.messaging(server, ann, id, ann);
    }

    /** Bytes the allocator holds: what the pipelines buffer, as the old in-memory aggregation grew it. */
    private static long pipelineBytes() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    private Path incoming() {
        return server.config().dataDir().resolve("uploads").resolve("incoming");
    }

    private List<Path> incomingFiles() {
        try (Stream<Path> files = Files.list(incoming())) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String head(String path, String apiKey, String token, long contentLength, boolean expectContinue) {
        StringBuilder h = new StringBuilder("POST ")
                .append(path)
                .append(apiKey == null ? "" : "?api_key=" + apiKey)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(server.port())
                .append("\r\nContent-Type: multipart/form-data; boundary=")
                .append(BOUNDARY)
                .append("\r\nContent-Length: ")
                .append(contentLength)
                .append("\r\nstream-auth-type: jwt\r\n");
        if (token != null) {
            h.append("Authorization: ").append(token).append("\r\n");
        }
        if (expectContinue) {
            h.append("Expect: 100-continue\r\n");
        }
        return h.append("\r\n").toString();
    }

    private static byte[] partHead() {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] partTail() {
        return ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** One HTTP answer read from a raw socket. */
    private record Answer(int status, Map<String, String> headers, JsonNode body) {
        int code() {
            return body == null ? -999 : body.path("code").asInt(-999);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed in the middle of an answer's head");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static Answer read(InputStream in) throws IOException {
        int status = Integer.parseInt(line(in).split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(
                    l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    l.substring(colon + 1).trim());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new Answer(status, headers, body.length == 0 ? null : Json.parse(body, "answer"));
    }

    /** Whether the server has closed the connection (reads end of stream). */
    private static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(15_000);
            while (true) {
                if (s.getInputStream().read() < 0) {
                    return true;
                }
            }
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Test
    void stalledUnauthenticatedUploadsAreRefusedBeforeTheBodyAndHoldNoMemory() throws Exception {
        String path = "/channels/messaging/" + id + "/file";
        String outsider = server.userToken("eve-" + id.substring(5));
        // {api key, token, path, expected code}: no key, a forged token, a non-member, an unknown channel
        List<Object[]> refusals = List.of(
                new Object[] {null, server.userToken(ann), path, 2},
                new Object[] {server.apiKey(), "not.a.token", path, 5},
                new Object[] {server.apiKey(), outsider, path, 17},
                new Object[] {server.apiKey(), server.userToken(ann), "/channels/messaging/none-" + id + "/file", 16});
        long before = pipelineBytes();
        List<Socket> stalled = new ArrayList<>();
        try {
            // Twelve wait for 100 Continue, which must never come: the first answer is the refusal.
            for (int i = 0; i < 12; i++) {
                Object[] r = refusals.get(i % refusals.size());
                Socket s = new Socket("127.0.0.1", server.port());
                stalled.add(s);
                s.getOutputStream()
                        .write(head((String) r[2], (String) r[0], (String) r[1], FILE_BYTES, true)
                                .getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(10_000);
                Answer a = read(s.getInputStream());
                assertThat(a.status())
                        .as("answer to a refused upload waiting for 100 Continue")
                        .isNotEqualTo(100);
                assertThat(a.code()).isEqualTo((int) r[3]);
                assertThat(a.headers().get("connection")).isEqualToIgnoringCase("close");
                assertThat(closedByServer(s))
                        .as("connection closed after the refusal")
                        .isTrue();
            }
            // Twenty-four send 2 MiB of their body at once, without Expect, then stall with the connection open.
            List<Socket> sending = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                Object[] r = refusals.get(i % refusals.size());
                Socket s = new Socket("127.0.0.1", server.port());
                stalled.add(s);
                sending.add(s);
                OutputStream out = s.getOutputStream();
                out.write(head((String) r[2], (String) r[0], (String) r[1], FILE_BYTES, false)
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(partHead());
                for (int sent = 0; sent < 2 * 1024 * 1024; sent += CHUNK.length) {
                    out.write(CHUNK);
                }
                out.flush();
            }
            for (int i = 0; i < sending.size(); i++) {
                sending.get(i).setSoTimeout(10_000);
                Answer a = read(sending.get(i).getInputStream());
                assertThat(a.code()).isEqualTo((int) refusals.get(i % refusals.size())[3]);
                assertThat(a.headers().get("connection")).isEqualToIgnoringCase("close");
            }

            long held = pipelineBytes() - before;

            assertThat(held)
                    .as("bytes held by the pipelines with 24 refused uploads stalled mid-body")
                    .isLessThan(STALLED_BOUND);
            assertThat(incomingFiles()).isEmpty();
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void aDeclaredBodyOverTheUploadLimitIsRefusedWithCode22BeforeAnyByteIsSent() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream()
                    .write(head(
                                    "/channels/messaging/" + id + "/file",
                                    server.apiKey(),
                                    server.userToken(ann),
                                    server.config().maxUploadBytes() + 1L,
                                    true)
                            .getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);

            Answer a = read(s.getInputStream());

            assertThat(a.status()).isEqualTo(413);
            assertThat(a.code()).isEqualTo(22);
            assertThat(closedByServer(s)).isTrue();
        }
    }

    @Test
    void aValid15MiBUploadStreamsToDiskAndIsStoredWhole() throws Exception {
        byte[] file = new byte[FILE_BYTES];
        new Random(7).nextBytes(file);
        byte[] partHead = partHead();
        byte[] partTail = partTail();
        long length = partHead.length + (long) file.length + partTail.length;
        int firstPart = 12 * 1024 * 1024;
        long before = pipelineBytes();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(head("/channels/messaging/" + id + "/file", server.apiKey(), server.userToken(ann), length, true)
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(line(in)).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(line(in)).isEmpty();
            out.write(partHead);
            out.write(file, 0, firstPart);
            out.flush();

            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            incomingFiles().stream().anyMatch(p -> p.toFile().length() >= firstPart - 64 * 1024));
            long held = pipelineBytes() - before;
            out.write(file, firstPart, file.length - firstPart);
            out.write(partTail);
            out.flush();
            Answer a = read(in);

            assertThat(held)
                    .as("bytes held by the pipeline with 12 MiB of an upload received")
                    .isLessThan(MEMORY_BOUND);
            assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(200);
            String uploadId = Uploads.idOf(a.body().path("file").asText()).orElseThrow();
            Path stored = server.config().dataDir().resolve("uploads").resolve(uploadId);
            assertThat(Files.size(stored)).isEqualTo(FILE_BYTES);
            assertThat(sha256(Files.readAllBytes(stored))).isEqualTo(sha256(file));
            assertThat(incomingFiles()).isEmpty();
        }
    }

    @Test
    void anUploadThatStallsMidBodyIsAnswered408AndItsFileDeleted() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head(
                            "/channels/messaging/" + id + "/file",
                            server.apiKey(),
                            server.userToken(ann),
                            FILE_BYTES,
                            false)
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(partHead());
            for (int sent = 0; sent < 1024 * 1024; sent += CHUNK.length) {
                out.write(CHUNK);
            }
            out.flush();

            Answer a = read(s.getInputStream());

            assertThat(a.status()).isEqualTo(408);
            assertThat(a.code()).isEqualTo(23);
            assertThat(closedByServer(s)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> incomingFiles().isEmpty());
        }
    }

    @Test
    void aClientGoneMidUploadLeavesNoFileBehind() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(head(
                            "/channels/messaging/" + id + "/file",
                            server.apiKey(),
                            server.userToken(ann),
                            FILE_BYTES,
                            false)
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(partHead());
            for (int sent = 0; sent < 1024 * 1024; sent += CHUNK.length) {
                out.write(CHUNK);
            }
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> !incomingFiles().isEmpty());
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> incomingFiles().isEmpty());
    }

    @Test
    void aBodyTheDecoderRefusesMidwayIsCode4AndLeavesNoFileBehind() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(partHead());
        body.writeBytes(new byte[256 * 1024]);
        for (int i = 0; i < 20; i++) {
            body.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"f" + i + "\"\r\n\r\nx")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(partTail());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream()
                    .write(head(
                                    "/channels/messaging/" + id + "/file",
                                    server.apiKey(),
                                    server.userToken(ann),
                                    body.size(),
                                    false)
                            .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body.toByteArray());

            Answer a = read(s.getInputStream());

            assertThat(a.status()).isEqualTo(400);
            assertThat(a.code()).isEqualTo(4);
            await().atMost(Duration.ofSeconds(10)).until(() -> incomingFiles().isEmpty());
        }
    }

    @Test
    void aRequestPipelinedBehindAnUploadIsAnsweredAfterIt() throws Exception {
        byte[] file = "pipelined".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] partHead = partHead();
        byte[] partTail = partTail();
        all.writeBytes(head(
                        "/channels/messaging/" + id + "/file",
                        server.apiKey(),
                        server.userToken(ann),
                        partHead.length + file.length + partTail.length,
                        false)
                .getBytes(StandardCharsets.US_ASCII));
        all.writeBytes(partHead);
        all.writeBytes(file);
        all.writeBytes(partTail);
        all.writeBytes(("GET /hi HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(all.toByteArray());

            Answer first = read(s.getInputStream());
            Answer second = read(s.getInputStream());

            assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(200);
            assertThat(first.body().path("file").asText()).contains("/uploads/");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body().has("file")).isFalse();
        }
    }

    @Test
    void clientsThatDoNotReadADownloadHoldNoCopyOfTheFile() throws Exception {
        byte[] file = new byte[FILE_BYTES];
        new Random(11).nextBytes(file);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(partHead());
        body.writeBytes(file);
        body.writeBytes(partTail());
        String url = dev.parley.server.testing.RestClient.user(server, ann)
                .send(
                        "POST",
                        "/channels/messaging/" + id + "/file",
                        Map.of(),
                        body.toByteArray(),
                        Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY))
                .body()
                .path("file")
                .asText();
        String path = url.substring(url.indexOf("/uploads/"));
        long before = liveHeapAfterGc();
        List<Socket> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                readers.add(s);
                s.setReceiveBufferSize(4096);
                s.setSoTimeout(10_000);
                s.getOutputStream()
                        .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                assertThat(line(s.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
            }

            long held = liveHeapAfterGc() - before + pipelineBytes();

            assertThat(held)
                    .as("memory held while 10 clients do not read a 15 MiB download")
                    .isLessThan(2L * FILE_BYTES);
        } finally {
            for (Socket s : readers) {
                s.close();
            }
        }
    }

    private static long liveHeapAfterGc() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage()
                .getUsed();
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return java.util.HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
