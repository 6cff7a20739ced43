package dev.parley.server.links;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Fetches one web page for a link preview behind the SSRF guard of PROTOCOL.md §7.25: {@code http} and
 * {@code https} only; the host is resolved once per hop and the connection goes to the address that was
 * checked (so a second DNS answer cannot point it elsewhere); every redirect is checked again, at most
 * {@link #MAX_REDIRECTS}; one deadline covers the whole fetch, redirects included; the body is read for HTML
 * only and at most {@link #MAX_BODY_BYTES} of it.
 *
 * <p>Why not the JDK's {@code HttpClient}: it resolves the host itself, so it cannot be made to connect to
 * the address the guard checked. The HTTP is {@link PageHttp}'s: the transport's Netty client, which connects to
 * that address and checks TLS against the URL's host name. Thread-safe; blocking (run it on a virtual thread).
 */
public final class PageFetcher {
    public static final int MAX_REDIRECTS = 3;
    public static final int MAX_BODY_BYTES = 512 * 1024;

    static final int MAX_URL_LENGTH = 2048;

    /** The media types whose body is read: the only ones parsed. */
    private static final Set<String> HTML = Set.of("text/html", "application/xhtml+xml");

    /** How much longer than the fetch's deadline it waits for a client that missed it. */
    private static final Duration GRACE = Duration.ofSeconds(1);

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
            return HTML.contains(contentType);
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
    private volatile PageHttp http;

    /**
     * @param timeout the bound of one whole fetch: connecting, every redirect and reading
     * @param http the HTTP client; {@link PageHttp#NONE} until the transport gives its own ({@link #useHttp})
     */
    public PageFetcher(AddressGuard guard, Resolver resolver, Duration timeout, PageHttp http) {
        this.guard = requireNonNull(guard, "guard");
        this.resolver = requireNonNull(resolver, "resolver");
        this.timeout = requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.http = requireNonNull(http, "http");
    }

    /** Fetches with {@code client} from now on (the transport's, on its event loops); the previous one closes. */
    public void useHttp(PageHttp client) {
        PageHttp before = http;
        http = requireNonNull(client, "client");
        before.close();
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
            PageHttp.Answer a = get(current, address, deadline);
            if (a.status() == 301 || a.status() == 302 || a.status() == 303 || a.status() == 307 || a.status() == 308) {
                if (hop == MAX_REDIRECTS) {
                    throw new FetchException(false, "more than " + MAX_REDIRECTS + " redirects");
                }
                String location = a.location();
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
            String media = media(a.contentType());
            return new Page(current, media, charset(a.contentType()), a.body());
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

    /** One GET of {@code url} from {@code address}, within what is left of the fetch's time. */
    private PageHttp.Answer get(URI url, InetAddress address, long deadline) throws FetchException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut();
        }
        CompletableFuture<PageHttp.Answer> answer = http.get(new PageHttp.Request(
                url, address, Duration.ofNanos(left), MAX_BODY_BYTES, type -> HTML.contains(media(type))));
        try {
            // The client fails the exchange at its timeout; the margin only guards against a client that does not.
            return answer.get(left + GRACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(false);
            throw timedOut();
        } catch (InterruptedException e) {
            answer.cancel(false);
            Thread.currentThread().interrupt();
            throw new FetchException(false, "the fetch was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PageHttp.TimedOut) {
                throw timedOut();
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new FetchException(
                    false, "the site could not be read (" + cause.getClass().getSimpleName() + ")");
        }
    }

    private FetchException timedOut() {
        return new FetchException(false, "the site did not answer within " + timeout.toMillis() + " ms");
    }

    /** The media type of a {@code Content-Type}: lower case, without parameters. */
    private static String media(String contentType) {
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
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
