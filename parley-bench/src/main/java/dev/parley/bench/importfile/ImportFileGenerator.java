package dev.parley.bench.importfile;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes an app in the import format (PROTOCOL.md §17), JSON Lines, with every record type and most of their
 * fields: users with teams, mutes of users and channels and push settings; channels; members with roles,
 * invites and read state; messages with threads, replies shown in the channel, attachments, mentions, quotes,
 * pins, deleted, edited and system ones; reactions and devices. Records come in the order §17.4 asks for
 * (users, channels, members, messages with parents before replies, reactions, devices); some mutes name users
 * and channels later in the file, as §17.4 allows.
 *
 * <p>The same {@link Sizes} and seed give the same bytes. Each record is written as it is made, so memory
 * does not grow with the file. Not thread-safe.
 */
public final class ImportFileGenerator {
    /** Every message's author, mentions and reactions are members of its channel, so a channel has ≥ 2. */
    public record Sizes(int users, int channels, int membersPerChannel, long messages, long reactions, int devices) {
        public Sizes {
            if (users < 2) {
                throw new IllegalArgumentException("--users: " + users + " (expected: >= 2)");
            }
            if (channels < 1) {
                throw new IllegalArgumentException("--channels: " + channels + " (expected: >= 1)");
            }
            if (membersPerChannel < 2 || membersPerChannel > users) {
                throw new IllegalArgumentException(
                        "--members: " + membersPerChannel + " (expected: 2.." + users + ", the users)");
            }
            if (messages < channels) {
                throw new IllegalArgumentException(
                        "--messages: " + messages + " (expected: >= " + channels + ", one a channel)");
            }
            if (reactions < 0 || devices < 0) {
                throw new IllegalArgumentException("--reactions and --devices: expected >= 0");
            }
        }

        /** The issue's size: 1,000,000 messages in 10,000 channels. */
        public static Sizes defaults() {
            return new Sizes(20_000, 10_000, 10, 1_000_000, 200_000, 5_000);
        }
    }

    /** How many records of each type a file holds, in file order, and their total. */
    public record Counts(Map<String, Long> byType) {
        public Counts {
            byType = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byType));
        }

        public long total() {
            return byType.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static final String USAGE = """
            Usage: ImportFileGenerator --out FILE [--users 20000] [--channels 10000] [--members 10]
                                       [--messages 1000000] [--reactions 200000] [--devices 5000] [--seed 1]
            """;

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final List<String> REACTIONS = List.of("like", "love", "haha", "wow", "sad");
    private static final List<String> PROVIDERS = List.of("firebase", "apn", "huawei", "xiaomi");

    private final Sizes sizes;
    private final long seed;
    private final long base; // messages of every channel; the first `extra` channels have one more
    private final long extra;

    public ImportFileGenerator(Sizes sizes, long seed) {
        this.sizes = sizes;
        this.seed = seed;
        this.base = sizes.messages() / sizes.channels();
        this.extra = sizes.messages() % sizes.channels();
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        Sizes d = Sizes.defaults();
        int users = d.users();
        int channels = d.channels();
        int members = d.membersPerChannel();
        long messages = d.messages();
        long reactions = d.reactions();
        int devices = d.devices();
        long seed = 1;
        try {
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--out" -> out = Path.of(value(v, args[i]));
                    case "--users" -> users = Integer.parseInt(value(v, args[i]));
                    case "--channels" -> channels = Integer.parseInt(value(v, args[i]));
                    case "--members" -> members = Integer.parseInt(value(v, args[i]));
                    case "--messages" -> messages = Long.parseLong(value(v, args[i]));
                    case "--reactions" -> reactions = Long.parseLong(value(v, args[i]));
                    case "--devices" -> devices = Integer.parseInt(value(v, args[i]));
                    case "--seed" -> seed = Long.parseLong(value(v, args[i]));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (out == null) {
                throw new IllegalArgumentException("--out is required");
            }
            Counts c = new ImportFileGenerator(new Sizes(users, channels, members, messages, reactions, devices), seed)
                    .write(out);
            System.out.println(
                    "wrote " + out + ": " + c.byType() + ", " + c.total() + " records, " + Files.size(out) + " bytes");
        } catch (IllegalArgumentException e) {
            System.err.println("import file generator: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
    }

    private static String value(String v, String option) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return v;
    }

    /** A users-only file ({@code cli/UserImport}'s JSON Lines) with the same users as {@link #write}. */
    public long writeUsersOnly(Path file) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                JsonGenerator g = generator(os)) {
            for (int u = 0; u < sizes.users(); u++) {
                g.writeStartObject();
                userFields(g, u);
                g.writeEndObject();
            }
        }
        return sizes.users();
    }

    /** The records {@link #write} writes, by type in file order, without writing them. */
    public Counts counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("user", (long) sizes.users());
        counts.put("channel", (long) sizes.channels());
        counts.put("member", (long) sizes.channels() * sizes.membersPerChannel());
        counts.put("message", sizes.messages());
        counts.put("reaction", sizes.reactions());
        counts.put("device", (long) sizes.devices());
        return new Counts(counts);
    }

    /** Writes the whole file; the counts are of records written, by type in file order. */
    public Counts write(Path file) throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                JsonGenerator g = generator(os)) {
            SplittableRandom rnd = new SplittableRandom(seed);
            counts.put("user", users(g));
            counts.put("channel", channels(g));
            counts.put("member", members(g));
            counts.put("message", messages(g, rnd));
            counts.put("reaction", reactions(g, rnd));
            counts.put("device", devices(g));
        }
        return new Counts(counts);
    }

    private static JsonGenerator generator(OutputStream os) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(os, JsonEncoding.UTF8);
        g.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
        return g;
    }

    private static void start(JsonGenerator g, String type) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeObjectFieldStart("item");
    }

    private static void end(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.writeEndObject();
    }

    private static String time(long seconds) {
        return T0.plusSeconds(seconds).toString();
    }

    private static String user(long u) {
        return "u" + u;
    }

    private static String cid(long c) {
        return "messaging:c" + c;
    }

    /** The {@code j}th member of channel {@code c}: consecutive users, so distinct within the channel. */
    private long member(long c, long j) {
        return (c * sizes.membersPerChannel() + j) % sizes.users();
    }

    private long firstMessage(long c) {
        return c * base + Math.min(c, extra);
    }

    private long messagesOf(long c) {
        return base + (c < extra ? 1 : 0);
    }

    /** The channel of message {@code i}, the inverse of {@link #firstMessage}. */
    long channelOf(long i) {
        long big = extra * (base + 1);
        return i < big ? i / (base + 1) : extra + (i - big) / base;
    }

    /** Seconds after T0 when message {@code j} of a channel was written: two days in, a minute apart. */
    private static long messageAt(long j) {
        return 2 * 86_400 + j * 60;
    }

    private void userFields(JsonGenerator g, int u) throws IOException {
        g.writeStringField("id", user(u));
        g.writeStringField("name", "User " + u);
        g.writeStringField("role", u % 1000 == 0 ? "admin" : "user");
        g.writeStringField("image", "https://example.com/avatars/" + u + ".png");
        if (u % 10 == 0) {
            g.writeArrayFieldStart("teams");
            g.writeString("red");
            if (u % 20 == 0) {
                g.writeString("blue");
            }
            g.writeEndArray();
        }
        if (u % 7 == 0) {
            g.writeBooleanField("invisible", true);
        }
        g.writeStringField("created_at", time(u % 86_400));
        g.writeStringField("updated_at", time(86_400 + u % 3600));
        if (u % 500 == 1) {
            g.writeStringField("deactivated_at", time(3 * 86_400));
        }
        g.writeStringField("title", "Title " + (u % 50));
    }

    private long users(JsonGenerator g) throws IOException {
        for (int u = 0; u < sizes.users(); u++) {
            start(g, "user");
            userFields(g, u);
            if (u % 20 == 0) { // a user later in the file, and one before
                g.writeArrayFieldStart("user_mutes");
                g.writeString(user((u + 1) % sizes.users()));
                if (u > 0) {
                    g.writeString(user(u - 1));
                }
                g.writeEndArray();
            }
            if (u % 25 == 0) { // channels come after every user
                g.writeArrayFieldStart("channel_mutes");
                g.writeString(cid(u % sizes.channels()));
                g.writeEndArray();
            }
            if (u % 30 == 0) {
                g.writeObjectFieldStart("push_notifications");
                if (u % 60 == 0) {
                    g.writeBooleanField("disabled", true);
                } else {
                    g.writeStringField("disabled_until", time(400 * 86_400));
                }
                g.writeEndObject();
            }
            end(g);
        }
        return sizes.users();
    }

    private long channels(JsonGenerator g) throws IOException {
        for (int c = 0; c < sizes.channels(); c++) {
            start(g, "channel");
            g.writeStringField("type", "messaging");
            g.writeStringField("id", "c" + c);
            if (c % 2 == 0) {
                g.writeStringField("created_by", user(member(c, 0)));
            } else {
                g.writeObjectFieldStart("created_by");
                g.writeStringField("id", user(member(c, 0)));
                g.writeEndObject();
            }
            g.writeStringField("name", "Channel " + c);
            g.writeStringField("image", "https://example.com/channels/" + c + ".png");
            if (c % 10 == 0) {
                g.writeStringField("team", "red");
            }
            if (c % 500 == 7) {
                g.writeBooleanField("frozen", true);
            }
            if (c % 3 == 0) {
                g.writeStringField("topic", "topic " + (c % 97));
            }
            g.writeStringField("created_at", time(86_400 + c % 3600));
            g.writeStringField("updated_at", time(86_400 + c % 3600 + 60));
            end(g);
        }
        return sizes.channels();
    }

    private long members(JsonGenerator g) throws IOException {
        long n = 0;
        int per = sizes.membersPerChannel();
        for (int c = 0; c < sizes.channels(); c++) {
            long half = messageAt(messagesOf(c) / 2);
            for (int j = 0; j < per; j++) {
                start(g, "member");
                g.writeStringField("channel_type", "messaging");
                g.writeStringField("channel_id", "c" + c);
                g.writeStringField("user_id", user(member(c, j)));
                if (j == 0) {
                    g.writeStringField("channel_role", "channel_moderator");
                } else if (j == 1) {
                    g.writeBooleanField("is_moderator", true);
                }
                if (j == per - 1 && c % 5 == 0) {
                    g.writeBooleanField("invited", true); // pending
                } else if (j == per - 1 && c % 5 == 1) {
                    g.writeBooleanField("invited", true);
                    g.writeStringField("invite_accepted_at", time(86_400 + 7200));
                } else if (j == per - 1 && c % 5 == 2) {
                    g.writeBooleanField("invited", true);
                    g.writeStringField("invite_rejected_at", time(86_400 + 7200));
                }
                // half the members read half the history, the others all of it or none
                switch (j % 3) {
                    case 0 -> g.writeStringField("last_read", time(half));
                    case 1 -> g.writeStringField("last_read", time(messageAt(messagesOf(c)) + 60));
                    default -> {}
                }
                if (j % 3 == 1) {
                    g.writeStringField("last_read_message_id", "m" + (firstMessage(c) + messagesOf(c) - 1));
                }
                if (c % 50 == 3 && j == 2) {
                    g.writeBooleanField("hide_channel", true);
                    g.writeStringField("hide_messages_before", time(half));
                }
                if (c % 40 == 4 && j == 3) {
                    g.writeStringField("archived_at", time(5 * 86_400));
                }
                if (c % 40 == 5 && j == 3) {
                    g.writeStringField("pinned_at", time(5 * 86_400));
                }
                if (c % 100 == 6 && j == 4) {
                    g.writeObjectFieldStart("custom");
                    g.writeStringField("nickname", "nick" + c);
                    g.writeEndObject();
                }
                g.writeStringField("created_at", time(86_400 + 3600));
                end(g);
                n++;
            }
        }
        return n;
    }

    private long messages(JsonGenerator g, SplittableRandom rnd) throws IOException {
        int per = sizes.membersPerChannel();
        long n = 0;
        for (int c = 0; c < sizes.channels(); c++) {
            long first = firstMessage(c);
            long count = messagesOf(c);
            long lastTop = -1; // the latest message that is not a reply: replies go to it
            for (long j = 0; j < count; j++) {
                long id = first + j;
                long author = member(c, rnd.nextInt(per));
                long at = messageAt(j);
                start(g, "message");
                g.writeStringField("id", "m" + id);
                g.writeStringField("channel_type", "messaging");
                g.writeStringField("channel_id", "c" + c);
                if (j % 2 == 0) {
                    g.writeStringField("user", user(author));
                } else {
                    g.writeObjectFieldStart("user");
                    g.writeStringField("id", user(author));
                    g.writeEndObject();
                }
                boolean reply = lastTop >= 0 && j % 10 == 9;
                if (reply) {
                    g.writeStringField("parent_id", "m" + lastTop);
                    g.writeStringField("type", "reply");
                    if (j % 30 == 29) {
                        g.writeBooleanField("show_in_channel", true);
                    }
                } else if (j % 100 == 55) {
                    g.writeStringField("type", "deleted");
                    g.writeStringField("deleted_at", time(at + 300));
                } else if (j % 500 == 77) {
                    g.writeStringField("type", "system");
                }
                boolean mentions = j % 15 == 4;
                String mentioned = user(member(c, (j / 15) % per));
                g.writeStringField(
                        "text",
                        (mentions ? "@" + mentioned + " " : "") + "message " + id + " of channel " + c
                                + ", with a few words of chat");
                if (j % 20 == 3) {
                    g.writeArrayFieldStart("attachments");
                    g.writeStartObject();
                    g.writeStringField("type", "image");
                    g.writeStringField("image_url", "https://example.com/images/" + id + ".jpg");
                    g.writeStringField("fallback", "photo " + id);
                    g.writeEndObject();
                    g.writeEndArray();
                }
                if (mentions) {
                    g.writeArrayFieldStart("mentioned_users_ids");
                    g.writeString(mentioned);
                    g.writeEndArray();
                }
                if (j % 50 == 12 && j > 0) {
                    g.writeStringField("quoted_message_id", "m" + (id - 1 - (j % 2)));
                }
                if (j % 200 == 14) {
                    g.writeStringField("pinned_at", time(at + 600));
                    g.writeStringField("pinned_by_id", user(member(c, 0)));
                    if (j % 400 == 14) {
                        g.writeStringField("pin_expires", time(at + 86_400 * 30));
                    }
                }
                if (j % 40 == 16) {
                    g.writeBooleanField("silent", true);
                }
                g.writeStringField("created_at", time(at));
                if (j % 30 == 18) { // edited
                    g.writeStringField("updated_at", time(at + 120));
                    g.writeStringField("message_text_updated_at", time(at + 120));
                } else {
                    g.writeStringField("updated_at", time(at));
                }
                if (j % 25 == 19) {
                    g.writeStringField("priority", j % 50 == 19 ? "high" : "low");
                }
                end(g);
                if (!reply && !(j % 100 == 55)) {
                    lastTop = id;
                }
                n++;
            }
        }
        return n;
    }

    private long reactions(JsonGenerator g, SplittableRandom rnd) throws IOException {
        int per = sizes.membersPerChannel();
        for (long r = 0; r < sizes.reactions(); r++) {
            long message = rnd.nextLong(sizes.messages());
            long c = channelOf(message);
            long j = message - firstMessage(c);
            start(g, "reaction");
            g.writeStringField("message_id", "m" + message);
            g.writeStringField("user_id", user(member(c, rnd.nextInt(per))));
            g.writeStringField("type", REACTIONS.get(rnd.nextInt(REACTIONS.size())));
            if (r % 10 == 0) {
                g.writeNumberField("score", 1 + rnd.nextInt(5));
            }
            g.writeStringField("created_at", time(messageAt(j) + 30));
            if (r % 50 == 0) {
                g.writeStringField("emoji_code", "+1");
            }
            end(g);
        }
        return sizes.reactions();
    }

    private long devices(JsonGenerator g) throws IOException {
        for (int d = 0; d < sizes.devices(); d++) {
            start(g, "device");
            g.writeStringField("id", "device-token-" + d);
            g.writeStringField("user_id", user((long) d * 3 % sizes.users()));
            String provider = PROVIDERS.get(d % PROVIDERS.size());
            g.writeStringField("push_provider_type", provider);
            if (d % 2 == 0) {
                g.writeStringField("push_provider_name", provider + "-main");
            }
            g.writeStringField("created_at", time(86_400 + d % 3600));
            end(g);
        }
        return sizes.devices();
    }
}
