package dev.parley.server.ratelimit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of rate-limited endpoints: each REST route (method and template) and the socket connect,
 * by the endpoint name Stream's SDKs use ({@code SendMessage}, {@code QueryChannels}...), with the calls per
 * minute and platform the whole app may make to it.
 *
 * <p>The numbers are Stream's published defaults for self-serve plans (10,000, 1,000, 300 or 60 a minute).
 * Endpoints Stream's table does not list take the number of their closest listed sibling (a partial
 * update like the full update, deleting an image like deleting a file). Operators scale all of them with
 * {@code --rate-limit-scale}. A route missing here is still limited per user, under its template.
 */
public final class Endpoints {
    /** The socket connect, which is not a REST route. */
    public static final String CONNECT = "Connect";

    private static final Map<String, String> BY_ROUTE = new LinkedHashMap<>();
    private static final Map<String, Integer> PER_MINUTE = new LinkedHashMap<>();

    static {
        endpoint(CONNECT, 10_000);
        route("GET /app", "GetApp", 10_000);
        route("PATCH /app", "UpdateApp", 60);
        route("GET /hook/events", "GetHookEvents", 60);
        route("POST /commands", "CreateCommand", 60);
        route("GET /commands", "ListCommands", 60);
        route("GET /commands/{name}", "GetCommand", 60);
        route("PUT /commands/{name}", "UpdateCommand", 60);
        route("DELETE /commands/{name}", "DeleteCommand", 60);
        route("POST /push_providers", "UpsertPushProvider", 60);
        route("GET /push_providers", "ListPushProviders", 60);
        route("DELETE /push_providers/{type}/{name}", "DeletePushProvider", 60);
        route("POST /push_preferences", "UpsertPushPreferences", 60);
        route("POST /check_push", "CheckPush", 60);
        route("PUT /channeltypes/{name}", "UpdateChannelType", 60);
        route("POST /channeltypes", "CreateChannelType", 60);
        route("DELETE /channeltypes/{name}", "DeleteChannelType", 60);
        route("GET /roles", "ListRoles", 60);
        route("GET /roles/search", "SearchRoles", 60);
        route("POST /roles", "CreateRole", 60);
        route("DELETE /roles/{name}", "DeleteRole", 60);
        route("GET /permissions", "ListPermissions", 60);
        route("GET /permissions/{id}", "GetPermission", 60);
        route("POST /permissions", "CreatePermission", 60);
        route("PUT /permissions/{id}", "UpdatePermission", 60);
        route("DELETE /permissions/{id}", "DeletePermission", 60);
        route("POST /guest", "CreateGuest", 60);
        route("POST /messages/{id}/action", "RunMessageAction", 10_000);
        route("POST /channels", "QueryChannels", 10_000);
        route("POST /channels/delivered", "MarkDelivered", 10_000);
        route("POST /channels/read", "MarkChannelsRead", 10_000);
        route("POST /channels/{type}/query", "GetOrCreateChannel", 10_000);
        route("POST /channels/{type}/{id}/query", "GetOrCreateChannel", 10_000);
        route("GET /channels/{type}/{id}", "GetOrCreateChannel", 10_000);
        route("POST /channels/delete", "DeleteChannels", 60);
        route("POST /channels/{type}/{id}", "UpdateChannel", 300);
        route("PATCH /channels/{type}/{id}", "UpdateChannelPartial", 300);
        route("DELETE /channels/{type}/{id}", "DeleteChannel", 60);
        route("POST /channels/{type}/{id}/truncate", "TruncateChannel", 60);
        route("POST /channels/{type}/{id}/hide", "HideChannel", 300);
        route("POST /channels/{type}/{id}/show", "ShowChannel", 300);
        route("POST /channels/{type}/{id}/stop-watching", "StopWatchingChannel", 1_000);
        route("POST /channels/{type}/{id}/event", "SendEvent", 10_000);
        route("POST /channels/{type}/{id}/read", "MarkRead", 10_000);
        route("POST /channels/{type}/{id}/unread", "MarkUnread", 10_000);
        route("POST /channels/{type}/{id}/message", "SendMessage", 1_000);
        route("GET /channels/{type}/{id}/messages", "GetManyMessages", 1_000);
        route("PATCH /channels/{type}/{id}/member", "UpdateMemberPartial", 300);
        route("PATCH /channels/{type}/{id}/member/{user_id}", "UpdateMemberPartial", 300);
        route("GET /channels/{type}/{id}/pinned_messages", "GetPinnedMessages", 1_000);
        route("POST /channels/{type}/{id}/file", "UploadFile", 1_000);
        route("POST /channels/{type}/{id}/image", "UploadImage", 1_000);
        route("DELETE /channels/{type}/{id}/file", "DeleteFile", 60);
        route("DELETE /channels/{type}/{id}/image", "DeleteImage", 60);
        route("GET /members", "QueryMembers", 300);
        route("GET /messages/{id}", "GetMessage", 1_000);
        route("POST /messages/{id}", "UpdateMessage", 1_000);
        route("PUT /messages/{id}", "UpdateMessagePartial", 1_000);
        route("DELETE /messages/{id}", "DeleteMessage", 1_000);
        route("GET /messages/{id}/replies", "GetReplies", 1_000);
        route("POST /messages/{id}/undelete", "UndeleteMessage", 1_000);
        route("POST /messages/{id}/commit", "CommitMessage", 1_000);
        route("POST /messages/history", "QueryMessageHistory", 1_000);
        route("POST /messages/{id}/reaction", "SendReaction", 1_000);
        route("DELETE /messages/{id}/reaction/{type}", "DeleteReaction", 1_000);
        route("GET /messages/{id}/reactions", "GetReactions", 1_000);
        route("POST /messages/{id}/reactions", "QueryReactions", 1_000);
        route("GET /unread", "UnreadCounts", 1_000);
        route("POST /unread_batch", "UnreadCountsBatch", 1_000);
        route("POST /threads", "QueryThreads", 1_000);
        route("GET /threads/{id}", "GetThread", 1_000);
        route("PATCH /threads/{id}", "UpdateThreadPartial", 1_000);
        route("POST /polls", "CreatePoll", 1_000);
        route("PUT /polls", "UpdatePoll", 1_000);
        route("POST /polls/query", "QueryPolls", 1_000);
        route("GET /polls/{id}", "GetPoll", 1_000);
        route("PATCH /polls/{id}", "UpdatePollPartial", 1_000);
        route("DELETE /polls/{id}", "DeletePoll", 1_000);
        route("POST /polls/{id}/options", "CreatePollOption", 1_000);
        route("PUT /polls/{id}/options", "UpdatePollOption", 1_000);
        route("GET /polls/{id}/options/{option_id}", "GetPollOption", 1_000);
        route("DELETE /polls/{id}/options/{option_id}", "DeletePollOption", 1_000);
        route("POST /polls/{id}/votes", "QueryPollVotes", 1_000);
        route("POST /messages/{id}/polls/{poll_id}/vote", "CastPollVote", 1_000);
        route("DELETE /messages/{id}/polls/{poll_id}/vote/{vote_id}", "RemovePollVote", 1_000);
        route("POST /sync", "Sync", 1_000);
        route("POST /devices", "CreateDevice", 300);
        route("GET /devices", "ListDevices", 60);
        route("DELETE /devices", "DeleteDevice", 60);
        route("GET /channeltypes", "ListChannelTypes", 60);
        route("GET /channeltypes/{name}", "GetChannelType", 60);
        route("POST /moderation/mute", "MuteUser", 300);
        route("POST /moderation/unmute", "UnmuteUser", 300);
        route("POST /moderation/mute/channel", "MuteChannel", 300);
        route("POST /moderation/unmute/channel", "UnmuteChannel", 300);
        route("POST /moderation/ban", "Ban", 300);
        route("DELETE /moderation/ban", "Unban", 300);
        route("GET /query_banned_users", "QueryBannedUsers", 300);
        route("POST /moderation/flag", "Flag", 300);
        route("POST /moderation/unflag", "Unflag", 300);
        route("GET /moderation/flags/message", "QueryMessageFlags", 300);
        route("POST /moderation/flags", "QueryFlags", 300);
        route("POST /moderation/reports", "QueryFlagReports", 300);
        route("PATCH /moderation/reports/{id}", "ReviewFlagReport", 300);
        route("POST /moderation/unblock_message", "UnblockMessage", 300);
        route("POST /blocklists", "CreateBlockList", 60);
        route("GET /blocklists", "ListBlockLists", 60);
        route("GET /blocklists/{name}", "GetBlockList", 60);
        route("PUT /blocklists/{name}", "UpdateBlockList", 60);
        route("DELETE /blocklists/{name}", "DeleteBlockList", 60);
        route("POST /api/v2/moderation/review_queue", "QueryReviewQueue", 300);
        route("POST /api/v2/moderation/submit_action", "SubmitAction", 300);
        route("POST /api/v2/moderation/flag", "Flag", 300);
        route("POST /api/v2/moderation/mute", "MuteUser", 300);
        route("POST /api/v2/moderation/unmute", "UnmuteUser", 300);
        route("GET /api/v2/moderation/user_report", "GetUserModerationReport", 300);
        route("POST /api/v2/moderation/config", "UpsertConfig", 60);
        route("GET /api/v2/moderation/config/{key}", "GetConfig", 300);
        route("DELETE /api/v2/moderation/config/{key}", "DeleteConfig", 60);
        route("POST /api/v2/moderation/configs", "QueryModerationConfigs", 300);
        route("POST /api/v2/moderation/check", "Check", 1_000);
        route("POST /api/v2/moderation/custom_check", "CustomCheck", 1_000);
        route("POST /api/v2/moderation/moderation_rule", "UpsertModerationRule", 60);
        route("POST /api/v2/moderation/moderation_rules", "QueryModerationRules", 300);
        route("GET /api/v2/moderation/moderation_rule/{id}", "GetModerationRule", 300);
        route("DELETE /api/v2/moderation/moderation_rule/{id}", "DeleteModerationRule", 60);
        route("POST /automod/v1/moderation/update_flags", "UpdateFlags", 300);
        route("GET /query_future_channel_bans", "QueryFutureChannelBans", 300);
        route("POST /users/block", "BlockUser", 300);
        route("POST /users/unblock", "Unblock", 300);
        route("GET /users/block", "GetBlockedUsers", 300);
        route("GET /search", "Search", 300);
        route("GET /og", "GetOG", 300);
        route("POST /channels/{type}/{id}/draft", "CreateDraft", 1_000);
        route("GET /channels/{type}/{id}/draft", "GetDraft", 1_000);
        route("DELETE /channels/{type}/{id}/draft", "DeleteDraft", 1_000);
        route("POST /drafts/query", "QueryDrafts", 1_000);
        route("POST /messages/{id}/reminders", "CreateReminder", 1_000);
        route("PATCH /messages/{id}/reminders", "UpdateReminder", 1_000);
        route("DELETE /messages/{id}/reminders", "DeleteReminder", 1_000);
        route("POST /reminders/query", "QueryReminders", 1_000);
        route("GET /users/live_locations", "GetActiveLiveLocations", 1_000);
        route("PUT /users/live_locations", "UpdateLiveLocation", 1_000);
        route("GET /users", "QueryUsers", 1_000);
        route("POST /users", "UpdateUsers", 300);
        route("PATCH /users", "UpdateUsersPartial", 300);
        route("DELETE /users/{id}", "DeleteUser", 60);
        route("GET /users/{id}/export", "ExportUser", 60);
        route("POST /users/{id}/deactivate", "DeactivateUser", 60);
        route("POST /users/{id}/reactivate", "ReactivateUser", 60);
        route("POST /users/delete", "DeleteUsers", 60);
        route("POST /users/restore", "RestoreUsers", 60);
        route("POST /users/{id}/event", "SendUserCustomEvent", 1_000);
        route("POST /users/deactivate", "DeactivateUsers", 60);
        route("POST /users/reactivate", "ReactivateUsers", 60);
        route("GET /tasks/{id}", "GetTask", 60);
        route("POST /import_urls", "CreateImportURL", 60);
        route("PUT /import_files/{id}", "UploadImportFile", 60);
        route("POST /imports", "CreateImport", 60);
        route("GET /imports", "ListImports", 60);
        route("GET /imports/{id}", "GetImport", 60);
        route("POST /export_channels", "ExportChannels", 60);
        route("GET /export_channels/{id}", "GetExportChannelsStatus", 60);
        route("POST /export/users", "ExportUsers", 60);
        route("GET /rate_limits", "GetRateLimits", 60);
    }

    private Endpoints() {}

    private static void endpoint(String name, int perMinute) {
        Integer before = PER_MINUTE.putIfAbsent(name, perMinute);
        if (before != null && before != perMinute) {
            throw new IllegalStateException(name + " has two limits: " + before + " and " + perMinute);
        }
    }

    private static void route(String route, String name, int perMinute) {
        endpoint(name, perMinute);
        if (BY_ROUTE.put(route, name) != null) {
            throw new IllegalStateException("route listed twice: " + route);
        }
    }

    /** The endpoint name of a route, such as {@code SendMessage} for {@code POST /channels/{type}/{id}/message}. */
    public static Optional<String> nameOf(String method, String template) {
        return Optional.ofNullable(BY_ROUTE.get(method + " " + template));
    }

    /** Calls per minute and platform the app may make to {@code endpoint}, before scaling. */
    public static int perMinute(String endpoint) {
        Integer n = PER_MINUTE.get(endpoint);
        if (n == null) {
            throw new IllegalArgumentException(
                    "endpoint: '" + endpoint + "' (expected: one of " + PER_MINUTE.keySet() + ")");
        }
        return n;
    }

    /** Every endpoint name, in table order. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(PER_MINUTE.keySet());
    }

    /** Every route listed, as {@code "METHOD /template"}. */
    static Set<String> routes() {
        return Collections.unmodifiableSet(BY_ROUTE.keySet());
    }
}
