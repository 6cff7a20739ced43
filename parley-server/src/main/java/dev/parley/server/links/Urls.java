package dev.parley.server.links;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The URLs of a message's text that a preview is made for (PROTOCOL.md §7.25). Stateless. */
public final class Urls {
    /** An http(s) URL up to the next space, quote or angle bracket. */
    private static final Pattern URL = Pattern.compile("(?i)\\bhttps?://[^\\s<>\"'`]+");

    /** Trailing characters that end a sentence rather than the URL. */
    private static final String TRAILING = ".,;:!?)]}*_~";

    private Urls() {}

    /** The first http(s) URL of {@code text}, or null. */
    public static @Nullable String first(String text) {
        Matcher m = URL.matcher(text);
        if (!m.find()) {
            return null;
        }
        String u = m.group();
        int end = u.length();
        while (end > 0 && TRAILING.indexOf(u.charAt(end - 1)) >= 0) {
            if (u.charAt(end - 1) == ')' && u.lastIndexOf('(', end - 1) >= 0) {
                break; // https://en.wikipedia.org/wiki/Java_(programming_language)
            }
            end--;
        }
        u = u.substring(0, end);
        return u.length() > PageFetcher.MAX_URL_LENGTH || u.matches("(?i)https?://") ? null : u;
    }

    /** Whether an attachment of {@code attachments} previews {@code url} already (with or without a final slash). */
    public static boolean previewed(JsonNode attachments, String url) {
        for (JsonNode a : attachments) {
            String scraped = a.path("og_scrape_url").asText("");
            if (scraped.equals(url) || scraped.equals(url + "/") || (scraped + "/").equals(url)) {
                return true;
            }
        }
        return false;
    }
}
