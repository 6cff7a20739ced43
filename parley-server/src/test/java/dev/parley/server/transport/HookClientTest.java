package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.parley.server.hooks.HookHttp;
import dev.parley.server.testing.Http2StandIn;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hooks' TLS (PROTOCOL.md §15.2): an https receiver is posted to only when its certificate is trusted and
 * names the host of the URL. The receivers are real HTTPS servers with certificates made by keytool.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HookClientTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    Path dir;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    /** A keystore with a self-signed certificate whose subject alternative names are {@code san}. */
    private KeyStore keystore(String san) throws Exception {
        return Http2StandIn.selfSigned(
                dir.resolve("hook-" + san.replaceAll("[^a-z0-9]", "") + ".p12"), "hook", san, PASSWORD);
    }

    /** An HTTPS receiver on 127.0.0.1 with the certificate of {@code ks}, answering 200. */
    private URI receiver(KeyStore ks) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    private static HookClient trusting(EventLoopGroup group, KeyStore ks) throws Exception {
        X509Certificate cert = (X509Certificate) ks.getCertificate("hook");
        return new HookClient(
                group,
                NioSocketChannel.class,
                SslContextBuilder.forClient()
                        .trustManager(cert)
                        .endpointIdentificationAlgorithm("HTTPS")
                        .build());
    }

    private static HookHttp.Answer post(HookHttp client, URI url) throws Exception {
        return client.post(
                        url, Map.of("Content-Type", "application/json"), "{}".getBytes(), Duration.ofSeconds(10), 1024)
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void aReceiverWhoseTrustedCertificateNamesItsHostGetsThePost() throws Exception {
        KeyStore ks = keystore("ip:127.0.0.1");
        URI url = receiver(ks);

        assertThat(post(trusting(group, ks), url).status()).isEqualTo(200);
    }

    @Test
    void aCertificateTheJdkDoesNotTrustIsRefused() throws Exception {
        URI url = receiver(keystore("ip:127.0.0.1"));

        assertThatThrownBy(() -> post(new HookClient(group, NioSocketChannel.class), url))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
        KeyStore ks = keystore("dns:hooks.example.test");
        URI url = receiver(ks);

        assertThatThrownBy(() -> post(trusting(group, ks), url))
                .isInstanceOf(ExecutionException.class)
                .rootCause()
                .isInstanceOfAny(java.security.cert.CertificateException.class, SSLHandshakeException.class);
    }
}
