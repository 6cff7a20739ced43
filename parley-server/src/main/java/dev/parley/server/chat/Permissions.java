package dev.parley.server.chat;

import dev.parley.protocol.ChatException;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks permissions against a channel type's grants (PROTOCOL.md §11.2, §11.3) and computes
 * {@code own_capabilities} (§11.4). A user acts through its global role and, when it is a member, its
 * channel role; {@code -owner} grants apply to the owner of the resource. Stateless; thread-safe.
 */
public final class Permissions {
    private Permissions() {}

    /** Whether {@code actor} may do {@code permission}; {@code owner} says whether it owns the resource. */
    public static boolean allowed(
            Actor actor, ChannelType type, @Nullable MemberRow member, String permission, boolean owner) {
        return allowedWithRole(actor, type, member == null ? null : member.channelRole(), permission, owner);
    }

    /** As {@link #allowed(Actor, ChannelType, MemberRow, String, boolean)} with the member's channel role (null: none). */
    public static boolean allowedWithRole(
            Actor actor, ChannelType type, @Nullable String memberRole, String permission, boolean owner) {
        if (actor.server()) {
            return true;
        }
        if (actor.user() == null) {
            return false;
        }
        if (has(type, actor.user().role(), permission, owner)) {
            return true;
        }
        return memberRole != null && has(type, memberRole, permission, owner);
    }

    private static boolean has(ChannelType type, String role, String permission, boolean owner) {
        Set<String> grants = type.grants().get(role);
        if (grants == null) {
            return false;
        }
        if (grants.contains(permission) || (owner && grants.contains(permission + "-owner"))) {
            return true;
        }
        if (type.customPermissions().isEmpty()) {
            return false;
        }
        for (String granted : grants) { // a custom permission stands for a built-in grant (§11.5)
            String builtIn = type.customPermissions().get(granted);
            if (builtIn != null && (builtIn.equals(permission) || (owner && builtIn.equals(permission + "-owner")))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the actor created {@code channel}. */
    public static boolean ownsChannel(Actor actor, ChannelRow channel) {
        return actor.user() != null
                && Objects.equals(channel.createdById(), actor.user().id());
    }

    /** Refuses with code 17 naming the action unless allowed. */
    public static void require(
            Actor actor,
            ChannelType type,
            @Nullable MemberRow member,
            String permission,
            boolean owner,
            String endpoint,
            String cid) {
        requireWithRole(actor, type, member == null ? null : member.channelRole(), permission, owner, endpoint, cid);
    }

    /** As {@link #require(Actor, ChannelType, MemberRow, String, boolean, String, String)} with a channel role. */
    public static void requireWithRole(
            Actor actor,
            ChannelType type,
            @Nullable String memberRole,
            String permission,
            boolean owner,
            String endpoint,
            String cid) {
        if (!allowedWithRole(actor, type, memberRole, permission, owner)) {
            String who = actor.user() == null
                    ? "anonymous caller"
                    : "user '" + actor.user().id() + "' with role '"
                            + actor.user().role() + "'";
            throw ChatException.notAllowed(endpoint + " failed with error: \"" + who
                    + " is not allowed to perform action " + action(permission) + " in scope '" + cid + "'\"");
        }
    }

    /** {@code create-message} to {@code CreateMessage}. */
    static String action(String permission) {
        StringBuilder s = new StringBuilder();
        for (String part : permission.split("-")) {
            if (!part.isEmpty()) {
                s.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return s.toString();
    }

    /** The capabilities of {@code actor} in the channel (§11.4). */
    public static List<String> capabilities(Actor actor, ChannelType type, ChannelRow ch, @Nullable MemberRow member) {
        boolean own = ownsChannel(actor, ch);
        List<String> caps = new ArrayList<>();
        boolean canWrite = !ch.frozen() && allowed(actor, type, member, "create-message", own);
        add(caps, canWrite, "send-message");
        add(caps, canWrite && type.flag("replies"), "send-reply");
        add(caps, canWrite && type.flag("quotes"), "quote-message");
        add(caps, allowed(actor, type, member, "add-links", own), "send-links");
        add(caps, allowed(actor, type, member, "create-attachment", own), "create-attachment");
        add(caps, allowed(actor, type, member, "create-mention", own), "create-mention");
        add(caps, type.flag("uploads") && allowed(actor, type, member, "upload-attachment", own), "upload-file");
        add(caps, type.flag("reactions") && allowed(actor, type, member, "create-reaction", own), "send-reaction");
        add(caps, allowed(actor, type, member, "update-message", true), "update-own-message");
        add(caps, allowed(actor, type, member, "update-message", false), "update-any-message");
        add(caps, allowed(actor, type, member, "delete-message", true), "delete-own-message");
        add(caps, allowed(actor, type, member, "delete-message", false), "delete-any-message");
        add(caps, allowed(actor, type, member, "pin-message", own), "pin-message");
        add(
                caps,
                canWrite && allowed(actor, type, member, "send-restricted-visibility-message", own),
                "send-restricted-visibility-message");
        boolean polls = type.flag("polls");
        add(caps, polls && canWrite && allowed(actor, type, member, "send-poll", own), "send-poll");
        add(caps, polls && allowed(actor, type, member, "cast-poll-vote", own), "cast-poll-vote");
        add(caps, polls && allowed(actor, type, member, "query-poll-votes", own), "query-poll-votes");
        add(caps, allowed(actor, type, member, "flag-message", own), "flag-message");
        add(caps, type.flag("mutes") && allowed(actor, type, member, "mute-channel", own), "mute-channel");
        boolean read = allowed(actor, type, member, "read-channel", own);
        add(caps, read && type.flag("read_events"), "read-events");
        add(caps, type.flag("typing_events"), "typing-events");
        add(caps, type.flag("typing_events") && canWrite, "send-typing-events");
        add(caps, type.flag("connect_events"), "connect-events");
        add(caps, type.flag("delivery_events"), "delivery-events");
        add(caps, type.flag("search"), "search-messages");
        add(caps, canWrite && type.flag("shared_locations"), "share-location");
        add(
                caps,
                type.flag("custom_events") && allowed(actor, type, member, "send-custom-event", own),
                "send-custom-events");
        add(caps, allowed(actor, type, member, "update-channel", own), "update-channel");
        add(caps, allowed(actor, type, member, "update-channel-members", own), "update-channel-members");
        add(caps, allowed(actor, type, member, "delete-channel", own), "delete-channel");
        add(
                caps,
                member != null && allowed(actor, type, member, "remove-own-channel-membership", own),
                "leave-channel");
        add(caps, allowed(actor, type, member, "ban-channel-member", own), "ban-channel-members");
        add(caps, allowed(actor, type, member, "update-channel-frozen", own), "freeze-channel");
        add(caps, allowed(actor, type, member, "update-channel-cooldown", own), "set-channel-cooldown");
        add(caps, allowed(actor, type, member, "skip-channel-cooldown", own), "skip-slow-mode");
        add(caps, type.flag("replies") && allowed(actor, type, member, "update-channel", own), "update-thread");
        return caps;
    }

    private static void add(List<String> caps, boolean when, String capability) {
        if (when) {
            caps.add(capability);
        }
    }
}
