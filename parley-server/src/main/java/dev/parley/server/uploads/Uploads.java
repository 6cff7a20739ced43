package dev.parley.server.uploads;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.server.chat.Actor;
import dev.parley.server.chat.ChannelAccess;
import dev.parley.server.chat.ChannelType;
import dev.parley.server.chat.Permissions;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatStore;
import dev.parley.server.users.UserService;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Channel uploads (PROTOCOL.md §7.9, C18/C19): {@code POST /channels/{type}/{id}/file|image} with a
 * multipart field {@code file}, answered with an absolute URL built from the request's host (clients drop
 * relative URLs) under {@code /uploads/<id>/<name>}; {@code DELETE …?url=} removes it. Needs
 * {@code upload-attachment} and the type's {@code uploads} flag; the app's upload configs apply.
 * Thread-safe; blocking.
 */
public final class Uploads {
    /** Path prefix under which uploads are served. */
    public static final String PREFIX = "/uploads/";

    private static final Pattern UPLOAD_ROUTE = Pattern.compile("/channels/[^/]+/[^/]+/(file|image)");
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");
    private static final Pattern MIME = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");
    private static final Map<String, String> TYPES_BY_EXTENSION = Map.ofEntries(
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("bmp", "image/bmp"),
            Map.entry("heic", "image/heic"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("txt", "text/plain"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("zip", "application/zip"));

    /** Types a browser may show in place: media and PDF. Anything else (HTML, SVG, scripts) is an attachment. */
    private static final java.util.Set<String> INLINE_TYPES = java.util.Set.of(
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/bmp",
            "image/avif",
            "image/heic",
            "video/mp4",
            "video/webm",
            "audio/mpeg",
            "audio/ogg",
            "audio/wav",
            "audio/webm",
            "application/pdf");

    private final ChatStore chat;
    private final ChannelAccess access;
    private final UserService users;
    private final Clock clock;
    private final UploadStore store;
    private final long maxBytes;

    public Uploads(
            ChatStore chat, ChannelAccess access, UserService users, Clock clock, UploadStore store, long maxBytes) {
        this.chat = requireNonNull(chat, "chat");
        this.access = requireNonNull(access, "access");
        this.users = requireNonNull(users, "users");
        this.clock = requireNonNull(clock, "clock");
        this.store = requireNonNull(store, "store");
        this.maxBytes = maxBytes;
    }

    /** Whether a request is an upload, which may carry a body up to the upload limit instead of the REST one. */
    public static boolean isUploadRoute(String method, String path) {
        return "POST".equals(method) && UPLOAD_ROUTE.matcher(path).matches();
    }

    public UploadStore store() {
        return store;
    }

    /**
     * The checks of C18 that need no body, made before the body is accepted: the channel exists (16), its
     * type allows uploads (19) and the actor may upload there (17). {@link #upload} makes them again, as the
     * channel may change while the body arrives.
     */
    public void admit(Actor actor, String cid, boolean image) {
        String endpoint = image ? "UploadImage" : "UploadFile";
        ChannelRow ch = channel(cid, endpoint);
        ChannelType type = access.types().require(ch.type());
        if (!type.flag("uploads")) {
            throw new ChatException(
                    ErrorCode.CHANNEL_FEATURE_NOT_SUPPORTED,
                    endpoint + " failed with error: \"uploads " + "are disabled for channel type '" + ch.type()
                            + "'\"");
        }
        String userId = actor.userId();
        MemberRow member = userId != null ? chat.member(cid, userId).orElse(null) : null;
        Permissions.require(
                actor, type, member, "upload-attachment", Permissions.ownsChannel(actor, ch), endpoint, cid);
    }

    /**
     * C18. {@code appConfig} is {@code app.file_upload_config} or {@code app.image_upload_config};
     * {@code baseUrl} the absolute {@code http(s)://host} of the request ({@link #baseUrl}). The file of the
     * form's field {@code file} is moved into the store.
     */
    public ObjectNode upload(
            Actor actor, String cid, boolean image, UploadForm form, @Nullable JsonNode appConfig, String baseUrl) {
        String endpoint = image ? "UploadImage" : "UploadFile";
        admit(actor, cid, image);
        actor = uploader(actor, form.field("user").orElse(null));
        UploadForm.UploadedFile file = form.file("file")
                .orElseThrow(() -> ChatException.input(
                        endpoint + " failed with error: \"the multipart field 'file' is required\""));
        String name = fileName(file.fileName());
        String mime = mimeType(file.contentType(), name);
        if (image && !mime.startsWith("image/")) {
            throw ChatException.input(
                    endpoint + " failed with error: \"'" + name + "' of type '" + mime + "' is not an image\"");
        }
        UploadLimits.check(appConfig == null ? Json.object() : appConfig, name, mime, file.size(), maxBytes);
        UploadStore.StoredFile stored = store.save(cid, actor.userId(), name, mime, file, clock.instant());
        String url = baseUrl + PREFIX + stored.id() + "/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        ObjectNode out = Json.object();
        out.put("file", url);
        if (image) {
            out.put("thumb_url", url);
        }
        return out;
    }

    /** A server upload without {@code user_id} may name its uploader in the form field {@code user} (JSON). */
    private Actor uploader(Actor actor, @Nullable String user) {
        if (!actor.server() || actor.hasUser() || user == null) {
            return actor;
        }
        JsonNode json = Json.parseRequest(user, "multipart field 'user'");
        String id = json.path("id").asText("");
        return id.isEmpty()
                ? actor
                : Actor.server(users.find(id)
                        .orElseThrow(() -> ChatException.input(
                                "UploadFile failed with error: \"user '" + id + "' does not exist\"")));
    }

    /** C19 {@code DELETE …/file?url=} and {@code …/image?url=}. */
    public ObjectNode delete(Actor actor, String cid, @Nullable String url) {
        ChannelRow ch = channel(cid, "DeleteFile");
        if (url == null || url.isBlank()) {
            throw ChatException.input("DeleteFile failed with error: \"url is required\"");
        }
        UploadStore.StoredFile f = idOf(url)
                .flatMap(store::find)
                .filter(x -> x.cid().equals(cid))
                .orElseThrow(() -> ChatException.notFound("DeleteFile failed with error: \"no upload at '"
                        + shorten(url) + "' in channel '" + cid + "'\""));
        ChannelType type = access.types().require(ch.type());
        String userId = actor.userId();
        MemberRow member = userId != null ? chat.member(cid, userId).orElse(null) : null;
        boolean own = f.userId() != null && f.userId().equals(actor.userId());
        Permissions.require(actor, type, member, "delete-attachment", own, "DeleteFile", cid);
        store.delete(f.id());
        return Json.object();
    }

    /** The upload id in a URL (or path) of the form {@code …/uploads/<id>/<name>}. */
    public static Optional<String> idOf(String urlOrPath) {
        String path;
        try {
            path = urlOrPath.startsWith("/") ? urlOrPath : URI.create(urlOrPath).getRawPath();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (path == null || !path.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        return Optional.of(slash < 0 ? rest : rest.substring(0, slash)).filter(s -> !s.isEmpty());
    }

    /** {@code http(s)://<host>} from the Host header ({@code https} behind a proxy that says so); code 4 when unusable. */
    public static String baseUrl(@Nullable String host, @Nullable String forwardedProto) {
        if (host == null || !HOST.matcher(host).matches()) {
            throw ChatException.input("UploadFile failed with error: \"the request has no usable Host header\"");
        }
        String scheme = forwardedProto != null && forwardedProto.strip().equalsIgnoreCase("https") ? "https" : "http";
        return scheme + "://" + host;
    }

    private ChannelRow channel(String cid, String endpoint) {
        return chat.findChannel(cid)
                .orElseThrow(() -> ChatException.notFound(
                        endpoint + " failed with error: \"channel '" + cid + "' does not exist\""));
    }

    /** The last path element of the name the client sent, without control characters; "file" when empty. */
    static String fileName(String sent) {
        String n = sent == null ? "" : sent;
        n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
        n = n.replaceAll("[\\p{Cntrl}\"]", "").strip();
        if (n.length() > 200) {
            n = n.substring(n.length() - 200);
        }
        return n.isEmpty() || n.equals(".") || n.equals("..") ? "file" : n;
    }

    /** The part's declared type when well-formed, else a guess from the extension, else application/octet-stream. */
    static String mimeType(String declared, String fileName) {
        if (declared != null) {
            String t = declared.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (MIME.matcher(t).matches() && !t.equals("application/octet-stream")) {
                return t;
            }
        }
        return TYPES_BY_EXTENSION.getOrDefault(UploadLimits.extension(fileName), "application/octet-stream");
    }

    private static String shorten(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** Whether a stored type may be shown inline by a browser; others are served as attachments. */
    public static boolean servedInline(String contentType) {
        return INLINE_TYPES.contains(contentType);
    }
}
