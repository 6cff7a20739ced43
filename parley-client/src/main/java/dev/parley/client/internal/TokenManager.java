package dev.parley.client.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.client.TokenProvider;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Jwt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The token of one user session (PROTOCOL.md §2.9, §5.5): a static token, or a {@link TokenProvider}
 * called once up front and again on each code 40. Every token is checked locally: its {@code user_id}
 * claim must be the session's user id. Thread-safe; concurrent reloads share one provider call.
 */
public final class TokenManager {
    static final String MISMATCH = "userToken does not have a user_id or is not matching with user.id";

    private final String userId;
    private final @Nullable TokenProvider provider;
    private final @Nullable Executor executor;
    private @Nullable CompletableFuture<String> current;

    private TokenManager(
            String userId, @Nullable TokenProvider provider, @Nullable Executor executor, @Nullable String token) {
        this.userId = userId;
        this.provider = provider;
        this.executor = executor;
        this.current = token == null ? null : CompletableFuture.completedFuture(token);
    }

    /**
     * A static token, checked now.
     *
     * @throws IllegalArgumentException when the token is empty, malformed or for another user
     */
    public static TokenManager ofToken(String userId, String token) {
        requireNonNull(userId, "userId");
        check(userId, token);
        return new TokenManager(userId, null, null, token);
    }

    /** A provider, called on {@code executor} when a token is first needed. */
    public static TokenManager ofProvider(String userId, TokenProvider provider, Executor executor) {
        return new TokenManager(
                requireNonNull(userId, "userId"),
                requireNonNull(provider, "provider"),
                requireNonNull(executor, "executor"),
                null);
    }

    /** True when a code 40 can be cured by calling the provider again. */
    public boolean hasProvider() {
        return provider != null;
    }

    /** The current token, loading it through the provider the first time. */
    public synchronized CompletableFuture<String> token() {
        if (current == null || current.isCompletedExceptionally()) {
            current = load();
        }
        return current;
    }

    /**
     * A fresh token after {@code stale} was refused with code 40. When another caller already replaced
     * {@code stale}, its replacement is returned and the provider is not called again.
     */
    public synchronized CompletableFuture<String> reload(String stale) {
        if (provider == null) {
            return token();
        }
        CompletableFuture<String> held = current;
        if (held != null && !held.isDone()) {
            return held;
        }
        String now = currentOrNull();
        if (held != null && now != null && !now.equals(stale)) {
            return held;
        }
        current = load();
        return current;
    }

    /** The current token if one is loaded, else null. For REST calls made while a load is in flight. */
    public synchronized @Nullable String currentOrNull() {
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    private CompletableFuture<String> load() {
        TokenProvider provider = this.provider;
        Executor executor = this.executor;
        if (provider == null || executor == null) {
            return Futures.failed(new IllegalStateException("no token provider to load a token from"));
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    String token;
                    try {
                        token = provider.loadToken();
                    } catch (Exception e) {
                        throw new CompletionException(new IllegalStateException("the token provider failed: " + e, e));
                    }
                    check(userId, token);
                    return token;
                },
                executor);
    }

    /**
     * Checks a token's {@code user_id} claim against {@code userId}, as the JS SDK does.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void check(String userId, String token) {
        if (token == null || Strings.blank(token)) {
            throw new IllegalArgumentException("User token can not be empty");
        }
        JsonNode claim;
        try {
            claim = Jwt.decodeUnverified(token).get("user_id");
        } catch (ChatException e) {
            throw new IllegalArgumentException("user token is not a JWT: " + e.getMessage(), e);
        }
        if (claim == null || !claim.isTextual() || !claim.asText().equals(userId)) {
            throw new IllegalArgumentException(MISMATCH + " (token user_id: " + (claim == null ? "missing" : claim)
                    + ", user.id: '" + userId + "')");
        }
    }
}
