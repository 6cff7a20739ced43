package dev.parley.server.links;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jspecify.annotations.Nullable;

/**
 * A page's Open Graph data as the attachment of PROTOCOL.md §7.25: {@code og:title} (else {@code twitter:title},
 * else {@code <title>}) as {@code title}, {@code og:description} (else {@code twitter:description}, else the
 * {@code description} meta tag) as {@code text}, {@code og:image} as {@code image_url} and {@code thumb_url},
 * {@code og:url} (else the page's URL) as {@code title_link}, {@code og:site_name} as {@code author_name},
 * {@code og:video} or {@code og:audio} as {@code asset_url} with {@code type} {@code video} or {@code audio}
 * ({@code image} when the page only has an image). Text is cut to {@link #MAX_TITLE} and {@link #MAX_TEXT}
 * characters; only absolute {@code http(s)} URLs are kept. Stateless.
 */
public final class OpenGraph {
    static final int MAX_TITLE = 256;
    static final int MAX_TEXT = 1024;

    private OpenGraph() {}

    /**
     * The attachment of an HTML page; null when the page names neither a title nor an image.
     *
     * @param scraped the URL the preview was asked for ({@code og_scrape_url})
     */
    public static @Nullable ObjectNode attachment(String scraped, PageFetcher.Page page) {
        Document doc;
        try {
            doc = Jsoup.parse(
                    new ByteArrayInputStream(page.body()),
                    charset(page.charset()),
                    page.url().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail to read
        }
        String title = first(meta(doc, "og:title"), meta(doc, "twitter:title"), doc.title());
        String text = first(meta(doc, "og:description"), meta(doc, "twitter:description"), meta(doc, "description"));
        String image = url(
                page.url(),
                first(
                        meta(doc, "og:image:secure_url"),
                        meta(doc, "og:image"),
                        meta(doc, "og:image:url"),
                        meta(doc, "twitter:image")));
        String video = url(
                page.url(), first(meta(doc, "og:video:secure_url"), meta(doc, "og:video"), meta(doc, "og:video:url")));
        String audio = url(
                page.url(), first(meta(doc, "og:audio:secure_url"), meta(doc, "og:audio"), meta(doc, "og:audio:url")));
        if (title.isEmpty() && image.isEmpty()) {
            return null;
        }
        ObjectNode a = Json.object();
        a.put("og_scrape_url", scraped);
        put(a, "title", cut(title, MAX_TITLE));
        put(a, "text", cut(text, MAX_TEXT));
        String link = url(page.url(), meta(doc, "og:url"));
        a.put("title_link", link.isEmpty() ? page.url().toString() : link);
        put(a, "image_url", image);
        put(a, "thumb_url", image);
        put(a, "author_name", cut(meta(doc, "og:site_name"), MAX_TITLE));
        a.put("author_link", page.url().getScheme() + "://" + page.url().getRawAuthority());
        if (!video.isEmpty()) {
            a.put("type", "video");
            a.put("asset_url", video);
        } else if (!audio.isEmpty()) {
            a.put("type", "audio");
            a.put("asset_url", audio);
        } else if (!image.isEmpty()) {
            a.put("type", "image");
        }
        return a;
    }

    /** The content of the first {@code <meta property=name>} or {@code <meta name=name>}; {@code ""} when none. */
    private static String meta(Document doc, String name) {
        for (Element e : doc.select("meta[property], meta[name]")) {
            String key = e.hasAttr("property") ? e.attr("property") : e.attr("name");
            if (key.trim().equalsIgnoreCase(name)) {
                String content = e.attr("content").trim();
                if (!content.isEmpty()) {
                    return content;
                }
            }
        }
        return "";
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return "";
    }

    /** {@code value} made absolute against the page; {@code ""} unless it is an http(s) URL. */
    private static String url(URI page, String value) {
        if (value.isEmpty()) {
            return "";
        }
        try {
            URI u = page.resolve(value.replace(" ", "%20"));
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String s = u.toString();
            return (scheme.equals("http") || scheme.equals("https")) && s.length() <= PageFetcher.MAX_URL_LENGTH
                    ? s
                    : "";
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1;
        return s.substring(0, end) + "…";
    }

    private static void put(ObjectNode a, String key, String value) {
        if (!value.isEmpty()) {
            a.put(key, value);
        }
    }

    /** The charset jsoup reads with: the header's when the JDK knows it, else null (jsoup looks in the page). */
    private static @Nullable String charset(@Nullable String name) {
        if (name == null) {
            return null;
        }
        try {
            return Charset.isSupported(name) ? name : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
