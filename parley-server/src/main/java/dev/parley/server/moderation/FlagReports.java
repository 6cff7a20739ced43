package dev.parley.server.moderation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.protocol.User;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.Permissions;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.ModerationStore.Flag;
import dev.parley.server.store.ModerationStore.FlagField;
import dev.parley.server.store.ModerationStore.FlagFilter;
import dev.parley.server.store.ModerationStore.FlagReport;
import dev.parley.server.store.ModerationStore.ReportedFlag;
import dev.parley.server.users.UserService;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reading flags and reviewing them (PROTOCOL.md §7.26): the flags of messages, all flags, the reports that
 * gather the flags of one message or user, and their review. Reading and reviewing need the app grants
 * {@code read-flag-reports} and {@code review-flag-reports} (admin and moderator; a server token may do all);
 * the flags of messages may also be read by whoever holds {@code read-message-flags} in every channel the query
 * names. Thread-safe; blocking.
 */
public final class FlagReports {
    /** The app-wide grants (§11.3) that the moderation routes check. */
    private final AppGrants appGrants;

    /** Most flags or reports of one page. */
    static final int MAX_LIMIT = 100;

    /** Deepest offset of a page. */
    static final int MAX_OFFSET = 10_000;

    /** The results a review may record. */
    public static final Set<String> REVIEW_RESULTS = Set.of("reviewed", "approved", "rejected");

    /** Longest {@code review_details}, as JSON text. */
    static final int MAX_DETAILS = 5_000;

    /** The review a moderator's unblock of a message records. */
    static final String UNBLOCKED = "approved";

    private final ChatStore store;
    private final ModerationStore moderation;
    private final ChannelAccess access;
    private final UserService users;
    private final Clock clock;

    public FlagReports(
            ChatStore store,
            ModerationStore moderation,
            ChannelAccess access,
            UserService users,
            Clock clock,
            AppGrants appGrants) {
        this.appGrants = requireNonNull(appGrants, "appGrants");
        this.store = requireNonNull(store, "store");
        this.moderation = requireNonNull(moderation, "moderation");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.clock = requireNonNull(clock, "clock");
    }

    // ---- queries

    /** {@code GET /moderation/flags/message?payload=}: filters {@code channel_cid}, {@code user_id}, {@code is_reviewed}. */
    public ObjectNode queryMessageFlags(Actor actor, ObjectNode payload) {
        String endpoint = "QueryMessageFlags";
        JsonNode filter = filterOf(payload, endpoint);
        FilterFields f = new FilterFields(filter, endpoint);
        Map<FlagField, List<String>> in = new EnumMap<>(FlagField.class);
        f.values("channel_cid").ifPresent(v -> in.put(FlagField.CHANNEL, v));
        f.values("user_id").ifPresent(v -> in.put(FlagField.REPORTER, v));
        Boolean reviewed = f.bool("is_reviewed");
        f.rejectOthers();
        requireMayReadMessageFlags(actor, in.get(FlagField.CHANNEL), endpoint);
        List<ReportedFlag> flags = moderation.flags(
                new FlagFilter("message", in, reviewed), limit(payload, endpoint), offset(payload, endpoint));
        Map<String, MessageRow> messages =
                messages(flags.stream().map(x -> x.flag().targetId()).toList());
        Map<String, User> people = people(flags.stream()
                .flatMap(x ->
                        java.util.stream.Stream.of(x.flag().userId(), x.report().reviewedBy()))
                .toList());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("flags");
        for (ReportedFlag x : flags) {
            ObjectNode o = flagJson(x.flag(), people);
            MessageRow m = messages.get(x.flag().targetId());
            o.set("message", m == null ? deletedMessage(x.flag().targetId()) : m.doc());
            review(o, x.report(), people);
            list.add(o);
        }
        return out;
    }

    /**
     * {@code POST /moderation/flags}: filters {@code user_id} (the flagged user, or the author of the flagged
     * message), {@code message_id}, {@code message_user_id}, {@code channel_cid} and {@code reporter_id}.
     */
    public ObjectNode queryFlags(Actor actor, ObjectNode body) {
        String endpoint = "QueryFlags";
        appGrants.require(actor, "read-flag-reports", endpoint);
        FilterFields f = new FilterFields(filterOf(body, endpoint), endpoint);
        Map<FlagField, List<String>> in = new EnumMap<>(FlagField.class);
        String kind = null;
        f.values("user_id").ifPresent(v -> in.put(FlagField.TARGET_USER, v));
        Optional<List<String>> messageIds = f.values("message_id");
        if (messageIds.isPresent()) {
            in.put(FlagField.TARGET, messageIds.get());
            kind = "message";
        }
        Optional<List<String>> authors = f.values("message_user_id");
        if (authors.isPresent()) {
            in.merge(FlagField.TARGET_USER, authors.get(), FlagReports::both);
            kind = "message";
        }
        f.values("channel_cid").ifPresent(v -> in.put(FlagField.CHANNEL, v));
        f.values("reporter_id").ifPresent(v -> in.put(FlagField.REPORTER, v));
        f.rejectOthers();
        List<ReportedFlag> flags =
                moderation.flags(new FlagFilter(kind, in, null), limit(body, endpoint), offset(body, endpoint));
        Map<String, MessageRow> messages = messages(flags.stream()
                .filter(x -> x.flag().targetKind().equals("message"))
                .map(x -> x.flag().targetId())
                .toList());
        Map<String, User> people = people(flags.stream()
                .flatMap(x ->
                        java.util.stream.Stream.of(x.flag().userId(), x.report().targetUserId()))
                .toList());
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("flags");
        for (ReportedFlag x : flags) {
            ObjectNode o = flagJson(x.flag(), people);
            if (x.flag().targetKind().equals("message")) {
                MessageRow m = messages.get(x.flag().targetId());
                o.set("target_message", m == null ? deletedMessage(x.flag().targetId()) : m.doc());
            } else {
                o.set("target_user", userJson(people, x.report().targetUserId()));
            }
            list.add(o);
        }
        return out;
    }

    /**
     * {@code POST /moderation/reports}: filters {@code report_id}, {@code review_result}, {@code reviewed_by},
     * {@code user_id} (the flagged user, or the flagged message's author), {@code message_id},
     * {@code message_user_id}, {@code channel_cid} and {@code is_reviewed}. Newest report first.
     */
    public ObjectNode queryReports(Actor actor, ObjectNode body) {
        String endpoint = "QueryFlagReports";
        appGrants.require(actor, "read-flag-reports", endpoint);
        FilterFields f = new FilterFields(filterOf(body, endpoint), endpoint);
        Map<FlagField, List<String>> in = new EnumMap<>(FlagField.class);
        String kind = null;
        f.values("report_id").ifPresent(v -> in.put(FlagField.REPORT, v));
        f.values("review_result").ifPresent(v -> in.put(FlagField.REVIEW_RESULT, v));
        f.values("reviewed_by").ifPresent(v -> in.put(FlagField.REVIEWED_BY, v));
        f.values("user_id").ifPresent(v -> in.put(FlagField.TARGET_USER, v));
        Optional<List<String>> messageIds = f.values("message_id");
        if (messageIds.isPresent()) {
            in.put(FlagField.TARGET, messageIds.get());
            kind = "message";
        }
        Optional<List<String>> authors = f.values("message_user_id");
        if (authors.isPresent()) {
            in.merge(FlagField.TARGET_USER, authors.get(), FlagReports::both);
            kind = "message";
        }
        f.values("channel_cid").ifPresent(v -> in.put(FlagField.CHANNEL, v));
        Boolean reviewed = f.bool("is_reviewed");
        f.rejectOthers();
        List<FlagReport> reports =
                moderation.reports(new FlagFilter(kind, in, reviewed), limit(body, endpoint), offset(body, endpoint));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("flag_reports");
        reportsJson(reports).forEach(list::add);
        return out;
    }

    // ---- review

    /**
     * What a review did: the report as the SDKs read it, and the message to delete now (a {@code rejected}
     * message that is not deleted yet), which the caller deletes in the reviewer's name.
     */
    public record Reviewed(ObjectNode report, @Nullable String deleteMessageId) {}

    /**
     * {@code PATCH /moderation/reports/{id}}: records {@code review_result} ({@link #REVIEW_RESULTS}) and
     * {@code review_details} by the caller (a server token names the reviewer with {@code user_id}).
     */
    public Reviewed review(Actor actor, String id, ObjectNode body) {
        String endpoint = "ReviewFlagReport";
        appGrants.require(actor, "review-flag-reports", endpoint);
        JsonNode result = body.get("review_result");
        if (result == null || !result.isTextual() || !REVIEW_RESULTS.contains(result.asText())) {
            throw ChatException.input(endpoint + " failed with error: \"review_result must be one of "
                    + String.join(", ", new java.util.TreeSet<>(REVIEW_RESULTS)) + "\"");
        }
        JsonNode details = body.get("review_details");
        if (details != null && !details.isNull() && !details.isObject()) {
            throw ChatException.input(endpoint + " failed with error: \"review_details must be an object\"");
        }
        if (details != null && details.toString().length() > MAX_DETAILS) {
            throw ChatException.input(
                    endpoint + " failed with error: \"review_details: at most " + MAX_DETAILS + " characters\"");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        FlagReport r = moderation
                .reviewReport(
                        id,
                        result.asText(),
                        actor.userId(),
                        now,
                        details == null || details.isNull() ? null : details.toString())
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"flag report '" + id + "' does not exist\""));
        String delete = null;
        if (r.targetKind().equals("message") && "rejected".equals(r.reviewResult())) {
            delete = store.findMessage(r.targetId())
                    .filter(m -> m.deletedAt() == null)
                    .map(MessageRow::id)
                    .orElse(null);
        }
        return new Reviewed(reportJson(r), delete);
    }

    /**
     * {@code POST /moderation/unblock_message} (the part this class does): checks that the caller may unblock
     * messages in the message's channel ({@code unblock-message}), and records the review of the message's
     * report as approved. Returns the message's id when it is stored shadowed (a blocklist's
     * {@code shadow_block}), for the caller to show it again; null when there is nothing to show.
     */
    public @Nullable String unblock(Actor actor, ObjectNode body) {
        String endpoint = "UnblockMessage";
        JsonNode id = body.get("target_message_id");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw ChatException.input(endpoint + " failed with error: \"target_message_id is required\"");
        }
        MessageRow m = store.findMessage(id.asText())
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"message '" + id.asText() + "' does not exist\""));
        ChannelRow ch = access.requireChannel(m.cid());
        if (!appGrants.allowed(actor, "review-flag-reports")) {
            String userId = actor.userId();
            var member = userId == null ? null : store.member(ch.cid(), userId).orElse(null);
            Permissions.require(actor, access.typeOf(ch), member, "unblock-message", false, endpoint, ch.cid());
        }
        moderation
                .reportOf("message", m.id())
                .ifPresent(r -> moderation.reviewReport(
                        r.id(), UNBLOCKED, actor.userId(), clock.instant().truncatedTo(ChronoUnit.MICROS), null));
        return m.doc().path("shadowed").asBoolean(false) && m.deletedAt() == null ? m.id() : null;
    }

    /** A report as the SDKs read it. */
    public ObjectNode reportJson(FlagReport r) {
        return reportsJson(List.of(r)).getFirst();
    }

    private List<ObjectNode> reportsJson(List<FlagReport> reports) {
        Map<String, MessageRow> messages = messages(reports.stream()
                .filter(r -> r.targetKind().equals("message"))
                .map(FlagReport::targetId)
                .toList());
        Map<String, User> people = people(reports.stream()
                .flatMap(r -> java.util.stream.Stream.of(r.targetUserId(), r.firstReporterId(), r.reviewedBy()))
                .toList());
        List<ObjectNode> out = new ArrayList<>();
        for (FlagReport r : reports) {
            ObjectNode o = Json.object();
            o.put("id", r.id());
            o.put("flags_count", r.flagsCount());
            if (r.targetKind().equals("message")) {
                MessageRow m = messages.get(r.targetId());
                o.set("message", m == null ? deletedMessage(r.targetId()) : m.doc());
            }
            o.set("user", userJson(people, r.targetUserId()));
            if (r.firstReporterId() != null && !r.firstReporterId().equals(ModerationStore.SYSTEM)) {
                o.set("first_reporter", userJson(people, r.firstReporterId()));
            }
            o.put("created_at", Timestamps.format(r.createdAt()));
            o.put("updated_at", Timestamps.format(r.updatedAt()));
            if (r.reviewed()) {
                o.put("review_result", r.reviewResult());
                o.put("reviewed_at", Timestamps.format(requireNonNull(r.reviewedAt(), "reviewedAt")));
                if (r.reviewedBy() != null) {
                    o.set("reviewed_by", userJson(people, r.reviewedBy()));
                }
                if (r.reviewDetails() != null) {
                    o.set("review_details", Json.parse(r.reviewDetails(), "review_details"));
                }
            }
            out.add(o);
        }
        return out;
    }

    // ---- parts

    private ObjectNode flagJson(Flag flag, Map<String, User> people) {
        ObjectNode o = Json.object();
        if (!flag.userId().equals(ModerationStore.SYSTEM)) {
            o.set("user", userJson(people, flag.userId()));
        }
        o.put("created_at", Timestamps.format(flag.createdAt()));
        o.put("updated_at", Timestamps.format(flag.updatedAt()));
        o.put("created_by_automod", flag.createdByAutomod());
        if (flag.reason() != null) {
            o.put("reason", flag.reason());
        }
        if (flag.details() != null) {
            o.set("details", Json.parse(flag.details(), "flag details"));
        }
        return o;
    }

    /** The review fields of a message flag: {@code reviewed_at}, {@code reviewed_by}, {@code approved_at}... */
    private static void review(ObjectNode o, FlagReport r, Map<String, User> people) {
        if (!r.reviewed()) {
            return;
        }
        String at = Timestamps.format(requireNonNull(r.reviewedAt(), "reviewedAt"));
        o.put("reviewed_at", at);
        if (r.reviewedBy() != null) {
            o.set("reviewed_by", userJson(people, r.reviewedBy()));
        }
        if ("approved".equals(r.reviewResult())) {
            o.put("approved_at", at);
        } else if ("rejected".equals(r.reviewResult())) {
            o.put("rejected_at", at);
        }
    }

    private void requireMayReadMessageFlags(Actor actor, @Nullable List<String> cids, String endpoint) {
        if (appGrants.allowed(actor, "read-flag-reports")) {
            return;
        }
        if (cids == null || actor.user() == null) {
            appGrants.require(actor, "read-flag-reports", endpoint);
            return;
        }
        for (String cid : cids) {
            ChannelRow ch = access.requireChannel(cid);
            var member = store.member(cid, actor.user().id()).orElse(null);
            Permissions.require(
                    actor,
                    access.typeOf(ch),
                    member,
                    "read-message-flags",
                    Permissions.ownsChannel(actor, ch),
                    endpoint,
                    cid);
        }
    }

    /** The messages of {@code ids} that exist, by id; one store read. */
    Map<String, MessageRow> messages(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return store.findMessages(new HashSet<>(ids)).stream()
                .collect(Collectors.toMap(MessageRow::id, Function.identity(), (a, b) -> a));
    }

    /** The users of {@code ids} (nulls and the system left out), by id. */
    Map<String, User> people(Collection<@Nullable String> ids) {
        Set<String> wanted = new HashSet<>();
        ids.forEach(id -> {
            if (id != null && !id.equals(ModerationStore.SYSTEM)) {
                wanted.add(id);
            }
        });
        return wanted.isEmpty() ? Map.of() : users.findAll(wanted);
    }

    static ObjectNode userJson(Map<String, User> people, String id) {
        User u = people.get(id);
        return (u == null ? User.builder(id).build() : u).toJson();
    }

    /** A flagged message since hard-deleted: its id, as deleted. */
    static ObjectNode deletedMessage(String id) {
        return Json.object().put("id", id).put("type", "deleted").put("text", "");
    }

    private static List<String> both(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.retainAll(b);
        return out.isEmpty() ? List.of("") : out; // no user id is empty: both filters at once match nothing
    }

    static JsonNode filterOf(ObjectNode body, String endpoint) {
        JsonNode f = body.get("filter_conditions");
        if (f == null || f.isNull()) {
            return Json.object();
        }
        if (!f.isObject()) {
            throw ChatException.input(endpoint + " failed with error: \"filter_conditions must be an object\"");
        }
        return f;
    }

    static int limit(ObjectNode body, String endpoint) {
        return bounded(body, "limit", 25, 1, MAX_LIMIT, endpoint);
    }

    private static int offset(ObjectNode body, String endpoint) {
        return bounded(body, "offset", 0, 0, MAX_OFFSET, endpoint);
    }

    static int bounded(ObjectNode body, String key, int dflt, int min, int max, String endpoint) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw ChatException.input(
                    endpoint + " failed with error: \"" + key + ": " + v + " (expected: " + min + " to " + max + ")\"");
        }
        return v.asInt();
    }
}
