package dev.parley.server.exports;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.protocol.Timestamps;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.ExportStore;
import dev.parley.server.store.TaskStore;
import dev.parley.server.tasks.Tasks;
import dev.parley.server.users.UserRules;
import dev.parley.server.users.UserService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Exports of channels and users as tasks (PROTOCOL.md §17.6): {@code POST /export_channels} and {@code POST
 * /export/users} check the request and queue a task; the task writes one file in the import format under its folder;
 * the status of a finished export carries a signed link to that file ({@link ExportLinks}), which {@link #download}
 * checks. Server side only. Thread-safe.
 */
public final class Exports {
    /** The task kinds of exports. */
    public static final String CHANNELS = "export_channels";

    public static final String USERS = "export_users";

    /** Most channels one export takes. */
    public static final int MAX_CHANNELS = 25;

    /** Most users one export takes, as on Stream. */
    public static final int MAX_USERS = 100;

    static final String CHANNELS_FILE = "channels.ndjson";
    static final String USERS_FILE = "users.ndjson";

    private static final Set<String> OPTIONS = Set.of(
            "clear_deleted_message_text",
            "include_truncated_messages",
            "include_soft_deleted_channels",
            "export_users");

    private final Tasks tasks;
    private final ExportStore store;
    private final ChatStore chat;
    private final UserService users;
    private final ExportLinks links;
    private final Clock clock;

    public Exports(Tasks tasks, ExportStore store, ChatStore chat, UserService users, ExportLinks links, Clock clock) {
        this.tasks = requireNonNull(tasks, "tasks");
        this.store = requireNonNull(store, "store");
        this.chat = requireNonNull(chat, "chat");
        this.users = requireNonNull(users, "users");
        this.links = requireNonNull(links, "links");
        this.clock = requireNonNull(clock, "clock");
        tasks.define(CHANNELS, this::runChannels);
        tasks.define(USERS, this::runUsers);
    }

    /** {@code POST /export_channels}: checks the request, every channel included, and queues the task; its id. */
    public String exportChannels(ObjectNode body) {
        ExportFile.ChannelsRequest req = channelsRequest(body);
        for (ExportFile.ChannelSpec c : req.channels()) {
            if (store.channel(c.cid(), req.includeSoftDeleted()).isEmpty()) {
                throw ChatException.notFound(
                        "ExportChannels failed with error: \"channel '" + c.cid() + "' does not exist\"");
            }
        }
        return tasks.submit(CHANNELS, params(req, body));
    }

    /** {@code POST /export/users}: 1 to {@value #MAX_USERS} existing users; the task's id. */
    public String exportUsers(ObjectNode body) {
        JsonNode ids = body.get("user_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_USERS) {
            throw ChatException.input(
                    "ExportUsers failed with error: \"user_ids must be an array of 1 to " + MAX_USERS + " user ids\"");
        }
        Set<String> list = new LinkedHashSet<>();
        for (JsonNode n : ids) {
            list.add(UserRules.checkId(n.isTextual() ? n.asText() : null, "user_ids[]"));
        }
        Map<String, ?> found = users.findAll(list);
        for (String id : list) {
            if (!found.containsKey(id)) {
                throw ChatException.notFound("ExportUsers failed with error: \"user '" + id + "' does not exist\"");
            }
        }
        ObjectNode params = Json.object();
        list.forEach(params.putArray("user_ids")::add);
        return tasks.submit(USERS, params);
    }

    /**
     * The status of any task; an export's finished result gets its download {@code url}, good for
     * {@link ExportLinks#LIFETIME} from now, on the base URL {@code baseUrl} gives (asked only then). Empty when there
     * is no such task, or when {@code kind} is set and the task is of another kind.
     */
    public Optional<ObjectNode> status(String id, @Nullable String kind, Supplier<String> baseUrl) {
        Optional<TaskStore.Task> found = tasks.find(id).filter(t -> kind == null || kind.equals(t.kind()));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TaskStore.Task t = found.get();
        ObjectNode out = Tasks.status(t);
        if (TaskStore.COMPLETED.equals(t.status())
                && out.path("result").path("file").isTextual()) {
            ObjectNode result = (ObjectNode) out.get("result");
            result.put(
                    "url", links.url(baseUrl.get(), t.id(), result.get("file").asText(), clock.instant()));
        }
        return Optional.of(out);
    }

    /** A file to send: its path and size. */
    public record Download(Path path, long size) {}

    /**
     * The file a link names, after its signature and expiry are checked: code 17 for a bad or expired link, code 16
     * when the file is not there (any more).
     */
    public Download download(String path, @Nullable String expires, @Nullable String signature) {
        String rest = path.startsWith(ExportLinks.PREFIX) ? path.substring(ExportLinks.PREFIX.length()) : "";
        int slash = rest.indexOf('/');
        String taskId = slash < 0 ? "" : rest.substring(0, slash);
        String file = slash < 0 ? "" : rest.substring(slash + 1);
        if (!ExportLinks.FILE.matcher(file).matches() || !taskIdShape(taskId)) {
            throw ChatException.notFound("no export file at " + path);
        }
        if (!links.valid(taskId, file, expires, signature, clock.instant())) {
            throw new ChatException(
                    ErrorCode.NOT_ALLOWED,
                    "the export link is not valid or has expired; read the task again for a new one");
        }
        Path p = tasks.dir(taskId).resolve(file);
        try {
            return new Download(p, Files.size(p));
        } catch (java.io.IOException e) {
            throw ChatException.notFound("no export file at " + path);
        }
    }

    private static boolean taskIdShape(String id) {
        return id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    // ---- the request

    private ExportFile.ChannelsRequest channelsRequest(ObjectNode body) {
        JsonNode list = body.get("channels");
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_CHANNELS) {
            throw input("channels must be an array of 1 to " + MAX_CHANNELS + " channels");
        }
        for (String option : OPTIONS) {
            JsonNode v = body.get(option);
            if (v != null && !v.isNull() && !v.isBoolean()) {
                throw input(option + " must be true or false");
            }
        }
        if (body.hasNonNull("version") && !body.get("version").isTextual()) {
            throw input("version must be a string");
        }
        List<ExportFile.ChannelSpec> specs = new ArrayList<>();
        Set<String> cids = new LinkedHashSet<>();
        int i = 0;
        for (JsonNode c : list) {
            ExportFile.ChannelSpec spec = channelSpec(c, "channels[" + i++ + "]");
            if (!cids.add(spec.cid())) {
                throw input("channel '" + spec.cid() + "' is listed twice");
            }
            specs.add(spec);
        }
        return new ExportFile.ChannelsRequest(
                specs,
                body.path("clear_deleted_message_text").asBoolean(false),
                body.path("include_truncated_messages").asBoolean(false),
                body.path("include_soft_deleted_channels").asBoolean(false));
    }

    private static ExportFile.ChannelSpec channelSpec(JsonNode c, String field) {
        if (!c.isObject()) {
            throw input(field + " must be an object with type and id, or cid");
        }
        String cid;
        if (c.path("cid").isTextual()) {
            cid = c.get("cid").asText();
        } else if (c.path("type").isTextual() && c.path("id").isTextual()) {
            cid = c.get("type").asText() + ":" + c.get("id").asText();
        } else {
            throw input(field + " must have type and id, or cid");
        }
        int colon = cid.indexOf(':');
        if (colon <= 0 || colon == cid.length() - 1 || cid.indexOf(':', colon + 1) >= 0 || cid.length() > 130) {
            throw input(field + ": '" + cid + "' is not a channel cid (expected: type:id)");
        }
        Instant since = time(c, "messages_since", field, Timestamps.MIN);
        Instant until = time(c, "messages_until", field, Timestamps.MAX);
        if (since.isAfter(until)) {
            throw input(field + ".messages_since is after its messages_until");
        }
        return new ExportFile.ChannelSpec(cid, since, until);
    }

    private static Instant time(JsonNode c, String key, String field, Instant otherwise) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isTextual()) {
            throw input(field + "." + key + " must be an RFC 3339 time");
        }
        try {
            return Timestamps.parse(v.asText(), field + "." + key);
        } catch (RuntimeException e) {
            throw input(field + "." + key + ": '" + v.asText() + "' is not an RFC 3339 time");
        }
    }

    private static ChatException input(String why) {
        return ChatException.input("ExportChannels failed with error: \"" + why + "\"");
    }

    /** The checked request as the task stores it, to run it again after a restart. */
    private static ObjectNode params(ExportFile.ChannelsRequest req, ObjectNode body) {
        ObjectNode p = Json.object();
        var list = p.putArray("channels");
        for (ExportFile.ChannelSpec c : req.channels()) {
            list.addObject()
                    .put("cid", c.cid())
                    .put("messages_since", Timestamps.format(c.since()))
                    .put("messages_until", Timestamps.format(c.until()));
        }
        p.put("clear_deleted_message_text", req.clearDeletedText());
        p.put("include_truncated_messages", req.includeTruncated());
        p.put("include_soft_deleted_channels", req.includeSoftDeleted());
        if (body.path("version").isTextual()) {
            p.put("version", body.get("version").asText());
        }
        return p;
    }

    // ---- the tasks

    private ObjectNode runChannels(Tasks.Run run) throws Exception {
        ExportFile.ChannelsRequest req = channelsRequest(run.params());
        Path file = run.dir().resolve(CHANNELS_FILE);
        ExportFile.Counts counts = new ExportFile(store, chat, users::findAll).channels(req, file);
        return result(file, counts);
    }

    private ObjectNode runUsers(Tasks.Run run) throws Exception {
        List<String> ids = new ArrayList<>();
        run.params().path("user_ids").forEach(n -> ids.add(n.asText()));
        Path file = run.dir().resolve(USERS_FILE);
        ExportFile.Counts counts = new ExportFile(store, chat, users::findAll).users(ids, file);
        return result(file, counts);
    }

    private static ObjectNode result(Path file, ExportFile.Counts counts) throws java.io.IOException {
        ObjectNode r = Json.object();
        r.put("file", file.getFileName().toString());
        r.put("size", Files.size(file));
        ObjectNode c = r.putObject("records");
        counts.byType().forEach(c::put);
        return r;
    }
}
