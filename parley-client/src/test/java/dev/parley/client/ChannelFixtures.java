package dev.parley.client;

/** JSON shapes of PROTOCOL.md §6 for unit tests; values invented. */
final class ChannelFixtures {
    private ChannelFixtures() {}

    static String user(String id) {
        return "{\"id\":\"" + id + "\",\"role\":\"user\",\"online\":true}";
    }

    /** A message of {@code author} created {@code second} seconds after 09:00. */
    static String message(String id, String author, int second) {
        return message(id, author, second, "");
    }

    static String message(String id, String author, int second, String extra) {
        String at = String.format("2026-03-02T09:%02d:%02dZ", second / 60, second % 60);
        return "{\"id\":\"" + id + "\",\"text\":\"text of " + id
                + "\",\"type\":\"regular\",\"cid\":\"messaging:general\","
                + "\"user\":" + user(author) + ",\"created_at\":\"" + at + "\",\"updated_at\":\"" + at + "\","
                + "\"attachments\":[],\"latest_reactions\":[],\"own_reactions\":[],\"reaction_counts\":{},"
                + "\"reaction_scores\":{},\"reply_count\":0,\"mentioned_users\":[],\"silent\":false,\"pinned\":false"
                + extra + "}";
    }

    static String member(String id) {
        return "{\"user_id\":\"" + id + "\",\"user\":" + user(id) + ",\"channel_role\":\"channel_member\","
                + "\"created_at\":\"2026-03-01T00:00:00Z\",\"updated_at\":\"2026-03-01T00:00:00Z\",\"banned\":false}";
    }

    static String read(String id, int unread) {
        return "{\"user\":" + user(id) + ",\"last_read\":\"2026-03-01T00:00:00Z\",\"unread_messages\":" + unread + "}";
    }

    static String channel(String id, String configExtra) {
        return "{\"id\":\"" + id + "\",\"type\":\"messaging\",\"cid\":\"messaging:" + id + "\",\"name\":\"General\","
                + "\"frozen\":false,\"disabled\":false,\"member_count\":2,"
                + "\"created_at\":\"2026-03-01T00:00:00Z\",\"updated_at\":\"2026-03-01T00:00:00Z\","
                + "\"own_capabilities\":[\"send-message\",\"read-events\",\"send-typing-events\"],"
                + "\"config\":{\"name\":\"messaging\",\"typing_events\":true,\"read_events\":true" + configExtra + "}}";
    }

    /** A ChannelState (§6.7) of {@code messaging:general}, members maria and tom, with these messages. */
    static String stateWithConfig(String configExtra, String... messages) {
        return "{\"channel\":" + channel("general", configExtra) + ",\"messages\":[" + String.join(",", messages)
                + "],\"pinned_messages\":[],\"members\":[" + member("maria") + "," + member("tom") + "],"
                + "\"membership\":" + member("maria") + ",\"read\":[" + read("maria", 0) + "," + read("tom", 0) + "],"
                + "\"watcher_count\":1,\"duration\":\"1ms\"}";
    }

    static String state(String... messages) {
        return stateWithConfig("", messages);
    }

    /** A channel-scoped event of {@code messaging:general}. */
    static String event(String type, String fields) {
        return "{\"type\":\"" + type + "\",\"cid\":\"messaging:general\",\"channel_type\":\"messaging\","
                + "\"channel_id\":\"general\",\"created_at\":\"2026-03-02T09:30:00Z\"" + fields + "}";
    }
}
