package dev.parley.server.links;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.server.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrichment of sent messages (PROTOCOL.md §7.25): a send hands its message over ({@link #sent}, which only
 * queues), and one of {@link #WORKERS} workers fetches the preview of the message's first URL and has the
 * message updated with it ({@link Applier}: stored, then {@code message.updated}). The queue holds
 * {@link #QUEUE_CAPACITY} messages; past it a message gets no preview, counted as
 * {@code parley_link_previews_total{outcome="dropped"}}. Thread-safe.
 */
public final class LinkEnrichment implements LinkIntake, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkEnrichment.class);

    public static final int QUEUE_CAPACITY = 1_000;
    public static final int WORKERS = 4;

    /** Adds a preview to a stored message; false when the message is gone, changed, or has the preview already. */
    @FunctionalInterface
    public interface Applier {
        boolean apply(String messageId, String url, ObjectNode attachment);
    }

    private record Job(String messageId, String url) {}

    private final LinkPreviews previews;
    private final Metrics metrics;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    public LinkEnrichment(LinkPreviews previews, Metrics metrics) {
        this.previews = requireNonNull(previews, "previews");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Starts the workers, which update messages through {@code applier}. Call once. */
    public synchronized void start(Applier applier) {
        requireNonNull(applier, "applier");
        if (!workers.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (int i = 0; i < WORKERS; i++) {
            workers.add(Thread.ofVirtual().name("parley-link-preview-" + i).start(() -> run(applier)));
        }
    }

    @Override
    public void sent(String messageId, String text, JsonNode attachments) {
        String url = Urls.first(text);
        if (url == null || Urls.previewed(attachments, url) || closed) {
            return;
        }
        if (!queue.offer(new Job(messageId, url))) {
            metrics.linkPreview("dropped");
            log.debug("link preview of message {} dropped: {} messages are waiting", messageId, QUEUE_CAPACITY);
        }
    }

    private void run(Applier applier) {
        while (!closed) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            enrich(applier, job);
        }
    }

    private void enrich(Applier applier, Job job) {
        ObjectNode attachment;
        try {
            attachment = previews.preview(job.url());
        } catch (ChatException e) {
            log.debug("message {}: no link preview: {}", job.messageId(), e.getMessage());
            return;
        }
        try {
            if (applier.apply(job.messageId(), job.url(), attachment)) {
                metrics.linkPreview("enriched");
            }
        } catch (RuntimeException e) {
            // The message may have gone with its channel; a preview is never worth more than a log line.
            log.warn("message {}: its link preview was not stored: {}", job.messageId(), e.toString());
        }
    }

    /** Stops the workers, waiting a second at most for a preview being stored; queued messages get none. */
    @Override
    public void close() {
        closed = true;
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(workers);
        }
        started.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        try {
            for (Thread t : started) {
                t.join(java.time.Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
