package dev.parley.server.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local HTTP/2 server with TLS that records requests and answers as told, standing in for push providers'
 * endpoints in tests. It listens on a free port of 127.0.0.1 and speaks only HTTP/2 (ALPN "h2"): a client that
 * does not negotiate h2 has its connection closed. Its certificate is self-signed, made by keytool at start-up
 * for 127.0.0.1 and localhost; {@link #clientContext()} trusts it, and {@link #certificatePem()} is it as PEM.
 *
 * <p>Every complete request within {@link #MAX_BODY} bytes is counted, recorded (in arrival order, up to
 * 10,000 not yet taken) and answered by the responder set with {@link #answer}, by default 200 with {@code {}}.
 * The responder runs on the server's event loop, so it must not block. A bigger request is answered 413 and
 * neither recorded nor counted.
 */
public final class Http2StandIn implements AutoCloseable {
    /** The largest request body accepted. */
    public static final int MAX_BODY = 1024 * 1024;

    private static final String PASSWORD = "changeit";
    private static final String ALIAS = "stand-in";

    /** One request as it arrived: header names lower-case, without the pseudo-headers; path with its query. */
    public record Request(String method, String path, Map<String, String> headers, String body) {
        public Request {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        /** The value of header {@code name} (any case), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** How to answer a request; header names are sent lower-case. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public Answer {
            headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            body = body == null ? "" : body;
        }

        /** {@code status} with {@code body} as application/json. */
        public static Answer json(int status, String body) {
            return new Answer(status, Map.of("content-type", "application/json"), body);
        }
    }

    private final Path dir;
    private final Path pem;
    private final SSLContext clientContext;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>(10_000);
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Function<Request, Answer> responder = request -> Answer.json(200, "{}");
    private final EventLoopGroup group;
    private final Channel channel;
    private final URI url;

    private Http2StandIn(Path dir) throws Exception {
        this.dir = dir;
        KeyStore keys = generateKeyStore(dir.resolve("stand-in.p12"));
        X509Certificate certificate = (X509Certificate) keys.getCertificate(ALIAS);
        this.pem = dir.resolve("stand-in.pem");
        Files.writeString(pem, toPem(certificate), StandardCharsets.US_ASCII);
        this.clientContext = trusting(certificate);

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SslContext ssl = SslContextBuilder.forServer(kmf)
                .sslProvider(SslProvider.JDK)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();

        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new Negotiation());
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
        } catch (Exception | Error e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        url = URI.create("https://127.0.0.1:" + port);
    }

    /** Starts a stand-in on a free port of 127.0.0.1. */
    public static Http2StandIn start() throws Exception {
        Path dir = Files.createTempDirectory("parley-h2-stand-in-");
        try {
            return new Http2StandIn(dir);
        } catch (Exception | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** The base URL, such as {@code https://127.0.0.1:PORT} (no trailing slash). */
    public URI url() {
        return url;
    }

    /** A PEM file of the server's certificate, for a client to trust. */
    public Path certificatePem() {
        return pem;
    }

    /** An SSLContext that trusts only the server's certificate. */
    public SSLContext clientContext() {
        return clientContext;
    }

    /** Sets how requests are answered from now on. */
    public void answer(Function<Request, Answer> responder) {
        this.responder = Objects.requireNonNull(responder, "responder");
    }

    /** The next recorded request, in arrival order; fails if none arrives within {@code timeout}. */
    public Request take(Duration timeout) throws InterruptedException {
        Request request = requests.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (request == null) {
            throw new AssertionError("no request within " + timeout);
        }
        return request;
    }

    /** Takes all recorded requests now queued, in arrival order. */
    public List<Request> drain() {
        List<Request> all = new ArrayList<>();
        requests.drainTo(all);
        return all;
    }

    /** The number of requests seen (and answered by the responder) since start. */
    public int count() {
        return count.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        } finally {
            deleteTree(dir);
        }
    }

    /** After the TLS handshake: HTTP/2 for "h2", anything else is closed. */
    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
        Negotiation() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                ctx.pipeline()
                        .addLast(
                                Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel ch) {
                                        ch.pipeline().addLast(new StreamHandler());
                                    }
                                }));
            } else {
                ctx.close();
            }
        }
    }

    /** One stream: gathers its HEADERS and DATA frames, and at the end of the stream records and answers. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private Http2Headers headers;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean tooBig;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    if (headers == null) {
                        headers = frame.headers();
                    }
                    if (frame.isEndStream()) {
                        complete(ctx);
                    }
                } else if (msg instanceof Http2DataFrame frame) {
                    ByteBuf content = frame.content();
                    if (!tooBig && body.size() + content.readableBytes() > MAX_BODY) {
                        tooBig = true;
                        body.reset();
                    }
                    if (!tooBig) {
                        content.readBytes(body, content.readableBytes());
                    }
                    if (frame.isEndStream()) {
                        complete(ctx);
                    }
                }
            } catch (IOException e) {
                ctx.fireExceptionCaught(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void complete(ChannelHandlerContext ctx) {
            if (headers == null) {
                ctx.close();
                return;
            }
            if (tooBig) {
                write(ctx, new Answer(413, Map.of(), ""));
                return;
            }
            Map<String, String> plain = new LinkedHashMap<>();
            headers.forEach(e -> {
                String name = e.getKey().toString().toLowerCase(Locale.ROOT);
                if (!name.startsWith(":")) {
                    plain.merge(name, e.getValue().toString(), (a, b) -> a + ", " + b);
                }
            });
            Request request = new Request(
                    String.valueOf(headers.method()),
                    String.valueOf(headers.path()),
                    plain,
                    body.toString(StandardCharsets.UTF_8));
            count.incrementAndGet();
            requests.offer(request);
            Answer answer;
            try {
                answer = responder.apply(request);
                if (answer == null) {
                    answer = new Answer(500, Map.of(), "the responder answered null");
                }
            } catch (RuntimeException e) {
                answer = new Answer(500, Map.of(), "the responder failed: " + e);
            }
            write(ctx, answer);
        }

        private void write(ChannelHandlerContext ctx, Answer answer) {
            Http2Headers out = new DefaultHttp2Headers().status(String.valueOf(answer.status()));
            answer.headers().forEach((name, value) -> out.add(name.toLowerCase(Locale.ROOT), value));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            if (bytes.length == 0) {
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(out, true));
            } else {
                ctx.write(new DefaultHttp2HeadersFrame(out, false));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), true));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A PKCS12 keystore with a self-signed RSA certificate for 127.0.0.1 and localhost, made by keytool. */
    private static KeyStore generateKeyStore(Path file) throws Exception {
        return selfSigned(file, ALIAS, "ip:127.0.0.1,dns:localhost", PASSWORD);
    }

    /**
     * Makes {@code file}, a PKCS12 keystore holding under {@code alias} a self-signed RSA certificate whose subject
     * alternative names are {@code san} (keytool's syntax, such as {@code ip:127.0.0.1}), and loads it.
     */
    public static KeyStore selfSigned(Path file, String alias, String san, String password) throws Exception {
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        alias,
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-dname",
                        "CN=" + alias,
                        "-ext",
                        "SAN=" + san,
                        "-validity",
                        "2",
                        "-keystore",
                        file.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        password,
                        "-keypass",
                        password)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool did not finish: " + out);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed (" + p.exitValue() + "): " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    private static String toPem(X509Certificate certificate) throws Exception {
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN CERTIFICATE-----\n"
                + base64.encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static SSLContext trusting(X509Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }
}
