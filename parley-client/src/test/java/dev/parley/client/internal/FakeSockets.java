package dev.parley.client.internal;

import dev.parley.client.transport.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Socket factory for unit tests: every open succeeds at once; tests play the server through the handler. */
final class FakeSockets implements Socket.Factory {
    final List<FakeSocket> opened = new ArrayList<>();
    boolean refuse;

    @Override
    public CompletableFuture<Socket> open(URI uri, Socket.Handler handler) {
        if (refuse) {
            return CompletableFuture.failedFuture(new java.net.ConnectException("refused"));
        }
        FakeSocket s = new FakeSocket(uri, handler);
        opened.add(s);
        return CompletableFuture.completedFuture(s);
    }

    FakeSocket last() {
        return opened.get(opened.size() - 1);
    }

    static final class FakeSocket implements Socket {
        final URI uri;
        final Socket.Handler handler;
        final List<String> sent = new ArrayList<>();
        Integer closeCode;
        boolean aborted;

        FakeSocket(URI uri, Socket.Handler handler) {
            this.uri = uri;
            this.handler = handler;
        }

        @Override
        public CompletableFuture<Void> sendText(String text) {
            sent.add(text);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> close(int code, String reason, Duration timeout) {
            closeCode = code;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void abort() {
            aborted = true;
        }

        void healthCheck(String connectionId, String userId) {
            handler.onText("{\"type\":\"health.check\",\"connection_id\":\"" + connectionId
                    + "\",\"cid\":\"*\",\"created_at\":\"2026-03-02T09:00:00Z\",\"me\":{\"id\":\"" + userId
                    + "\",\"role\":\"user\",\"online\":true,\"unread_count\":3}}");
        }

        void pong(String connectionId) {
            handler.onText("{\"type\":\"health.check\",\"connection_id\":\"" + connectionId
                    + "\",\"cid\":\"*\",\"created_at\":\"2026-03-02T09:00:00Z\"}");
        }

        void errorFrame(int code, int status, String message) {
            handler.onText("{\"type\":\"connection.error\",\"connection_id\":\"\",\"error\":{\"code\":" + code
                    + ",\"message\":\"" + message + "\",\"StatusCode\":" + status
                    + ",\"duration\":\"\",\"more_info\":\"\",\"details\":[]}}");
        }
    }
}
