package dev.parley.server.push;

import static java.util.Objects.requireNonNull;

/**
 * What became of one push to one device (PROTOCOL.md §16.3).
 *
 * @param detail the provider's words on a failure or a refused device (a status and a reason), else empty
 */
record Outcome(Kind kind, String detail) {
    enum Kind {
        /** The provider took it. */
        SENT,
        /** The provider says the device is gone or not its own: it is removed. */
        INVALID_DEVICE,
        /** Worth another attempt: a timeout, a refused connection, 429 or 5xx. */
        RETRY,
        /** Failed for a reason another attempt does not change (a refused key, a bad payload). */
        FAILED
    }

    Outcome {
        requireNonNull(kind, "kind");
        requireNonNull(detail, "detail");
    }

    static final Outcome SENT = new Outcome(Kind.SENT, "");

    static Outcome of(int status, String body, boolean deviceGone) {
        String words = status + (body.isBlank() ? "" : " " + shorten(body));
        if (deviceGone) {
            return new Outcome(Kind.INVALID_DEVICE, words);
        }
        if (status == 429 || status >= 500) {
            return new Outcome(Kind.RETRY, words);
        }
        return new Outcome(Kind.FAILED, words);
    }

    /** A provider's answer as JSON, or an empty object when it is not JSON. */
    static com.fasterxml.jackson.databind.JsonNode answer(String body) {
        try {
            com.fasterxml.jackson.databind.JsonNode n =
                    dev.parley.protocol.Json.mapper().readTree(body);
            return n == null ? dev.parley.protocol.Json.object() : n;
        } catch (java.io.IOException e) {
            return dev.parley.protocol.Json.object();
        }
    }

    static String shorten(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= 300 ? one : one.substring(0, 300) + "...";
    }
}
