package dev.parley.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.parley.server.events.Audience;
import dev.parley.server.events.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What one node tells the others through Redis (docs/PROTOCOL.md §8.5): an event, encoded once by the node
 * that published it, with its audience and its per-user variants, or a request to close the connections of an
 * audience. The receiving node resolves the audience against its own connections.
 *
 * <p>Binary: a version byte, a kind byte, the origin node's id, then the kind's fields; strings as
 * {@link DataOutputStream#writeUTF}, frames as length-prefixed bytes. Decoding refuses anything else with
 * {@link IllegalArgumentException} (a node never trusts the bytes of the wire blindly, even from Redis).
 */
record Envelope(
        String origin,
        Kind kind,
        String type,
        Audience audience,
        @Nullable Frames frames,
        int code,
        long seq) {

    static final int VERSION = 2;
    /** Bounds on what a decoded envelope may claim, so that a corrupt one fails rather than allocates. */
    static final int MAX_FRAMES = 100_000;

    static final int MAX_USERS = 1_000_000;

    enum Kind {
        /** Deliver {@code frames} to the audience. */
        EVENT,
        /** Send {@code frames} (if any) to the audience, then close it with {@code code}; {@code type} is the reason. */
        DISCONNECT,
        /**
         * A message between nodes, not for any connection: {@code type} says which (a broadcast, a request, an
         * answer), the common frame holds its text. Never made from an event, whatever the event's type.
         */
        CONTROL
    }

    Envelope {
        requireNonNull(origin, "origin");
        requireNonNull(kind, "kind");
        requireNonNull(type, "type");
        requireNonNull(audience, "audience");
    }

    /** The bytes of an envelope; {@code frames} are read, not released. */
    static byte[] encode(String origin, Kind kind, String type, Audience audience, @Nullable Frames frames, int code) {
        return encode(origin, kind, type, audience, frames, code, 0);
    }

    /** As above, for a channel event that carries its channel's sequence number {@code seq} (0: none). */
    static byte[] encode(
            String origin, Kind kind, String type, Audience audience, @Nullable Frames frames, int code, long seq) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(kind.ordinal());
            out.writeUTF(origin);
            out.writeUTF(type);
            out.writeInt(code);
            out.writeLong(seq);
            writeAudience(out, audience);
            out.writeBoolean(frames != null);
            if (frames != null) {
                writeFrames(out, frames);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Reads an envelope; its frames are new buffers the caller owns. */
    static Envelope decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("envelope version " + version + " (expected " + VERSION + ")");
            }
            int kind = in.readUnsignedByte();
            if (kind >= Kind.values().length) {
                throw new IllegalArgumentException("envelope kind " + kind);
            }
            String origin = in.readUTF();
            String type = in.readUTF();
            int code = in.readInt();
            long seq = in.readLong();
            Audience audience = readAudience(in);
            Frames frames = in.readBoolean() ? readFrames(in) : null;
            return new Envelope(origin, Kind.values()[kind], type, audience, frames, code, seq);
        } catch (IOException e) {
            throw new IllegalArgumentException("envelope: truncated (" + e.getMessage() + ")", e);
        }
    }

    private static void writeAudience(DataOutputStream out, Audience audience) throws IOException {
        switch (audience) {
            case Audience.Watchers w -> {
                out.writeByte(w.onlyUserIds() == null ? 0 : 4);
                out.writeUTF(w.cid());
                writeOptional(out, w.exceptUserId());
                if (w.onlyUserIds() != null) {
                    writeIds(out, w.onlyUserIds());
                }
            }
            case Audience.Users u -> {
                out.writeByte(1);
                writeIds(out, u.userIds());
                writeOptional(out, u.unlessWatching());
            }
            case Audience.PresenceOf p -> {
                out.writeByte(2);
                out.writeUTF(p.userId());
                out.writeBoolean(p.alsoOwnConnections());
            }
            case Audience.Connection c -> {
                out.writeByte(3);
                out.writeUTF(c.connectionId());
            }
        }
    }

    private static void writeIds(DataOutputStream out, List<String> ids) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
        }
    }

    private static List<String> readIds(DataInputStream in) throws IOException {
        int n = count(in.readInt(), MAX_USERS, "users");
        List<String> ids = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            ids.add(in.readUTF());
        }
        return ids;
    }

    private static Audience readAudience(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 0 -> new Audience.Watchers(in.readUTF(), readOptional(in));
            case 1 -> new Audience.Users(readIds(in), readOptional(in));
            case 4 -> new Audience.Watchers(in.readUTF(), readOptional(in), readIds(in));
            case 2 -> new Audience.PresenceOf(in.readUTF(), in.readBoolean());
            case 3 -> new Audience.Connection(in.readUTF());
            default -> throw new IllegalArgumentException("envelope audience " + tag);
        };
    }

    /** The distinct buffers (the common one first), then each user with a variant and its buffer's index. */
    private static void writeFrames(DataOutputStream out, Frames frames) throws IOException {
        Map<ByteBuf, Integer> index = new IdentityHashMap<>();
        List<ByteBuf> order = new ArrayList<>();
        index.put(frames.common(), 0);
        order.add(frames.common());
        Map<String, ByteBuf> variants = frames.variantsByUser();
        for (ByteBuf b : variants.values()) {
            if (!index.containsKey(b)) {
                index.put(b, order.size());
                order.add(b);
            }
        }
        out.writeInt(order.size());
        for (ByteBuf b : order) {
            out.writeInt(b.readableBytes());
            out.write(ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes(), false));
        }
        out.writeInt(variants.size());
        for (Map.Entry<String, ByteBuf> e : variants.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(requireNonNull(index.get(e.getValue()), "index"));
        }
    }

    private static Frames readFrames(DataInputStream in) throws IOException {
        int n = count(in.readInt(), MAX_FRAMES, "frames");
        if (n < 1) {
            throw new IllegalArgumentException("envelope: no common frame");
        }
        List<ByteBuf> buffers = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                int len = count(in.readInt(), in.available(), "frame bytes");
                byte[] b = new byte[len];
                in.readFully(b);
                buffers.add(Unpooled.wrappedBuffer(b));
            }
            int users = count(in.readInt(), MAX_USERS, "variant users");
            Map<String, ByteBuf> byUser = new HashMap<>();
            for (int i = 0; i < users; i++) {
                String user = in.readUTF();
                int at = in.readInt();
                if (at < 0 || at >= n) {
                    throw new IllegalArgumentException("envelope: variant index " + at + " of " + n);
                }
                byUser.put(user, buffers.get(at));
            }
            // Buffers no user names (cannot happen from encode) are released here, not leaked.
            ByteBuf common = buffers.getFirst();
            Frames frames = new Frames(common, byUser);
            Set<ByteBuf> used = Collections.newSetFromMap(new IdentityHashMap<>());
            used.addAll(frames.distinct());
            for (ByteBuf b : buffers) {
                if (!used.contains(b)) {
                    b.release();
                }
            }
            return frames;
        } catch (IOException | RuntimeException e) {
            buffers.forEach(ByteBuf::release);
            throw e;
        }
    }

    private static int count(int n, int max, String what) {
        if (n < 0 || n > max) {
            throw new IllegalArgumentException("envelope: " + what + " " + n + " (expected 0.." + max + ")");
        }
        return n;
    }

    private static void writeOptional(DataOutputStream out, @Nullable String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static @Nullable String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
