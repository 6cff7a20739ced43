package dev.parley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.testing.TestServer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** WebSocket frames by hand over a {@link RawHttp} connection, for clients that misbehave on purpose. */
final class RawWebSocket {
    static final int TEXT = 0x1;
    static final int CONTINUATION = 0x0;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;

    /** One frame from the server. */
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private RawWebSocket() {}

    /** Sends the upgrade of an anonymous connection (or of {@code userId} with its token) and reads the 101. */
    static void upgrade(RawHttp http, TestServer server, String userId) {
        String json = userId == null
                ? "{\"user_details\":{}}"
                : "{\"user_id\":\"" + userId + "\",\"user_details\":{\"id\":\"" + userId + "\"}}";
        String query = "api_key=" + server.apiKey() + "&json=" + URLEncoder.encode(json, StandardCharsets.UTF_8)
                + (userId == null
                        ? "&stream-auth-type=anonymous"
                        : "&stream-auth-type=jwt&authorization=" + server.userToken(userId));
        http.send(
                "GET /connect?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(http.read().status()).isEqualTo(101);
    }

    /** A client frame: masked (with a zero key, which leaves the payload as it is). */
    static byte[] frame(int opcode, boolean fin, byte[] payload) {
        int n = payload.length;
        ByteBuffer b = ByteBuffer.allocate(2 + (n < 126 ? 0 : n < 65536 ? 2 : 8) + 4 + n);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (n < 126) {
            b.put((byte) (0x80 | n));
        } else if (n < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            b.put((byte) (0x80 | 127)).putLong(n);
        }
        b.putInt(0).put(payload);
        return b.array();
    }

    /** The next server frame, or null at the end of the stream. */
    static Frame read(DataInputStream in) {
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7f;
            if (n == 126) {
                n = in.readUnsignedShort();
            } else if (n == 127) {
                n = in.readLong();
            }
            byte[] payload = new byte[(int) n];
            in.readFully(payload);
            return new Frame(b0 & 0x0f, payload);
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads frames until a close frame and returns its code; fails when the stream ends without one. */
    static int closeCode(RawHttp http) {
        try {
            DataInputStream in = new DataInputStream(http.socket().getInputStream());
            for (Frame f = read(in); f != null; f = read(in)) {
                if (f.opcode() == CLOSE) {
                    return f.closeCode();
                }
            }
            throw new AssertionError("the connection ended without a close frame");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
