package dev.parley.server.links;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Fetches one web page for a link preview behind the SSRF guard of PROTOCOL.md §7.25: {@code http} and
 * {@code https} only; the host is resolved once per hop and the connection goes to the address that was
 * checked (so a second DNS answer cannot point it elsewhere); every redirect is checked again, at most
 * {@link #MAX_REDIRECTS}; one deadline covers the whole fetch, redirects included; the body is read for HTML
 * only and at most {@link #MAX_BODY_BYTES} of it.
 *
 * <p>Why not the JDK's {@code HttpClient}: it resolves the host itself, so it cannot be made to connect to
 * the address the guard checked. This is a plain HTTP/1.1 GET ({@code Connection: close}, no compression) on
 * a socket to that address; TLS is the JDK's, with SNI and certificate checks against the URL's host name.
 * Thread-safe; blocking (run it on a virtual thread).
 */
public final class PageFetcher {
    public static final int MAX_REDIRECTS = 3;
    public static final int MAX_BODY_BYTES = 512 * 1024;
    /** Status line and headers of one answer. */
    static final int MAX_HEAD_BYTES = 32 * 1024;

    static final int MAX_URL_LENGTH = 2048;

    /** Resolves a host name to its addresses; the JDK's resolver, or a table in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        Resolver SYSTEM = InetAddress::getAllByName;
    }

    /**
     * A fetched page.
     *
     * @param url where the page was found, after redirects
     * @param contentType the media type, lower case, without parameters; {@code ""} when none was sent
     * @param charset the charset parameter of {@code Content-Type}, or null
     * @param body the body for HTML pages, else empty; at most {@link #MAX_BODY_BYTES}
     */
    public record Page(
            URI url, String contentType, @Nullable String charset, byte[] body) {
        public boolean html() {
            return contentType.equals("text/html") || contentType.equals("application/xhtml+xml");
        }
    }

    /** Why a fetch gave no page: {@code refused} (the URL or its address may not be fetched) or not. */
    public static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean refused;

        FetchException(boolean refused, String message) {
            super(message, null, false, false);
            this.refused = refused;
        }

        /** True when the guard refused the URL or an address; false when the site failed or was too slow. */
        public boolean refused() {
            return refused;
        }
    }

    private final AddressGuard guard;
    private final Resolver resolver;
    private final Duration timeout;
    private final SSLSocketFactory tls;

    /**
     * @param timeout the bound of one whole fetch: connecting, every redirect and reading
     */
    public PageFetcher(AddressGuard guard, Resolver resolver, Duration timeout) {
        this(guard, resolver, timeout, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** With {@code tls} for https: a test's, trusting its own certificate. */
    PageFetcher(AddressGuard guard, Resolver resolver, Duration timeout, SSLSocketFactory tls) {
        this.guard = requireNonNull(guard, "guard");
        this.resolver = requireNonNull(resolver, "resolver");
        this.timeout = requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.tls = requireNonNull(tls, "tls");
    }

    /** {@code url} checked for what a preview may fetch; refused (code 4 upstream) when it is not. */
    public static URI checkUrl(String url) throws FetchException {
        if (url.length() > MAX_URL_LENGTH) {
            throw new FetchException(true, "url is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI u;
        try {
            u = new URI(url.trim()).normalize();
        } catch (URISyntaxException e) {
            throw new FetchException(true, "url is not a valid URL");
        }
        return check(u);
    }

    private static URI check(URI u) throws FetchException {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(true, "url must be an http or https URL");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new FetchException(true, "url has no host");
        }
        if (u.getRawUserInfo() != null) {
            throw new FetchException(true, "url may not carry a user name or password");
        }
        if (u.toString().length() > MAX_URL_LENGTH) {
            throw new FetchException(true, "url is longer than " + MAX_URL_LENGTH + " characters");
        }
        return u;
    }

    /** Fetches {@code url} (checked by {@link #checkUrl}), following at most {@link #MAX_REDIRECTS} redirects. */
    public Page fetch(URI url) throws FetchException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI current = check(url);
        for (int hop = 0; ; hop++) {
            InetAddress address = address(host(current));
            Answer a = get(current, address, deadline);
            if (a.status() == 301 || a.status() == 302 || a.status() == 303 || a.status() == 307 || a.status() == 308) {
                if (hop == MAX_REDIRECTS) {
                    throw new FetchException(false, "more than " + MAX_REDIRECTS + " redirects");
                }
                String location = a.headers().get("location");
                if (location == null || location.isBlank()) {
                    throw new FetchException(false, "a redirect without a location");
                }
                try {
                    current = check(current.resolve(new URI(location.trim())).normalize());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw new FetchException(false, "a redirect to an invalid URL");
                }
                continue;
            }
            if (a.status() < 200 || a.status() > 299) {
                throw new FetchException(false, "the site answered HTTP " + a.status());
            }
            return a.page(current);
        }
    }

    private static String host(URI u) {
        String h = u.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** The first address of {@code host} that the guard allows; refused when it allows none. */
    private InetAddress address(String host) throws FetchException {
        InetAddress[] all;
        try {
            all = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new FetchException(false, "the host '" + host + "' does not resolve");
        }
        String why = "no address";
        for (InetAddress a : all) {
            String refusal = guard.refusal(a);
            if (refusal == null) {
                return a;
            }
            why = refusal;
        }
        throw new FetchException(true, "the host '" + host + "' resolves to " + why);
    }

    /** One answer: its status, its headers (lower-case names, first value) and, for a 2xx, the page. */
    private record Answer(
            int status,
            Map<String, String> headers,
            String contentType,
            @Nullable String charset,
            byte[] body) {
        Page page(URI url) {
            return new Page(url, contentType, charset, body);
        }
    }

    private Answer get(URI url, InetAddress address, long deadline) throws FetchException {
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        String host = host(url);
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(address, port), (int) Math.max(1, HttpWire.remainingMillis(deadline)));
            Socket s = https ? tls(raw, host, port, deadline) : raw;
            try {
                request(s.getOutputStream(), url, host, port, https);
                InputStream in = new BufferedInputStream(new HttpWire.DeadlineInput(s, deadline), 8192);
                return answer(in);
            } finally {
                if (s != raw) {
                    s.close();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new FetchException(false, "the site did not answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new FetchException(
                    false, "the site could not be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Socket tls(Socket raw, String host, int port, long deadline) throws IOException {
        SSLSocket s = (SSLSocket) tls.createSocket(raw, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!host.contains(":") && !host.matches("[0-9.]+")) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout((int) Math.max(1, HttpWire.remainingMillis(deadline)));
        s.startHandshake();
        return s;
    }

    private static void request(OutputStream out, URI url, String host, int port, boolean https) throws IOException {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        boolean defaultPort = port == (https ? 443 : 80);
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        String head = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: Mozilla/5.0 (compatible; ParleyLinkPreview/1.0)\r\n"
                + "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.5\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static Answer answer(InputStream in) throws IOException, FetchException {
        int[] budget = {MAX_HEAD_BYTES};
        String statusLine = HttpWire.line(in, budget);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new FetchException(false, "the site's answer is not HTTP");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new FetchException(false, "the site's answer is not HTTP");
        }
        Map<String, String> headers = new HashMap<>();
        for (String h = HttpWire.line(in, budget); !h.isEmpty(); h = HttpWire.line(in, budget)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim());
            }
        }
        String type = headers.getOrDefault("content-type", "");
        String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String charset = charset(type);
        boolean html = media.equals("text/html") || media.equals("application/xhtml+xml");
        if (status < 200 || status > 299 || !html) {
            return new Answer(status, headers, media, charset, new byte[0]);
        }
        InputStream body = "chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))
                ? new HttpWire.ChunkedInput(in)
                : in;
        return new Answer(status, headers, media, charset, HttpWire.readAtMost(body, contentLength(headers)));
    }

    private static long contentLength(Map<String, String> headers) {
        try {
            return Long.parseLong(headers.getOrDefault("content-length", "-1").trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static @Nullable String charset(String contentType) {
        for (String p : contentType.split(";")) {
            String t = p.trim();
            if (t.regionMatches(true, 0, "charset=", 0, 8)) {
                String c = t.substring(8).replace("\"", "").trim();
                return c.isEmpty() ? null : c;
            }
        }
        return null;
    }
}
