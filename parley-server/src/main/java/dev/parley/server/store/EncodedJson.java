package dev.parley.server.store;

import org.jspecify.annotations.Nullable;

/**
 * The UTF-8 bytes a document was written to the store as, kept so that whoever sends the same document
 * afterwards does not encode it again. Empty until the store writes it; set at most once. The document must
 * not change after it was written (the bytes would no longer match it). Thread-safe.
 */
public final class EncodedJson {
    private volatile byte @Nullable [] bytes;

    /** The bytes written, or null when the document was not written (yet). Callers must not modify them. */
    public byte @Nullable [] bytes() {
        return bytes;
    }

    void set(byte[] written) {
        bytes = written;
    }
}
