package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The webhook outbox (PROTOCOL.md §15.2): events waiting for delivery to a hook, and the dead letters of
 * deliveries that kept failing. Rows are written in the transaction of the change they report where the
 * store writes one ({@link ChatRows.EventRow#hooks()}), or by {@link #enqueue} right after it. Blocking and
 * thread-safe; every write is one transaction.
 */
public interface HookStore {

    /**
     * What the store wrote of a delivery: its row's id and payload, set in the transaction that inserts it (and
     * left unset when that transaction writes nothing, a duplicate message for one), so that the node that
     * wrote a row can post it without reading it back.
     */
    final class Written {
        private volatile long id;
        private volatile @Nullable String payload;

        /** The row's id; 0 while nothing is written. */
        public long id() {
            return id;
        }

        public @Nullable String payload() {
            return payload;
        }

        void set(long id, String payload) {
            this.payload = payload;
            this.id = id;
        }
    }

    /**
     * One event for one hook, as the publisher hands it over.
     *
     * @param requestInfo what request made the change (JSON), added to the payload as {@code request_info} when
     *     it is read back; null when no request made it
     */
    record NewDelivery(
            String hookId,
            String orderKey,
            String eventType,
            @Nullable String payload,
            Instant at,
            Written written,
            @Nullable String requestInfo) {
        public NewDelivery {
            requireNonNull(hookId, "hookId");
            requireNonNull(orderKey, "orderKey");
            requireNonNull(eventType, "eventType");
            requireNonNull(at, "at");
            requireNonNull(written, "written");
        }

        public NewDelivery(
                String hookId,
                String orderKey,
                String eventType,
                @Nullable String payload,
                Instant at,
                @Nullable String requestInfo) {
            this(hookId, orderKey, eventType, payload, at, new Written(), requestInfo);
        }

        /** This delivery with its payload: the bytes the store wrote for the event it rides with. */
        public NewDelivery withPayload(String json) {
            return new NewDelivery(hookId, orderKey, eventType, json, at, written, requestInfo);
        }
    }

    /**
     * {@code payload}, a JSON object, with one more field {@code name} whose value is the JSON {@code value}; the
     * payload as it is when {@code value} is null.
     */
    public static String withField(String payload, String name, @Nullable String value) {
        if (value == null) {
            return payload;
        }
        String p = payload.stripTrailing();
        if (!p.endsWith("}")) {
            return payload;
        }
        String head = p.substring(0, p.length() - 1).stripTrailing();
        String sep = head.endsWith("{") ? "" : ",";
        return head + sep + "\"" + name + "\":" + value + "}";
    }

    /**
     * A row of the outbox.
     *
     * @param orderKey rows of one key are delivered one after another, in id order (a channel, or a user)
     * @param attempts how many deliveries failed so far
     * @param lastError what the last failure was (a status, a timeout, a refused connection), or null
     * @param dead whether the row is a dead letter: no further attempt until the operator retries it
     */
    record Delivery(
            long id,
            String hookId,
            String orderKey,
            String eventType,
            String payload,
            Instant createdAt,
            int attempts,
            Instant nextAttemptAt,
            @Nullable String lastError,
            boolean dead) {}

    /** How many rows wait and how many are dead letters, and when the oldest waiting row was written. */
    record Counts(long pending, long dead, @Nullable Instant oldestPending) {}

    /** Writes deliveries whose payloads are set, in one transaction, in list order. */
    void enqueue(List<NewDelivery> deliveries);

    /**
     * The first {@code limit} rows that are not dead letters, in id order, whether due or not, without their
     * payloads (an empty string in their place): a dispatcher looks at many rows and posts few of them.
     */
    List<Delivery> pending(int limit);

    /** The payloads of the rows of {@code ids} that exist, by id. */
    java.util.Map<Long, String> payloads(Collection<Long> ids);

    /** Deletes delivered rows. */
    void delivered(Collection<Long> ids);

    /** Records a failed attempt: the row is tried again at {@code next}, or becomes a dead letter. */
    void failed(long id, int attempts, Instant next, String error, boolean dead);

    /** Dead letters after {@code afterId}, oldest first, at most {@code limit}. */
    List<Delivery> deadLetters(long afterId, int limit);

    /**
     * Makes dead letters pending again with no failed attempt, due at {@code now}: those of {@code ids}, or
     * every one when {@code ids} is null. Answers how many.
     */
    int retryDead(@Nullable Collection<Long> ids, Instant now);

    /** Deletes dead letters: those of {@code ids}, or every one when null. Answers how many. */
    int discardDead(@Nullable Collection<Long> ids);

    Counts counts();
}
