package dev.parley.server.links;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fetcher's SSRF guard and bounds (PROTOCOL.md §7.25) against pages served on 127.0.0.1, which the guard
 * allows as an exception: every other loopback, private or link-local address stays refused.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PageFetcherTest {
    private static final InetAddress LOOPBACK = ip("127.0.0.1");
    private static final AddressGuard GUARD = new AddressGuard(false, Set.of(LOOPBACK));

    private final PageServer pages = new PageServer();
    private final CountDownLatch release = new CountDownLatch(1);
    private final NettyPages netty = new NettyPages();

    private final List<ServerSocket> raws = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        pages.close();
        netty.close();
        for (ServerSocket s : raws) {
            s.close();
        }
    }

    /** Writes one answer, byte for byte, to a connection whose request was read. */
    @FunctionalInterface
    private interface RawAnswer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * A server on 127.0.0.1 answering every request with {@code answer}, for answers the JDK's server does not
     * make; the connection closes after it. Its URL for {@code /}.
     */
    private String raw(RawAnswer answer) throws IOException {
        ServerSocket server = new ServerSocket(0, 16, LOOPBACK);
        raws.add(server);
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    for (int end = 0; end < 4; ) { // the request's head ends with an empty line
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        end = c == (end % 2 == 0 ? '\r' : '\n') ? end + 1 : c == '\r' ? 1 : 0;
                    }
                    answer.write(s.getOutputStream());
                } catch (IOException e) {
                    // the fetcher closed the connection at its bound, or the test is over
                }
            }
        });
        return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Names of the tests' own: each resolves to the addresses given, without DNS. */
    private static PageFetcher.Resolver table(Map<String, List<InetAddress>> names) {
        return host -> {
            List<InetAddress> a = names.get(host);
            if (a != null) {
                return a.toArray(InetAddress[]::new);
            }
            return new InetAddress[] {InetAddress.getByName(host)}; // literals in these tests
        };
    }

    private PageFetcher fetcher(Duration timeout) {
        return new PageFetcher(GUARD, table(Map.of()), timeout, netty.client());
    }

    private PageFetcher.Page fetch(String url) throws PageFetcher.FetchException {
        return fetcher(Duration.ofSeconds(5)).fetch(PageFetcher.checkUrl(url));
    }

    private static PageFetcher.FetchException failure(ThrowingFetch f) {
        try {
            f.run();
        } catch (PageFetcher.FetchException e) {
            return e;
        }
        throw new AssertionError("expected the fetch to fail");
    }

    @FunctionalInterface
    private interface ThrowingFetch {
        void run() throws PageFetcher.FetchException;
    }

    @Test
    void anHtmlPageIsFetchedWithItsCharsetAndItsOpenGraphTagsRead() throws Exception {
        pages.html("/page", PageServer.ogPage("Héllo", "A page", "/img.png"));

        PageFetcher.Page page = fetch(pages.url("/page"));
        var attachment = OpenGraph.attachment(pages.url("/page"), page);

        assertThat(page.html()).isTrue();
        assertThat(page.charset()).isEqualTo("utf-8");
        assertThat(attachment).isNotNull();
        assertThat(attachment.path("title").asText()).isEqualTo("Héllo");
        assertThat(attachment.path("image_url").asText()).isEqualTo(pages.url("/img.png"));
    }

    @Test
    void theConnectionGoesToTheAddressThatWasCheckedAndTheHostHeaderNamesTheUrlsHost() throws Exception {
        pages.html("/page", PageServer.ogPage("Pinned", "d", "i.png"));
        AtomicInteger lookups = new AtomicInteger();
        // A rebinding name: the first answer passes the guard, every later one points inside the network.
        PageFetcher.Resolver rebinding = host ->
                lookups.getAndIncrement() == 0 ? new InetAddress[] {LOOPBACK} : new InetAddress[] {ip("10.0.0.1")};
        PageFetcher f = new PageFetcher(GUARD, rebinding, Duration.ofSeconds(5), netty.client());

        PageFetcher.Page page = f.fetch(PageFetcher.checkUrl("http://rebind.test:" + pages.port() + "/page"));

        assertThat(page.html()).isTrue();
        assertThat(lookups.get()).as("one lookup for the one hop").isEqualTo(1);
        assertThat(pages.hosts).containsExactly("rebind.test:" + pages.port());
    }

    @Test
    void aHostWhoseAddressesAreAllPrivateIsRefusedAndAPublicOneAmongThemIsTheOneUsed() throws Exception {
        pages.html("/page", PageServer.ogPage("Mixed", "d", "i.png"));
        PageFetcher f = new PageFetcher(
                GUARD,
                table(Map.of(
                        "internal.test", List.of(ip("10.0.0.5"), ip("169.254.169.254")),
                        "mixed.test", List.of(ip("192.168.0.7"), LOOPBACK))),
                Duration.ofSeconds(5),
                netty.client());

        PageFetcher.FetchException refused =
                failure(() -> f.fetch(PageFetcher.checkUrl("http://internal.test:" + pages.port() + "/page")));
        PageFetcher.Page page = f.fetch(PageFetcher.checkUrl("http://mixed.test:" + pages.port() + "/page"));

        assertThat(refused.refused()).isTrue();
        assertThat(refused.getMessage()).contains("internal.test", "link-local");
        assertThat(page.html()).isTrue();
        assertThat(pages.hits("/page")).isEqualTo(1);
    }

    @Test
    void aRedirectToAPrivateOrOtherLoopbackAddressIsRefusedBeforeItIsFollowed() {
        pages.redirect("/metadata", "http://169.254.169.254/latest/meta-data/");
        pages.redirect("/other-loopback", "http://127.0.0.2:" + pages.port() + "/page");
        pages.redirect("/ipv6-mapped", "http://[::ffff:10.0.0.1]/");
        pages.redirect("/file", "file:///etc/passwd");

        for (String path : List.of("/metadata", "/other-loopback", "/ipv6-mapped", "/file")) {
            PageFetcher.FetchException e = failure(() -> fetch(pages.url(path)));
            assertThat(e.refused()).as(path).isTrue();
        }
        assertThat(pages.hits("/page")).isZero();
    }

    @Test
    void redirectsAreFollowedThreeTimesAndNoMore() throws Exception {
        pages.html("/page", PageServer.ogPage("End", "d", "i.png"));
        pages.redirect("/a1", "/a2").redirect("/a2", "/a3").redirect("/a3", pages.url("/page"));
        pages.redirect("/b1", "/b2")
                .redirect("/b2", "/b3")
                .redirect("/b3", "/b4")
                .redirect("/b4", "/page");

        PageFetcher.Page three = fetch(pages.url("/a1"));
        PageFetcher.FetchException four = failure(() -> fetch(pages.url("/b1")));

        assertThat(three.url().toString()).isEqualTo(pages.url("/page"));
        assertThat(four.refused()).isFalse();
        assertThat(four.getMessage()).contains("more than 3 redirects");
        assertThat(pages.hits("/b4")).isEqualTo(1);
        assertThat(pages.hits("/page"))
                .as("only the three-redirect chain reached the page")
                .isEqualTo(1);
    }

    @Test
    void onlyHttpAndHttpsUrlsWithoutCredentialsAreAccepted() {
        for (String url : List.of(
                "ftp://example.com/file",
                "file:///etc/passwd",
                "javascript:alert(1)",
                "gopher://127.0.0.1:6379/_INFO",
                "http://user:secret@example.com/",
                "http:///no-host",
                "not a url",
                "https://example.com/" + "x".repeat(PageFetcher.MAX_URL_LENGTH))) {
            PageFetcher.FetchException e = failure(() -> PageFetcher.checkUrl(url));
            assertThat(e.refused()).as(url).isTrue();
        }
    }

    @Test
    void aBodyLargerThanTheBoundIsCutAtTheBoundWithOrWithoutALength() throws Exception {
        byte[] big = new byte[4 * PageFetcher.MAX_BODY_BYTES];
        Arrays.fill(big, (byte) 'a');
        byte[] head = "<html><head><title>Big</title></head><body>".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, big, 0, head.length);
        pages.on("/sized", x -> PageServer.send(x, 200, "text/html", big));
        pages.on("/chunked", x -> {
            x.getResponseHeaders().add("Content-Type", "text/html");
            x.sendResponseHeaders(200, 0); // no length: the JDK server sends it chunked
            try (OutputStream out = x.getResponseBody()) {
                out.write(big);
            } catch (java.io.IOException e) {
                // the fetcher stops reading at its bound and closes the connection
            }
        });

        PageFetcher.Page sized = fetch(pages.url("/sized"));
        PageFetcher.Page chunked = fetch(pages.url("/chunked"));

        assertThat(sized.body()).hasSize(PageFetcher.MAX_BODY_BYTES);
        assertThat(chunked.body()).hasSize(PageFetcher.MAX_BODY_BYTES);
        assertThat(new String(chunked.body(), 0, head.length, StandardCharsets.US_ASCII))
                .isEqualTo(new String(head, StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyEndedByTheCloseOfItsConnectionIsReadToTheEndOrCutAtTheBound() throws Exception {
        String small = raw(out -> out.write(
                ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<title>t</title>")));
        CountDownLatch cut = new CountDownLatch(1);
        String large = raw(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"));
            try {
                // More than any socket buffers hold: only the fetcher closing the connection ends this early.
                for (int i = 0; i < 1024; i++) {
                    out.write(new byte[64 * 1024]);
                }
            } catch (IOException e) {
                cut.countDown();
                throw e;
            }
        });

        assertThat(new String(fetch(small).body(), StandardCharsets.US_ASCII)).isEqualTo("<title>t</title>");
        assertThat(fetch(large).body()).hasSize(PageFetcher.MAX_BODY_BYTES);
        assertThat(cut.await(10, TimeUnit.SECONDS))
                .as("the connection was closed at the bound")
                .isTrue();
    }

    @Test
    void aChunkedBodyIsJoinedFromItsChunks() throws Exception {
        String url = raw(out -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "7;ext=1\r\n<title>\r\n8\r\nchunked!\r\n8\r\n</title>\r\n0\r\n\r\n")));

        assertThat(new String(fetch(url).body(), StandardCharsets.US_ASCII)).isEqualTo("<title>chunked!</title>");
    }

    @Test
    void anAnswerWhoseHeadIsLargerThanItsBoundIsNotRead() throws Exception {
        String url = raw(out -> out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Big: "
                + "x".repeat(64 * 1024) + "\r\nContent-Length: 2\r\n\r\nhi")));

        PageFetcher.FetchException e = failure(() -> fetch(url));

        assertThat(e.refused()).isFalse();
        assertThat(e.getMessage()).contains("could not be read");
    }

    @Test
    void aSiteThatStallsInTheMiddleOfItsBodyIsGivenUpAtTheDeadline() throws Exception {
        String url = raw(out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html>"));
            out.flush();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();

        PageFetcher.FetchException e =
                failure(() -> fetcher(Duration.ofMillis(300)).fetch(PageFetcher.checkUrl(url)));

        assertThat(e.refused()).isFalse();
        assertThat(e.getMessage()).contains("did not answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aSiteThatDoesNotAnswerIsGivenUpAtTheDeadline() {
        pages.on("/stall", x -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();

        PageFetcher.FetchException e =
                failure(() -> fetcher(Duration.ofMillis(300)).fetch(PageFetcher.checkUrl(pages.url("/stall"))));

        assertThat(e.refused()).isFalse();
        assertThat(e.getMessage()).contains("did not answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anAnswerThatIsNotHtmlIsNotReadAndAnErrorStatusFails() throws Exception {
        pages.on("/image", x -> PageServer.send(x, 200, "image/png", new byte[1024]));
        pages.on(
                "/missing",
                x -> PageServer.send(x, 404, "text/html", "<title>no</title>".getBytes(StandardCharsets.UTF_8)));

        PageFetcher.Page image = fetch(pages.url("/image"));
        PageFetcher.FetchException missing = failure(() -> fetch(pages.url("/missing")));

        assertThat(image.html()).isFalse();
        assertThat(image.contentType()).isEqualTo("image/png");
        assertThat(image.body()).isEmpty();
        assertThat(missing.getMessage()).contains("HTTP 404");
    }

    @Test
    void aUrlIsCheckedAsItIsNormalized() throws Exception {
        URI u = PageFetcher.checkUrl("  http://Example.com/a/../b  ");

        assertThat(u.toString()).isEqualTo("http://Example.com/b");
    }
}
