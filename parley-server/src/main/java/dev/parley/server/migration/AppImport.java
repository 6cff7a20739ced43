package dev.parley.server.migration;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.protocol.User;
import dev.parley.server.cli.Progress;
import dev.parley.server.migration.ImportItems.BadRecord;
import dev.parley.server.migration.ImportItems.MessageItem;
import dev.parley.server.migration.ImportItems.ReactionItem;
import dev.parley.server.migration.ImportItems.UserItem;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.DeviceRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ImportBatch;
import dev.parley.server.store.ModerationStore;
import dev.parley.server.store.PushStore;
import dev.parley.server.store.StorableValues;
import dev.parley.server.store.Store;
import dev.parley.server.users.UserRules;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * {@code parley import FILE} for a whole app in the import format (PROTOCOL.md §17): users (with their mutes and
 * push settings), channels, members, messages, reactions and devices, streamed from the file and written
 * straight into the store, one transaction per batch, with no event, webhook or usage record; nobody counts
 * toward MAU.
 *
 * <p>Every record is checked as it is read; a bad one is reported as {@code <file>:<line>: <type>.<field>: <why>}
 * and left out, and the rest goes on. A record may refer only to users, channels and messages earlier in the
 * file or already stored; a user's mutes may also name users and channels later in the file. After each
 * committed batch a checkpoint next to the input ({@code <input>.parley-import}) records the last record done, so
 * that an interrupted import resumes after it; a finished import deletes it. With {@code validateOnly} nothing
 * is written. Memory stays bounded whatever the file's size: one batch, and bounded caches of known ids. No
 * server may use the store while an import runs. Not thread-safe.
 */
public final class AppImport {
    /** Suffix of the checkpoint file written next to the input. */
    public static final String CHECKPOINT_SUFFIX = ".parley-import";

    /** Most mutes waiting for a user or channel later in the file; past it, such a mute is reported. */
    static final int MAX_DEFERRED = 100_000;

    /** Insert skips what is stored already; upsert overwrites it (§17.3). */
    public enum Mode {
        INSERT,
        UPSERT
    }

    /**
     * How to import.
     *
     * @param batchSize records per transaction
     * @param restart ignore an existing checkpoint and start from the first record
     * @param validateOnly check every record and report, write nothing
     * @param maxRecords stop after this many records in this run (0: no limit); the checkpoint allows resuming
     */
    public record Options(Mode mode, int batchSize, boolean restart, boolean validateOnly, long maxRecords) {
        public Options {
            requireNonNull(mode, "mode");
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("--batch: " + batchSize + " (expected: 1..10000)");
            }
            if (maxRecords < 0) {
                throw new IllegalArgumentException("--max-rows: " + maxRecords + " (expected: >= 0)");
            }
        }

        public Options(Mode mode, int batchSize, boolean restart, boolean validateOnly) {
            this(mode, batchSize, restart, validateOnly, 0);
        }

        public static Options defaults() {
            return new Options(Mode.UPSERT, 1000, false, false);
        }
    }

    /**
     * What an import did, earlier runs of a resumed import included.
     *
     * @param records records read
     * @param written rows written (inserted, or overwritten in upsert mode)
     * @param skipped rows left as stored (insert mode)
     * @param bad records refused
     * @param complete false when {@code maxRecords} stopped it early (a checkpoint is kept)
     */
    public record Result(long records, long written, long skipped, long bad, boolean complete) {}

    /** Where a run stopped, with the mutes that still wait for a later record. */
    private record Checkpoint(
            long size, long modified, long ordinal, long written, long skipped, long bad, List<Deferred> deferred) {}

    private record Deferred(long line, String userId, String target, boolean channel, Instant at) {}

    /** What a running server learns of an import as it goes (the command line needs none of it). */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** A record was refused: where, which field, why. */
        default void refused(long line, String field, String reason) {}

        /** A batch was committed; {@code records} have been read so far. */
        default void committed(ImportBatch batch, long records) {}
    }

    private final Store store;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Listener listener;

    public AppImport(Store store, PrintStream out, PrintStream err, boolean terminal) {
        this(store, out, err, terminal, Listener.NONE);
    }

    public AppImport(Store store, PrintStream out, PrintStream err, boolean terminal, Listener listener) {
        this.store = requireNonNull(store, "store");
        this.out = requireNonNull(out, "out");
        this.err = requireNonNull(err, "err");
        this.terminal = terminal;
        this.listener = requireNonNull(listener, "listener");
    }

    /**
     * Whether {@code input} is in the import format: one of its first ten records has a {@code type} and an
     * {@code item} (otherwise it is a file of users, {@code UserImport}).
     */
    public static boolean isAppFile(Path input) {
        try (ImportRecords records = new ImportRecords(Files.newInputStream(input))) {
            for (int i = 0; i < 10 && records.hasNext(); i++) {
                if (!records.next().bad()) {
                    return true;
                }
            }
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Imports {@code input}; bad records go to the error stream. */
    public Result run(Path input, Options options) {
        requireNonNull(input, "input");
        requireNonNull(options, "options");
        Path checkpointFile = input.resolveSibling(input.getFileName() + CHECKPOINT_SUFFIX);
        try {
            long size = Files.size(input);
            long modified = Files.getLastModifiedTime(input).toMillis();
            Checkpoint cp =
                    options.restart() || options.validateOnly() ? null : readCheckpoint(checkpointFile, size, modified);
            if (cp != null) {
                out.println("import: resuming after record " + cp.ordinal());
            }
            Run run = new Run(
                    input,
                    options,
                    checkpointFile,
                    cp != null ? cp : new Checkpoint(size, modified, 0, 0, 0, 0, List.of()));
            Result r = run.all();
            if (!options.validateOnly() && r.complete()) {
                Files.deleteIfExists(checkpointFile);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One run over the file. */
    private final class Run {
        private final Path input;
        private final Options options;
        private final Path checkpointFile;
        private final Checkpoint start;
        private final boolean upsert;
        private final Instant fileTime;
        private final KnownIds known;

        private final Map<String, UserItem> users = new LinkedHashMap<>();
        private final Map<String, Long> userLines = new HashMap<>();
        private final Map<String, ChannelRow> channels = new LinkedHashMap<>();
        private final List<MemberRow> members = new ArrayList<>();
        private final List<MessageItem> messages = new ArrayList<>();
        private final List<ReactionItem> reactions = new ArrayList<>();
        private final List<DeviceRow> devices = new ArrayList<>();
        private final List<Deferred> mutes = new ArrayList<>();
        private final List<Deferred> deferred = new ArrayList<>();
        private int pending;
        private long lastOrdinal;
        private long records;
        private long written;
        private long skipped;
        private long bad;

        Run(Path input, Options options, Path checkpointFile, Checkpoint start) throws IOException {
            this.input = input;
            this.options = options;
            this.checkpointFile = checkpointFile;
            this.start = start;
            this.upsert = options.mode() == Mode.UPSERT;
            this.fileTime = Instant.ofEpochMilli(start.modified());
            this.known = new KnownIds(store, options.validateOnly());
            this.written = start.written();
            this.skipped = start.skipped();
            this.bad = start.bad();
            this.lastOrdinal = start.ordinal();
            this.deferred.addAll(start.deferred());
        }

        Result all() throws IOException {
            Progress progress = new Progress(out, terminal, start.size());
            try (CountingStream counting = new CountingStream(Files.newInputStream(input));
                    ImportRecords rows = new ImportRecords(counting)) {
                long thisRun = 0;
                while (rows.hasNext()) {
                    ImportRecords.Record r = rows.next();
                    records = r.ordinal();
                    if (r.ordinal() <= start.ordinal()) {
                        continue;
                    }
                    if (options.maxRecords() > 0 && thisRun >= options.maxRecords()) {
                        commit();
                        progress.stop(counting.count, records);
                        return new Result(lastOrdinal, written, skipped, bad, false);
                    }
                    thisRun++;
                    read(r);
                    lastOrdinal = r.ordinal();
                    if (pending >= options.batchSize()) {
                        commit();
                    }
                    progress.update(counting.count, records);
                }
                resolveDeferred();
                commit();
                progress.finish(records);
            }
            return new Result(records, written, skipped, bad, true);
        }

        private void read(ImportRecords.Record r) {
            if (r.bad()) {
                report(r.line(), r.field() == null ? "record" : r.field(), r.error());
                return;
            }
            String type = requireNonNull(r.type());
            ObjectNode item = requireNonNull(r.item());
            try {
                switch (type) {
                    case "user" -> user(r.line(), ImportItems.user(item));
                    case "channel" -> channel(ImportItems.channel(item, fileTime));
                    case "member" -> member(ImportItems.member(item, fileTime));
                    case "message" -> message(ImportItems.message(item, fileTime));
                    case "reaction" -> reaction(ImportItems.reaction(item, fileTime));
                    case "device" -> device(ImportItems.device(item, fileTime));
                    default -> {
                        report(
                                r.line(),
                                "type",
                                "unknown record type '" + type
                                        + "' (expected: user, channel, member, message, reaction or device)");
                        return;
                    }
                }
                pending++;
            } catch (BadRecord e) {
                report(r.line(), type + "." + e.field(), e.getMessage());
            }
        }

        private void user(long line, UserItem u) {
            Instant at = ImportItems.orElse(u.updatedAt(), ImportItems.orElse(u.createdAt(), fileTime));
            List<Deferred> own = new ArrayList<>();
            for (String target : u.userMutes()) {
                own.add(new Deferred(line, u.id(), target, false, at));
            }
            for (String cid : u.channelMutes()) {
                own.add(new Deferred(line, u.id(), cid, true, at));
            }
            users.put(u.id(), u);
            userLines.put(u.id(), line);
            known.addUser(u.id());
            for (Deferred d : own) {
                boolean there = d.channel() ? known.channel(d.target()) : known.user(d.target());
                if (there) {
                    mutes.add(d);
                } else if (deferred.size() < MAX_DEFERRED) {
                    deferred.add(d);
                } else {
                    report(
                            line,
                            "user." + (d.channel() ? "channel_mutes" : "user_mutes"),
                            "'" + d.target() + "' is not known yet and too many mutes wait for later records");
                }
            }
        }

        private void channel(ChannelRow ch) {
            requireUser(ch.createdById(), "created_by");
            channels.put(ch.cid(), ch);
            known.addChannel(ch.cid());
        }

        private void member(MemberRow m) {
            requireChannel(m.cid());
            requireUser(m.userId(), "user_id");
            members.add(m);
        }

        private void message(MessageItem m) {
            requireChannel(m.cid());
            requireUser(m.userId(), "user");
            for (String id : m.mentionIds()) {
                requireUser(id, "mentioned_users_ids");
            }
            if (m.pinnedById() != null) {
                requireUser(m.pinnedById(), "pinned_by_id");
            }
            if (m.parentId() != null) {
                KnownIds.MessageRef parent = known.message(m.parentId());
                if (parent == null) {
                    throw new BadRecord(
                            "parent_id", "message '" + m.parentId() + "' is neither earlier in the file nor stored");
                }
                if (parent.reply()) {
                    throw new BadRecord(
                            "parent_id", "message '" + m.parentId() + "' is a reply: threads have one level");
                }
                if (parent.cid() != null && !parent.cid().equals(m.cid())) {
                    throw new BadRecord("parent_id", "message '" + m.parentId() + "' is in channel " + parent.cid());
                }
            }
            if (m.quotedMessageId() != null && !known.hasMessage(m.quotedMessageId())) {
                throw new BadRecord(
                        "quoted_message_id",
                        "message '" + m.quotedMessageId() + "' is neither earlier in the file nor stored");
            }
            messages.add(m);
            known.addMessage(m.id(), m.cid(), m.parentId() != null);
        }

        private void reaction(ReactionItem r) {
            if (!known.hasMessage(r.messageId())) {
                throw new BadRecord(
                        "message_id", "message '" + r.messageId() + "' is neither earlier in the file nor stored");
            }
            requireUser(r.userId(), "user_id");
            reactions.add(r);
        }

        private void device(DeviceRow d) {
            requireUser(d.userId(), "user_id");
            devices.add(d);
        }

        private void requireUser(@Nullable String id, String field) {
            if (id == null || !known.user(id)) {
                throw new BadRecord(field, "user '" + id + "' is neither earlier in the file nor stored");
            }
        }

        private void requireChannel(String cid) {
            if (!known.channel(cid)) {
                throw new BadRecord("channel_id", "channel '" + cid + "' is neither earlier in the file nor stored");
            }
        }

        /** Mutes that named a user or channel later in the file: written now if it came, reported if not. */
        private void resolveDeferred() {
            for (Deferred d : deferred) {
                boolean there = d.channel() ? known.channel(d.target()) : known.user(d.target());
                if (there) {
                    mutes.add(d);
                    pending++;
                } else {
                    report(
                            d.line(),
                            "user." + (d.channel() ? "channel_mutes" : "user_mutes"),
                            (d.channel() ? "channel '" : "user '") + d.target()
                                    + "' is neither in the file nor stored");
                }
            }
            deferred.clear();
        }

        private void commit() throws IOException {
            if (pending == 0 && mutes.isEmpty()) {
                return;
            }
            if (!options.validateOnly()) {
                write();
                saveCheckpoint();
            }
            users.clear();
            userLines.clear();
            channels.clear();
            members.clear();
            messages.clear();
            reactions.clear();
            devices.clear();
            mutes.clear();
            pending = 0;
            known.committed();
        }

        private void write() {
            Map<String, User> stored = store.findUsers(users.keySet());
            Map<String, User> built = new LinkedHashMap<>();
            List<PushStore.Preference> push = new ArrayList<>();
            for (UserItem u : users.values()) {
                try {
                    built.put(u.id(), user(u, stored.get(u.id())));
                    if (u.push() != null) {
                        push.add(u.push());
                    }
                } catch (ChatException | IllegalArgumentException e) {
                    report(userLines.getOrDefault(u.id(), 0L), "user", e.getMessage());
                }
            }
            Set<String> needed = new HashSet<>();
            messages.forEach(m -> {
                needed.add(m.userId());
                needed.addAll(m.mentionIds());
                if (m.pinnedById() != null) {
                    needed.add(m.pinnedById());
                }
            });
            reactions.forEach(r -> needed.add(r.userId()));
            needed.removeAll(built.keySet());
            Map<String, User> people = new HashMap<>(store.findUsers(needed));
            people.putAll(built);
            List<MessageRow> messageRows = new ArrayList<>(messages.size());
            for (MessageItem m : messages) {
                messageRows.add(ImportDocs.message(m, author(people, m.userId()), people));
            }
            List<ReactionRow> reactionRows = new ArrayList<>(reactions.size());
            for (ReactionItem r : reactions) {
                reactionRows.add(ImportDocs.reaction(r, author(people, r.userId())));
            }
            List<ModerationStore.UserMute> userMutes = new ArrayList<>();
            List<ModerationStore.ChannelMute> channelMutes = new ArrayList<>();
            for (Deferred d : mutes) {
                if (d.channel()) {
                    channelMutes.add(new ModerationStore.ChannelMute(d.userId(), d.target(), d.at(), d.at(), null));
                } else {
                    userMutes.add(new ModerationStore.UserMute(d.userId(), d.target(), d.at(), d.at(), null));
                }
            }
            ImportBatch batch = new ImportBatch(
                    upsert,
                    List.copyOf(built.values()),
                    List.copyOf(channels.values()),
                    members,
                    messageRows,
                    reactionRows,
                    devices,
                    userMutes,
                    channelMutes,
                    push,
                    ImportDocs::derive);
            ImportBatch.Written w = store.importBatch(batch);
            written += w.written();
            skipped += w.skipped();
            listener.committed(batch, records);
        }

        private User author(Map<String, User> people, String id) {
            User u = people.get(id);
            return u != null ? u : User.builder(id).build();
        }

        /** The user as {@code POST /users} would make it, with the file's times (the file's own when it has none). */
        private User user(UserItem u, @Nullable User stored) {
            User merged = UserRules.upsert(stored, u.json(), true, fileTime);
            User in = User.fromJson(u.json());
            Instant created = u.createdAt() != null
                    ? u.createdAt()
                    : stored != null && stored.createdAt() != null ? stored.createdAt() : fileTime;
            User out = merged.toBuilder()
                    .createdAt(created)
                    .updatedAt(ImportItems.orElse(u.updatedAt(), created))
                    .deactivatedAt(in.deactivatedAt())
                    .deletedAt(in.deletedAt())
                    .build();
            StorableValues.checkUser(out);
            return out;
        }

        private void report(long line, String field, @Nullable String why) {
            bad++;
            err.println(input.getFileName() + ":" + line + ": " + field + ": " + why);
            listener.refused(line, field, String.valueOf(why));
        }

        private void saveCheckpoint() throws IOException {
            ObjectNode n = Json.object()
                    .put("size", start.size())
                    .put("modified", start.modified())
                    .put("ordinal", lastOrdinal)
                    .put("written", written)
                    .put("skipped", skipped)
                    .put("bad", bad);
            var waiting = n.putArray("deferred");
            deferred.forEach(d -> waiting.addObject()
                    .put("line", d.line())
                    .put("user", d.userId())
                    .put("target", d.target())
                    .put("channel", d.channel())
                    .put("at", d.at().toString()));
            Path tmp = checkpointFile.resolveSibling(checkpointFile.getFileName() + ".tmp");
            Files.writeString(tmp, Json.write(n));
            Files.move(tmp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static @Nullable Checkpoint readCheckpoint(Path file, long size, long modified) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        ObjectNode n = Json.parseObject(Files.readString(file), file.toString());
        if (n.path("size").asLong() != size || n.path("modified").asLong() != modified) {
            throw new IllegalArgumentException("import: " + file.getFileName()
                    + " belongs to another version of the input; delete it or pass --restart to import from the start");
        }
        return new Checkpoint(
                size,
                modified,
                n.path("ordinal").asLong(),
                n.path("written").asLong(),
                n.path("skipped").asLong(),
                n.path("bad").asLong(),
                StreamSupport.stream(n.path("deferred").spliterator(), false)
                        .map(d -> new Deferred(
                                d.path("line").asLong(),
                                d.path("user").asText(),
                                d.path("target").asText(),
                                d.path("channel").asBoolean(),
                                Instant.parse(d.path("at").asText())))
                        .toList());
    }

    /** Counts the bytes read, for the progress bar. */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
