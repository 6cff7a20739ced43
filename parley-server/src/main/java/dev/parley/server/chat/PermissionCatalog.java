package dev.parley.server.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The permissions this server checks (PROTOCOL.md §11.3), as {@code GET /permissions} lists them: the ones a
 * channel type grants to roles, and the app-wide ones. A grant may name each of them, or each with
 * {@code -owner} (only for the owner of the resource). Stateless.
 */
public final class PermissionCatalog {
    /** A permission: its id (the name grants use), what it allows, and whether a channel or the app scopes it. */
    public record Permission(String id, String name, String description, String action, boolean app) {
        /** As {@code /permissions} shows it. */
        public ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("id", id);
            o.put("name", name);
            o.put("description", description);
            o.put("action", action);
            o.put("owner", false);
            o.put("same_team", false);
            o.put("custom", false);
            o.put("level", app ? "app" : "channel");
            o.putArray("tags");
            return o;
        }
    }

    private static final Map<String, Permission> ALL = catalog();

    private PermissionCatalog() {}

    private static Map<String, Permission> catalog() {
        Map<String, Permission> m = new LinkedHashMap<>();
        channel(m, "read-channel", "Read Channel", "read a channel's messages and state", "ReadChannel");
        channel(m, "read-channel-members", "Read Channel Members", "list a channel's members", "ReadChannelMembers");
        channel(m, "create-channel", "Create Channel", "create a channel", "CreateChannel");
        channel(m, "update-channel", "Update Channel", "change a channel's data", "UpdateChannel");
        channel(
                m,
                "update-channel-members",
                "Update Channel Members",
                "add and remove members",
                "UpdateChannelMembers");
        channel(m, "update-channel-cooldown", "Update Channel Cooldown", "set slow mode", "UpdateChannelCooldown");
        channel(m, "update-channel-frozen", "Update Channel Frozen", "freeze and unfreeze", "UpdateChannelFrozen");
        channel(m, "delete-channel", "Delete Channel", "delete a channel", "DeleteChannel");
        channel(m, "truncate-channel", "Truncate Channel", "remove a channel's messages", "TruncateChannel");
        channel(m, "recreate-channel", "Recreate Channel", "create a deleted channel again", "RecreateChannel");
        channel(m, "remove-own-channel-membership", "Leave Channel", "leave a channel", "RemoveOwnChannelMembership");
        channel(m, "create-message", "Create Message", "send a message", "CreateMessage");
        channel(m, "create-system-message", "Create System Message", "send a system message", "CreateSystemMessage");
        channel(m, "create-attachment", "Create Attachment", "send a message with attachments", "CreateAttachment");
        channel(m, "create-mention", "Create Mention", "mention users", "CreateMention");
        channel(m, "add-links", "Add Links", "send links", "AddLinks");
        channel(m, "update-message", "Update Message", "edit a message", "UpdateMessage");
        channel(
                m,
                "send-restricted-visibility-message",
                "Send Restricted Visibility Message",
                "send a message that only the users it names see",
                "SendRestrictedVisibilityMessage");
        channel(m, "send-poll", "Send Poll", "send a message with a poll", "SendPoll");
        channel(m, "cast-poll-vote", "Cast Poll Vote", "vote on and answer polls", "CastPollVote");
        channel(m, "query-poll-votes", "Query Poll Votes", "list the votes of polls", "QueryPollVotes");
        channel(m, "delete-message", "Delete Message", "delete a message", "DeleteMessage");
        channel(m, "pin-message", "Pin Message", "pin and unpin messages", "PinMessage");
        channel(m, "run-message-action", "Run Message Action", "run a message's action", "RunMessageAction");
        channel(m, "create-reaction", "Create Reaction", "react to a message", "CreateReaction");
        channel(m, "delete-reaction", "Delete Reaction", "remove a reaction", "DeleteReaction");
        channel(m, "delete-attachment", "Delete Attachment", "remove an attachment", "DeleteAttachment");
        channel(m, "upload-attachment", "Upload Attachment", "upload files and images", "UploadAttachment");
        channel(m, "send-custom-event", "Send Custom Event", "send custom events", "SendCustomEvent");
        channel(m, "flag-message", "Flag Message", "flag a message", "FlagMessage");
        channel(m, "mute-channel", "Mute Channel", "mute a channel", "MuteChannel");
        channel(m, "ban-channel-member", "Ban Channel Member", "ban a member from a channel", "BanChannelMember");
        channel(
                m,
                "skip-channel-cooldown",
                "Skip Channel Cooldown",
                "write in slow mode without waiting",
                "SkipChannelCooldown");
        channel(
                m,
                "skip-message-moderation",
                "Skip Message Moderation",
                "send without moderation",
                "SkipMessageModeration");
        channel(m, "read-message-flags", "Read Message Flags", "read flags of messages", "ReadMessageFlags");
        channel(m, "unblock-message", "Unblock Message", "unblock a blocked message", "UnblockMessage");
        channel(m, "join-call", "Join Call", "join a call", "JoinCall");
        channel(m, "create-call", "Create Call", "start a call", "CreateCall");
        app(m, "ban-user", "Ban User", "ban users app-wide", "BanUser");
        app(m, "read-bans", "Read Bans", "query banned users", "ReadBans");
        app(m, "mute-user", "Mute User", "mute users", "MuteUser");
        app(m, "flag-user", "Flag User", "flag users", "FlagUser");
        app(m, "search-user", "Search User", "query users", "SearchUser");
        app(m, "update-user", "Update User", "change users", "UpdateUser");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static void channel(Map<String, Permission> m, String id, String name, String what, String action) {
        m.put(id, new Permission(id, name, "Lets a role " + what, action, false));
    }

    private static void app(Map<String, Permission> m, String id, String name, String what, String action) {
        m.put(id, new Permission(id, name, "Lets a role " + what, action, true));
    }

    /** Every permission, in the order {@code /permissions} lists them. */
    public static Map<String, Permission> all() {
        return ALL;
    }

    public static Optional<Permission> find(String id) {
        return Optional.ofNullable(ALL.get(id));
    }

    /** The channel permission whose action is {@code action} ({@code CreateMessage}...), for custom permissions. */
    public static Optional<Permission> byAction(String action) {
        return ALL.values().stream()
                .filter(p -> !p.app() && p.action().equals(action))
                .findFirst();
    }

    /** Whether a grant may name {@code grant}: a permission, or one with {@code -owner}. */
    public static boolean known(String grant) {
        return ALL.containsKey(grant)
                || (grant.endsWith("-owner") && ALL.containsKey(grant.substring(0, grant.length() - 6)));
    }
}
