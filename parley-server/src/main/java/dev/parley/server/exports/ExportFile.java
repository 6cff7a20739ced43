package dev.parley.server.exports;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.messages.MessageDocs;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.Cursor;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ExportStore;
import dev.parley.server.store.ExportStore.MessageWindow;
import dev.parley.server.store.ExportStore.ReactionKey;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Writes an export file in the import format (PROTOCOL.md §17.1, §17.6): JSON Lines of {@code {"type", "item"}}
 * records, in the order an import needs them. A channel export reads the store page by page and writes the users it
 * meets to a side file, which goes first in the finished file; so memory holds one page whatever the channel's size,
 * plus a bounded set of the users written already (a user met again after it fell out is written again: an import
 * takes the same record twice as once). Not thread-safe: one instance a task.
 */
final class ExportFile {
    /** Rows read at a time. */
    static final int PAGE = 500;

    /** Users remembered as written; past this, the oldest are forgotten. */
    static final int MAX_SEEN_USERS = 100_000;

    /** Message keys that an import refuses besides the protocol's own. */
    private static final Set<String> NOT_CUSTOM = Set.of("channel_member_ids", "cid", "pinned");

    private static final Set<String> REACTION_KEYS =
            Set.of("type", "message_id", "user_id", "user", "score", "created_at", "updated_at");

    /** What a channel export asks for (the request of §17.6, checked). */
    record ChannelsRequest(
            List<ChannelSpec> channels,
            boolean clearDeletedText,
            boolean includeTruncated,
            boolean includeSoftDeleted) {}

    /** One channel of a request and the time window of its messages. */
    record ChannelSpec(String cid, Instant since, Instant until) {}

    /** How many records of each type the file holds. */
    record Counts(Map<String, Long> byType) {
        long total() {
            return byType.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final ExportStore store;
    private final ChatStore chat;
    private final Function<Collection<String>, Map<String, User>> users;
    private final Map<String, Long> counts = new LinkedHashMap<>();

    ExportFile(ExportStore store, ChatStore chat, Function<Collection<String>, Map<String, User>> users) {
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.users = requireNonNull(users, "users");
    }

    /** Writes the channels' export to {@code file}. */
    Counts channels(ChannelsRequest req, Path file) throws IOException {
        Path usersPart = file.resolveSibling(file.getFileName() + ".users");
        Path body = file.resolveSibling(file.getFileName() + ".body");
        try (Records usersOut = new Records(usersPart);
                Records out = new Records(body)) {
            UserRefs refs = new UserRefs(usersOut);
            for (ChannelSpec spec : req.channels()) {
                channel(spec, req, out, refs);
            }
            refs.flush();
        }
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file))) {
            Files.copy(usersPart, o);
            Files.copy(body, o);
        }
        Files.delete(usersPart);
        Files.delete(body);
        return new Counts(Map.copyOf(counts));
    }

    private void channel(ChannelSpec spec, ChannelsRequest req, Records out, UserRefs refs) throws IOException {
        ChannelRow ch = store.channel(spec.cid(), req.includeSoftDeleted())
                .orElseThrow(() ->
                        dev.parley.protocol.ChatException.notFound("channel '" + spec.cid() + "' no longer exists"));
        if (ch.createdById() != null) {
            refs.add(ch.createdById());
        }
        out.write("channel", channelItem(ch));
        refs.flush();
        String after = null;
        for (List<MemberRow> page; !(page = store.members(ch.cid(), after, PAGE)).isEmpty(); ) {
            for (MemberRow m : page) {
                refs.add(m.userId());
                out.write("member", memberItem(ch, m));
            }
            after = page.getLast().userId();
            refs.flush();
        }
        Instant since = spec.since();
        if (ch.truncatedAt() != null
                && !req.includeTruncated()
                && !ch.truncatedAt().isBefore(since)) {
            since = ch.truncatedAt().plusNanos(1_000); // what the truncation hid stays out
        }
        if (since.isAfter(spec.until())) {
            return;
        }
        MessageWindow window = new MessageWindow(ch.cid(), since, spec.until());
        Cursor cursor = null;
        for (List<MessageRow> page; !(page = store.messages(window, cursor, PAGE)).isEmpty(); ) {
            Set<String> quotedInFile = quotedInWindow(page, window);
            for (MessageRow m : page) {
                ObjectNode item = messageItem(ch, m, req.clearDeletedText(), quotedInFile);
                if (item != null) {
                    item.path("mentioned_users_ids").forEach(u -> refs.add(u.asText()));
                    if (item.hasNonNull("pinned_by_id")) {
                        refs.add(item.get("pinned_by_id").asText());
                    }
                    refs.add(m.userId());
                    out.write("message", item);
                }
            }
            reactions(page.stream().map(MessageRow::id).toList(), out, refs);
            cursor = page.getLast().cursor();
            refs.flush();
        }
    }

    /** Of the messages a page quotes, those the file holds: in the same window, and so earlier in the file. */
    private Set<String> quotedInWindow(List<MessageRow> page, MessageWindow window) {
        Set<String> quoted = new LinkedHashSet<>();
        page.forEach(m -> {
            if (m.doc().hasNonNull("quoted_message_id")) {
                quoted.add(m.doc().get("quoted_message_id").asText());
            }
        });
        if (quoted.isEmpty()) {
            return Set.of();
        }
        Map<String, MessageRow> byId = new HashMap<>();
        chat.findMessages(quoted).forEach(m -> byId.put(m.id(), m));
        Set<String> in = new java.util.HashSet<>();
        for (MessageRow q : byId.values()) {
            boolean inWindow = q.cid().equals(window.cid())
                    && !q.createdAt().isBefore(window.since())
                    && !q.createdAt().isAfter(window.until());
            boolean parentIn = q.parentId() == null
                    || chat.findMessages(List.of(q.parentId())).stream()
                            .anyMatch(p -> !p.createdAt().isBefore(window.since())
                                    && !p.createdAt().isAfter(window.until()));
            if (inWindow && parentIn && importable(q)) {
                in.add(q.id());
            }
        }
        return in;
    }

    private void reactions(List<String> messageIds, Records out, UserRefs refs) throws IOException {
        ReactionKey after = null;
        for (List<ReactionRow> page; !(page = store.reactions(messageIds, after, PAGE)).isEmpty(); ) {
            for (ReactionRow r : page) {
                refs.add(r.userId());
                out.write("reaction", reactionItem(r));
            }
            refs.flush();
            ReactionRow last = page.getLast();
            after = new ReactionKey(last.messageId(), last.userId(), last.type());
        }
    }

    /** Writes the users' export to {@code file}: each user, then its devices. */
    Counts users(List<String> ids, Path file) throws IOException {
        try (Records out = new Records(file)) {
            for (int from = 0; from < ids.size(); from += PAGE) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + PAGE));
                Map<String, User> found = users.apply(chunk);
                for (String id : chunk) {
                    User u = found.get(id);
                    if (u == null) {
                        continue; // deleted since the request
                    }
                    out.write("user", userItem(u));
                    for (DeviceRow d : chat.devices(id)) {
                        out.write("device", deviceItem(d));
                    }
                }
            }
        }
        return new Counts(Map.copyOf(counts));
    }

    // ---- items, each shaped as the import reads it (§17.2)

    static ObjectNode userItem(User u) {
        ObjectNode o = Json.object();
        o.put("id", u.id());
        o.put("role", u.role());
        if (!u.teams().isEmpty()) {
            o.set("teams", Json.mapper().valueToTree(u.teams()));
        }
        if (u.invisible()) {
            o.put("invisible", true);
        }
        time(o, "created_at", u.createdAt());
        time(o, "updated_at", u.updatedAt());
        time(o, "deactivated_at", u.deactivatedAt());
        time(o, "deleted_at", u.deletedAt());
        u.custom().forEach((k, v) -> {
            if (!User.TYPED_FIELDS.contains(k) && !User.COMPUTED_FIELDS.contains(k) && !v.isNull()) {
                o.set(k, v.deepCopy());
            }
        });
        return o;
    }

    static ObjectNode channelItem(ChannelRow ch) {
        ObjectNode o = Json.object();
        o.put("type", ch.type());
        o.put("id", ch.id());
        if (ch.createdById() != null) {
            o.put("created_by", ch.createdById());
        }
        if (ch.team() != null) {
            o.put("team", ch.team());
        }
        if (ch.frozen()) {
            o.put("frozen", true);
        }
        if (ch.disabled()) {
            o.put("disabled", true);
        }
        time(o, "created_at", ch.createdAt());
        time(o, "updated_at", ch.updatedAt());
        ch.custom().properties().forEach(e -> {
            if (!o.has(e.getKey())
                    && !CHANNEL_SERVER_KEYS.contains(e.getKey())
                    && !e.getValue().isNull()) {
                o.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return o;
    }

    private static final Set<String> CHANNEL_SERVER_KEYS = Set.of(
            "cid",
            "members",
            "member_ids",
            "config",
            "member_count",
            "message_count",
            "last_message_at",
            "created_by_id",
            "cooldown");

    static ObjectNode memberItem(ChannelRow ch, MemberRow m) {
        ObjectNode o = Json.object();
        o.put("channel_type", ch.type());
        o.put("channel_id", ch.id());
        o.put("user_id", m.userId());
        o.put("channel_role", m.channelRole());
        time(o, "created_at", m.createdAt());
        time(o, "updated_at", m.updatedAt());
        if (m.hidden()) {
            o.put("hide_channel", true);
        }
        time(o, "last_read", m.lastRead());
        if (m.lastReadMessageId() != null) {
            o.put("last_read_message_id", m.lastReadMessageId());
        }
        time(o, "archived_at", m.archivedAt());
        time(o, "pinned_at", m.pinnedAt());
        time(o, "hide_messages_before", m.hideMessagesBefore());
        if (!m.custom().isEmpty()) {
            o.set("custom", m.custom().deepCopy());
        }
        if (m.inviteStatus() != null) {
            o.put("invited", true);
            time(o, "invite_accepted_at", m.inviteAcceptedAt());
            time(o, "invite_rejected_at", m.inviteRejectedAt());
        }
        return o;
    }

    /** Whether a stored message is one an import can write: not a pending or ephemeral one. */
    private static boolean importable(MessageRow m) {
        String type = m.doc().path("type").asText("regular");
        return m.deletedAt() != null || Set.of("regular", "reply", "system").contains(type);
    }

    /** The message as the import reads it; null for a message the format cannot hold. */
    static @Nullable ObjectNode messageItem(
            ChannelRow ch, MessageRow m, boolean clearDeletedText, Set<String> quotedInFile) {
        if (!importable(m) || m.doc().path("pending").asBoolean(false)) {
            return null;
        }
        ObjectNode d = m.doc();
        ObjectNode o = Json.object();
        o.put("id", m.id());
        o.put("channel_type", ch.type());
        o.put("channel_id", ch.id());
        o.put("user", m.userId());
        boolean deleted = m.deletedAt() != null;
        String docType = d.path("type").asText("regular");
        o.put(
                "type",
                deleted
                        ? "deleted"
                        : "system".equals(docType)
                                ? "system"
                                : m.parentId() != null && !m.inChannel() ? "reply" : "regular");
        if (m.parentId() != null) {
            o.put("parent_id", m.parentId());
            if (m.inChannel()) {
                o.put("show_in_channel", true);
            }
        }
        if (deleted && clearDeletedText) {
            o.put("text", "");
        } else {
            o.put("text", d.path("text").asText(""));
            if (d.path("html").isTextual()) {
                o.put("html", d.get("html").asText());
            }
        }
        if (d.path("attachments").isArray() && !d.get("attachments").isEmpty()) {
            o.set("attachments", d.get("attachments").deepCopy());
        }
        List<String> mentions = new ArrayList<>();
        d.path("mentioned_users").forEach(u -> {
            String id = u.isTextual() ? u.asText() : u.path("id").asText("");
            if (!id.isEmpty() && mentions.size() < 25) {
                mentions.add(id);
            }
        });
        if (!mentions.isEmpty()) {
            o.set("mentioned_users_ids", Json.mapper().valueToTree(mentions));
        }
        String quoted = d.path("quoted_message_id").asText("");
        if (quotedInFile.contains(quoted)) {
            o.put("quoted_message_id", quoted);
        }
        if (m.pinnedAt() != null) {
            time(o, "pinned_at", m.pinnedAt());
            String by = d.path("pinned_by").path("id").asText("");
            o.put("pinned_by_id", by.isEmpty() ? m.userId() : by);
            if (d.path("pin_expires").isTextual()) {
                o.put("pin_expires", d.get("pin_expires").asText());
            }
        }
        time(o, "created_at", m.createdAt());
        time(o, "updated_at", m.updatedAt());
        time(o, "deleted_at", m.deletedAt());
        if (d.path("message_text_updated_at").isTextual()) {
            o.put("message_text_updated_at", d.get("message_text_updated_at").asText());
        }
        if (d.path("silent").asBoolean(false)) {
            o.put("silent", true);
        }
        d.properties().forEach(e -> {
            String k = e.getKey();
            if (MessageDocs.isCustomKey(k)
                    && !NOT_CUSTOM.contains(k)
                    && !o.has(k)
                    && !e.getValue().isNull()) {
                o.set(k, e.getValue().deepCopy());
            }
        });
        return o;
    }

    static ObjectNode reactionItem(ReactionRow r) {
        ObjectNode o = Json.object();
        o.put("message_id", r.messageId());
        o.put("user_id", r.userId());
        o.put("type", r.type());
        o.put("score", r.score());
        time(o, "created_at", r.createdAt());
        JsonNode updated = r.doc().get("updated_at");
        if (updated != null && updated.isTextual()) {
            o.put("updated_at", updated.asText());
        }
        r.doc().properties().forEach(e -> {
            if (!REACTION_KEYS.contains(e.getKey()) && !e.getValue().isNull()) {
                o.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return o;
    }

    static ObjectNode deviceItem(DeviceRow d) {
        ObjectNode o = Json.object();
        o.put("id", d.id());
        o.put("user_id", d.userId());
        o.put("push_provider_type", d.pushProvider());
        if (d.pushProviderName() != null) {
            o.put("push_provider_name", d.pushProviderName());
        }
        time(o, "created_at", d.createdAt());
        return o;
    }

    private static void time(ObjectNode o, String key, @Nullable Instant at) {
        if (at != null) {
            o.put(key, Timestamps.format(at));
        }
    }

    /** One JSON Lines file of records, written through Jackson's generator: a record a line. */
    private final class Records implements AutoCloseable {
        private final OutputStream out;
        private final JsonGenerator json;

        Records(Path file) throws IOException {
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            this.json = Json.mapper().getFactory().createGenerator(out);
            json.setRootValueSeparator(null);
        }

        void write(String type, ObjectNode item) throws IOException {
            json.writeStartObject();
            json.writeStringField("type", type);
            json.writeFieldName("item");
            json.writeTree(item);
            json.writeEndObject();
            json.flush();
            out.write('\n');
            counts.merge(type, 1L, Long::sum);
        }

        @Override
        public void close() throws IOException {
            json.close();
            out.close();
        }
    }

    /** The users a channel export refers to: looked up a page at a time and written once while remembered. */
    private final class UserRefs {
        private final Records out;
        private final Set<String> pending = new LinkedHashSet<>();
        private final Map<String, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > MAX_SEEN_USERS;
            }
        };

        UserRefs(Records out) {
            this.out = out;
        }

        /** Notes a user to write; {@link #flush} writes the ones noted, after each page. */
        void add(String id) {
            if (seen.get(id) == null) {
                pending.add(id);
            }
        }

        void flush() throws IOException {
            if (pending.isEmpty()) {
                return;
            }
            Map<String, User> found = users.apply(List.copyOf(pending));
            for (String id : pending) {
                User u = found.get(id);
                // a user removed from the store keeps its id, so that its messages still import
                out.write("user", u != null ? userItem(u) : Json.object().put("id", id));
                seen.put(id, Boolean.TRUE);
            }
            pending.clear();
        }
    }
}
