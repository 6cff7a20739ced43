package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.links.PageHttp;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The link previews' client (PROTOCOL.md §7.25) against a site that never answers: the request it sends, and the
 * connection it closes when the fetch is given up, at its timeout or cancelled.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PageClientTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final PageClient client = new PageClient(group, NioSocketChannel.class);
    private final AtomicReference<String> request = new AtomicReference<>();
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A site that reads the request and then only waits for the client to close the connection. */
    private URI silentSite() throws IOException {
        server = new ServerSocket(0, 4, LOOPBACK);
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                int c;
                while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                    head.append((char) c);
                }
                request.set(head.toString());
                requested.countDown();
                while (in.read() >= 0) {
                    // nothing comes after a GET's head; the end of the stream is the client closing
                }
                closed.countDown();
            } catch (IOException e) {
                closed.countDown(); // a reset is a close too
            }
        });
        return URI.create("http://silent.test:" + server.getLocalPort() + "/a?b=c");
    }

    private CompletableFuture<PageHttp.Answer> get(URI url, Duration timeout) {
        return client.get(new PageHttp.Request(url, LOOPBACK, timeout, 1024, type -> true));
    }

    @Test
    void theRequestNamesTheUrlsHostAndAsksForNoCompressionWhileTheConnectionGoesToTheAddressGiven() throws Exception {
        URI url = silentSite();

        CompletableFuture<PageHttp.Answer> answer = get(url, Duration.ofMillis(200));

        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(PageHttp.TimedOut.class);
        assertThat(closed.await(10, TimeUnit.SECONDS))
                .as("the connection closed at the timeout")
                .isTrue();
        assertThat(request.get())
                .startsWith("GET /a?b=c HTTP/1.1\r\n")
                .contains("host: silent.test:" + url.getPort() + "\r\n")
                .contains("accept-encoding: identity\r\n")
                .contains("connection: close\r\n");
    }

    @Test
    void cancellingTheAnswerClosesTheConnection() throws Exception {
        URI url = silentSite();

        CompletableFuture<PageHttp.Answer> answer = get(url, Duration.ofSeconds(20));
        assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
        answer.cancel(false);

        assertThat(closed.await(10, TimeUnit.SECONDS))
                .as("the connection closed when the answer was cancelled")
                .isTrue();
    }

    @Test
    void aClosedClientStartsNoFetch() {
        client.close();

        CompletableFuture<PageHttp.Answer> answer = get(URI.create("http://example.test/"), Duration.ofSeconds(1));

        assertThat(answer).isCompletedExceptionally();
    }
}
