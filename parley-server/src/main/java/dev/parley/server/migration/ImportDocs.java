package dev.parley.server.migration;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.ReactionSummary;
import dev.parley.server.store.ImportBatch;
import java.util.Map;

/**
 * The stored documents of imported messages and reactions (PROTOCOL.md §17), shaped as a send and a reaction
 * write shape them (§6.4), and the derived parts of a message document: reaction totals and thread summary.
 * Pure functions of their arguments, so that the same file imported twice writes the same bytes.
 */
final class ImportDocs {
    private ImportDocs() {}

    static MessageRow message(ImportItems.MessageItem m, User author, Map<String, User> mentioned) {
        ObjectNode d = Json.object();
        d.put("id", m.id());
        d.put("text", m.text());
        d.put("html", m.html() != null ? m.html() : html(m.text()));
        String type = m.deletedAt() != null
                ? "deleted"
                : "system".equals(m.type())
                        ? "system"
                        : m.parentId() != null && !m.showInChannel() ? "reply" : "regular";
        d.put("type", type);
        d.set("user", author.toJson());
        d.put("cid", m.cid());
        d.set("attachments", m.attachments());
        d.putArray("latest_reactions");
        d.putObject("reaction_counts");
        d.putObject("reaction_scores");
        d.putObject("reaction_groups");
        d.put("reply_count", 0);
        d.put("deleted_reply_count", 0);
        ArrayNode mentions = d.putArray("mentioned_users");
        m.mentionIds().stream().map(mentioned::get).filter(u -> u != null).forEach(u -> mentions.add(u.toJson()));
        d.put("mentioned_channel", false);
        d.put("mentioned_here", false);
        d.put("silent", m.silent());
        d.put("shadowed", false);
        d.put("pinned", m.pinnedAt() != null);
        d.put("pinned_at", Timestamps.format(m.pinnedAt()));
        if (m.pinnedById() != null) {
            User by = mentioned.get(m.pinnedById());
            d.set("pinned_by", by != null ? by.toJson() : Json.object().put("id", m.pinnedById()));
        } else {
            d.putNull("pinned_by");
        }
        d.put("pin_expires", Timestamps.format(m.pinExpires()));
        d.putArray("restricted_visibility");
        d.put("created_at", Timestamps.format(m.createdAt()));
        d.put("updated_at", Timestamps.format(m.updatedAt()));
        if (m.deletedAt() != null) {
            d.put("deleted_at", Timestamps.format(m.deletedAt()));
        }
        if (m.textUpdatedAt() != null) {
            d.put("message_text_updated_at", Timestamps.format(m.textUpdatedAt()));
        }
        if (m.parentId() != null) {
            d.put("parent_id", m.parentId());
            d.put("show_in_channel", m.showInChannel());
        }
        if (m.quotedMessageId() != null) {
            d.put("quoted_message_id", m.quotedMessageId());
        }
        m.custom().properties().forEach(e -> {
            if (!d.has(e.getKey())) {
                d.set(e.getKey(), e.getValue());
            }
        });
        return new MessageRow(
                m.id(),
                m.cid(),
                m.userId(),
                m.parentId(),
                m.inChannel(),
                m.createdAt(),
                m.updatedAt(),
                m.deletedAt(),
                m.pinnedAt(),
                d);
    }

    static ReactionRow reaction(ImportItems.ReactionItem r, User user) {
        ObjectNode d = Json.object();
        d.put("type", r.type());
        d.put("message_id", r.messageId());
        d.put("user_id", r.userId());
        d.set("user", user.toJson());
        d.put("score", r.score());
        d.put("created_at", Timestamps.format(r.createdAt()));
        d.put("updated_at", Timestamps.format(r.updatedAt()));
        r.custom().properties().forEach(e -> d.set(e.getKey(), e.getValue()));
        return new ReactionRow(r.messageId(), r.userId(), r.type(), r.score(), r.createdAt(), d);
    }

    /**
     * The message with its reaction totals and thread summary made from the stored rows; its times are kept, so
     * that deriving twice gives the same document.
     */
    static MessageRow derive(MessageRow m, ReactionSummary reactions, ImportBatch.ThreadSummary thread) {
        ObjectNode doc = m.doc().deepCopy();
        reactions.writeInto(doc);
        if (m.parentId() == null) {
            doc.put("reply_count", thread.replyCount());
            doc.put("deleted_reply_count", thread.deletedReplyCount());
            if (thread.participants().isEmpty()) {
                doc.remove("thread_participants");
            } else {
                ArrayNode p = doc.putArray("thread_participants");
                thread.participants().forEach(u -> p.add(u.toJson()));
            }
        }
        return new MessageRow(
                m.id(),
                m.cid(),
                m.userId(),
                m.parentId(),
                m.inChannel(),
                m.createdAt(),
                m.updatedAt(),
                m.deletedAt(),
                m.pinnedAt(),
                doc);
    }

    /** Escaped text in a paragraph, as a send renders a message without html. */
    static String html(String text) {
        if (text.isEmpty()) {
            return "";
        }
        String escaped = text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&#34;")
                .replace("'", "&#39;")
                .replace("\n", "<br/>");
        return "<p>" + escaped + "</p>\n";
    }
}
