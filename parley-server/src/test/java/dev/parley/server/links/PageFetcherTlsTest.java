package dev.parley.server.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.parley.server.testing.Http2StandIn;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * https previews (PROTOCOL.md §7.25): the socket goes to the checked address, while TLS names the URL's host
 * (SNI) and checks the certificate against it, not against the address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PageFetcherTlsTest {
    private static final String PASSWORD = "changeit";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final AddressGuard GUARD = new AddressGuard(false, Set.of(LOOPBACK));
    /** Every name of these tests resolves to the loopback address, without DNS. */
    private static final PageFetcher.Resolver ALL_LOCAL = host -> new InetAddress[] {LOOPBACK};

    private static HttpsServer server;
    private static SslContext trusting;
    private static Path dir;
    private static NettyPages netty;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("parley-og-tls-");
        KeyStore keys = Http2StandIn.selfSigned(dir.resolve("pages.p12"), "pages", "dns:pages.test", PASSWORD);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        // Trusting the test's certificate, without a host name check of its own: the client must add it.
        trusting = SslContextBuilder.forClient()
                .trustManager((X509Certificate) keys.getCertificate("pages"))
                .endpointIdentificationAlgorithm(null)
                .build();
        netty = new NettyPages();

        server = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/page", x -> {
            byte[] body = PageServer.ogPage("Secure", "d", "i.png").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/html");
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop(0);
        }
        if (netty != null) {
            netty.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    private static String url(String host) {
        return "https://" + host + ":" + server.getAddress().getPort() + "/page";
    }

    private static PageFetcher trustingFetcher() {
        return new PageFetcher(GUARD, ALL_LOCAL, Duration.ofSeconds(5), netty.client(trusting));
    }

    @Test
    void aPageWhoseCertificateNamesTheUrlsHostIsFetchedFromTheCheckedAddress() throws Exception {
        PageFetcher.Page page = trustingFetcher().fetch(PageFetcher.checkUrl(url("pages.test")));

        assertThat(OpenGraph.attachment(url("pages.test"), page).path("title").asText())
                .isEqualTo("Secure");
    }

    @Test
    void aCertificateForAnotherNameIsRefusedThoughTheAddressIsTheSame() {
        PageFetcher.FetchException e = org.junit.jupiter.api.Assertions.assertThrows(
                PageFetcher.FetchException.class,
                () -> trustingFetcher().fetch(PageFetcher.checkUrl(url("other.test"))));

        assertThat(e.refused()).isFalse();
        assertThat(e.getMessage()).contains("could not be read");
    }

    @Test
    void aCertificateNoTrustedAuthoritySignedIsRefused() {
        PageFetcher system = new PageFetcher(GUARD, ALL_LOCAL, Duration.ofSeconds(5), netty.client());

        PageFetcher.FetchException e = org.junit.jupiter.api.Assertions.assertThrows(
                PageFetcher.FetchException.class, () -> system.fetch(PageFetcher.checkUrl(url("pages.test"))));

        assertThat(e.refused()).isFalse();
    }
}
