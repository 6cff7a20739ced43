package dev.parley.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP/2 stand-in: requests over h2 are recorded and answered as told; an HTTP/1.1 client is refused. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http2StandInTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Http2StandIn standIn;

    @BeforeEach
    void start() throws Exception {
        standIn = Http2StandIn.start();
    }

    @AfterEach
    void stop() {
        standIn.close();
    }

    private HttpClient client(HttpClient.Version version, SSLContext ssl) {
        return HttpClient.newBuilder()
                .version(version)
                .sslContext(ssl)
                .connectTimeout(WAIT)
                .build();
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(standIn.url() + path))
                .timeout(WAIT)
                .header("Content-Type", "application/json")
                .header("Apns-Topic", "dev.parley.app")
                .header("Authorization", "bearer token-1")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    @Test
    void aPostOverHttp2IsRecordedAndAnsweredByDefault() throws Exception {
        assertThat(standIn.url().toString()).matches("https://127\\.0\\.0\\.1:\\d+");

        try (HttpClient client = client(HttpClient.Version.HTTP_2, standIn.clientContext())) {
            HttpResponse<String> response =
                    client.send(post("/3/device/abc?x=1", "{\"aps\":{}}"), HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{}");
        }

        Http2StandIn.Request request = standIn.take(WAIT);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/3/device/abc?x=1");
        assertThat(request.body()).isEqualTo("{\"aps\":{}}");
        assertThat(request.headers())
                .containsEntry("content-type", "application/json")
                .containsEntry("apns-topic", "dev.parley.app")
                .containsEntry("authorization", "bearer token-1");
        assertThat(request.headers().keySet()).noneMatch(name -> name.startsWith(":"));
        assertThat(standIn.count()).isEqualTo(1);
        assertThat(standIn.drain()).isEmpty();
    }

    @Test
    void theProgrammedAnswerArrives() throws Exception {
        standIn.answer(request -> request.path().endsWith("/bad")
                ? new Http2StandIn.Answer(410, Map.of("apns-id", "id-7"), "{\"reason\":\"Unregistered\"}")
                : new Http2StandIn.Answer(204, Map.of("X-Empty", "yes"), ""));

        try (HttpClient client = client(HttpClient.Version.HTTP_2, standIn.clientContext())) {
            HttpResponse<String> gone = client.send(post("/3/device/bad", "{}"), HttpResponse.BodyHandlers.ofString());
            assertThat(gone.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(gone.statusCode()).isEqualTo(410);
            assertThat(gone.headers().firstValue("apns-id")).hasValue("id-7");
            assertThat(gone.body()).isEqualTo("{\"reason\":\"Unregistered\"}");

            HttpResponse<String> empty =
                    client.send(post("/3/device/good", "{}"), HttpResponse.BodyHandlers.ofString());
            assertThat(empty.statusCode()).isEqualTo(204);
            assertThat(empty.headers().firstValue("x-empty")).hasValue("yes");
            assertThat(empty.body()).isEmpty();

            standIn.answer(request -> Http2StandIn.Answer.json(200, "{\"access_token\":\"t\"}"));
            HttpResponse<String> json = client.send(post("/token", "grant"), HttpResponse.BodyHandlers.ofString());
            assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(json.body()).isEqualTo("{\"access_token\":\"t\"}");
        }

        assertThat(standIn.drain())
                .extracting(Http2StandIn.Request::path)
                .containsExactly("/3/device/bad", "/3/device/good", "/token");
        assertThat(standIn.count()).isEqualTo(3);
    }

    @Test
    void theCertificatePemCanBeTrustedByAClient() throws Exception {
        String pem = Files.readString(standIn.certificatePem());
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");

        X509Certificate cert;
        try (var in = Files.newInputStream(standIn.certificatePem())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("pem", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);

        try (HttpClient client = client(HttpClient.Version.HTTP_2, ssl)) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(standIn.url() + "/ping"))
                            .timeout(WAIT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(200);
        }
        Http2StandIn.Request request = standIn.take(WAIT);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.body()).isEmpty();
    }

    @Test
    void anHttp11ClientIsRefused() throws Exception {
        try (HttpClient client = client(HttpClient.Version.HTTP_1_1, standIn.clientContext())) {
            assertThatThrownBy(() -> client.send(post("/3/device/abc", "{}"), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
        assertThat(standIn.count()).isZero();
        assertThat(standIn.drain()).isEmpty();
    }

    @Test
    void aBodyOverTheBoundIsAnswered413AndNotRecorded() throws Exception {
        try (HttpClient client = client(HttpClient.Version.HTTP_2, standIn.clientContext())) {
            HttpResponse<String> response = client.send(
                    post("/big", "x".repeat(Http2StandIn.MAX_BODY + 1)), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(413);
        }
        assertThat(standIn.count()).isZero();
    }

    @Test
    void takeFailsWhenNoRequestArrives() {
        assertThatThrownBy(() -> standIn.take(Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("no request within");
    }

    @Test
    void closeDeletesTheTemporaryFiles() throws Exception {
        var pem = standIn.certificatePem();
        assertThat(pem).exists();
        standIn.close();
        assertThat(pem).doesNotExist();
        assertThat(pem.getParent()).doesNotExist();
    }
}
