package dev.parley.server.api;

import dev.parley.server.logging.LogText;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the REST calls that failed inside the server: one escaped line each, and the stack trace once per
 * place an error comes from (the exception's class and its first frame), afterwards only at debug, so that
 * a repeated failure does not flood the log. Thread-safe.
 */
final class InternalErrors {
    private static final Logger log = LoggerFactory.getLogger(RestApi.class);

    /** Places whose stack trace was logged; past this many, every stack trace goes to debug only. */
    static final int MAX_SITES = 1_000;

    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    void failed(HttpCall call, RuntimeException e) {
        String line = LogText.escape(call.method()) + " " + LogText.escape(call.path()) + " failed: "
                + e.getClass().getName() + ": " + LogText.escape(e.getMessage());
        StackTraceElement[] stack = e.getStackTrace();
        String site = e.getClass().getName() + " at " + (stack.length > 0 ? stack[0] : "?");
        if (logged.size() < MAX_SITES && logged.add(site)) {
            log.error("{} (stack trace logged once for {})", line, site, e);
        } else {
            log.error("{} (stack trace at debug)", line);
            log.debug("stack trace of: {}", line, e);
        }
    }
}
