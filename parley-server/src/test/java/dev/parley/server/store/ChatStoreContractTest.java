package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRange;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ChatRows.ReactionRow;
import dev.parley.server.store.ChatRows.ReactionSummary;
import dev.parley.server.store.ChatRows.ReactionWrite;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract of {@link ChatStore}, run against every backend; a subclass supplies an empty store per test. */
@Timeout(value = 60, unit = SECONDS)
abstract class ChatStoreContractTest {
    static final Instant T0 = Instant.parse("2026-02-01T10:00:00.000001Z");

    protected Store store;
    protected ChatStore chat;

    protected abstract Store createStore();

    @BeforeEach
    void open() {
        store = createStore();
        chat = store.chat();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static ChannelRow channel(String id, String name) {
        ObjectNode custom = Json.object();
        if (name != null) {
            custom.put("name", name);
        }
        custom.set("nested", Json.object().put("k", 1));
        return new ChannelRow(
                "messaging:" + id,
                "messaging",
                id,
                "ann",
                null,
                T0,
                T0,
                null,
                null,
                null,
                false,
                false,
                0,
                0,
                0,
                custom);
    }

    static MemberRow member(String id, String user) {
        return MemberRow.create("messaging:" + id, user, "channel_member", T0);
    }

    static MessageRow message(String id, String cid, String user, int secondsAfterT0) {
        Instant at = T0.plusSeconds(secondsAfterT0);
        return new MessageRow(
                id,
                cid,
                user,
                null,
                true,
                at,
                at,
                null,
                null,
                Json.object().put("id", id).put("text", id));
    }

    private List<String> cids(ChannelQuery q) {
        return chat.queryChannels(q).stream().map(ChannelRow::cid).toList();
    }

    private static ChannelQuery query(String filterJson, String viewer) {
        return new ChannelQuery(Filter.parse(Json.parse(filterJson, "filter")), List.of(), 10, 0, viewer, Set.of());
    }

    @Test
    void createChannelOnceWithMembersAndReadItBackEqual() {
        ChannelRow ch = channel("a", "Alpha");

        boolean first = chat.createChannel(ch, List.of(member("a", "ann"), member("a", "bob")));
        boolean second = chat.createChannel(ch, List.of());

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        ChannelRow read = chat.findChannel("messaging:a").orElseThrow();
        assertThat(read.memberCount()).isEqualTo(2);
        assertThat(read.custom()).isEqualTo(ch.custom());
        assertThat(read.createdAt()).isEqualTo(T0);
        assertThat(chat.members("messaging:a", 10, 0))
                .extracting(MemberRow::userId)
                .containsExactlyInAnyOrder("ann", "bob");
    }

    @Test
    void queryChannelsFiltersByMembersNameAndVisibilityAndSortsByLastMessage() {
        chat.createChannel(channel("a", "Alpha"), List.of(member("a", "ann")));
        chat.createChannel(channel("b", "Beta"), List.of(member("b", "ann"), member("b", "bob")));
        chat.createChannel(channel("c", "Gamma"), List.of(member("c", "bob")));
        chat.appendMessage(message("m1", "messaging:b", "bob", 1), null, true);
        chat.appendMessage(message("m2", "messaging:a", "ann", 2), null, true);

        assertThat(cids(query("{\"members\": {\"$in\": [\"ann\"]}}", "ann")))
                .containsExactly("messaging:a", "messaging:b");
        assertThat(cids(query("{}", "bob"))).containsExactly("messaging:b", "messaging:c");
        assertThat(cids(query("{\"name\": {\"$autocomplete\": \"gam\"}}", null)))
                .containsExactly("messaging:c");
        assertThat(cids(query("{\"members\": [\"ann\", \"bob\"]}", null))).containsExactly("messaging:b");
        assertThat(cids(new ChannelQuery(
                        Filter.parse(null), List.of(new SortField("last_message_at", true)), 10, 0, null, Set.of())))
                .containsExactly("messaging:b", "messaging:a", "messaging:c");
    }

    @Test
    void hiddenChannelsAreLeftOutUnlessTheFilterAsksForThem() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        chat.setHidden("messaging:a", "ann", true, null);

        assertThat(cids(query("{}", "ann"))).isEmpty();
        assertThat(cids(query("{\"hidden\": true}", "ann"))).containsExactly("messaging:a");
    }

    @Test
    void customChannelFieldsFilterAndSortLikeUserCustomFields() {
        ChannelRow red = channel("r", "Red");
        red.custom().put("color", "red").put("rank", 2).putArray("tags").add("vip");
        ChannelRow blue = channel("b", "Blue");
        blue.custom().put("color", "blue").put("rank", 1);
        chat.createChannel(red, List.of());
        chat.createChannel(blue, List.of());
        chat.createChannel(channel("n", "None"), List.of());

        assertThat(cids(query("{\"color\": \"red\"}", null))).containsExactly("messaging:r");
        assertThat(cids(query("{\"rank\": {\"$gte\": 1}, \"color\": {\"$ne\": \"red\"}}", null)))
                .containsExactly("messaging:b");
        assertThat(cids(query("{\"tags\": {\"$contains\": \"vip\"}}", null))).containsExactly("messaging:r");
        assertThat(cids(query("{\"color\": {\"$exists\": false}}", null))).containsExactly("messaging:n");
        assertThat(cids(new ChannelQuery(
                        Filter.parse(Json.parse("{\"rank\": {\"$exists\": true}}", "f")),
                        List.of(new SortField("rank", true)),
                        10,
                        0,
                        null,
                        Set.of())))
                .containsExactly("messaging:b", "messaging:r");
    }

    @Test
    void badFilterFieldNamesAndUnsupportedSortsAreInputErrors() {
        assertThatThrownBy(() -> chat.queryChannels(query("{\"bad key!\": \"red\"}", null)))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("bad key!");
        assertThatThrownBy(() -> chat.queryChannels(new ChannelQuery(
                        Filter.parse(null), List.of(new SortField("frozen", true)), 10, 0, null, Set.of())))
                .isInstanceOf(ChatException.class)
                .hasMessageContaining("frozen");
    }

    @Test
    void memberStateRoundTripsAndPinnedFiltersAndSortsForTheViewer() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        chat.createChannel(channel("b", null), List.of(member("b", "ann")));
        MemberRow m = chat.member("messaging:b", "ann").orElseThrow();
        ObjectNode custom = Json.object().put("color", "teal");

        boolean updated = chat.updateMember(m.withState(T0, T0.plusSeconds(5), custom, T0.plusSeconds(5)));
        chat.setHidden("messaging:a", "ann", false, T0.plusSeconds(9));

        MemberRow read = chat.member("messaging:b", "ann").orElseThrow();
        assertThat(updated).isTrue();
        assertThat(read.archivedAt()).isEqualTo(T0);
        assertThat(read.pinnedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(read.custom()).isEqualTo(custom);
        assertThat(chat.member("messaging:a", "ann").orElseThrow().hideMessagesBefore())
                .isEqualTo(T0.plusSeconds(9));
        assertThat(cids(query("{\"pinned\": true}", "ann"))).containsExactly("messaging:b");
        assertThat(cids(query("{\"archived\": false}", "ann"))).containsExactly("messaging:a");
        assertThat(cids(new ChannelQuery(
                        Filter.parse(null), List.of(new SortField("pinned_at", false)), 10, 0, "ann", Set.of())))
                .containsExactly("messaging:b", "messaging:a");
        assertThat(chat.updateMember(MemberRow.create("messaging:a", "nobody", "channel_member", T0)))
                .isFalse();
    }

    @Test
    void deliveriesKeepTheNewestPerMemberAndGoWithTheChannel() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        chat.setDelivered(new ChatRows.Delivery("messaging:a", "ann", T0, "m1"));
        chat.setDelivered(new ChatRows.Delivery("messaging:a", "ann", T0.plusSeconds(1), "m2"));

        assertThat(chat.deliveries("messaging:a").get("ann").messageId()).isEqualTo("m2");
        chat.deleteChannel("messaging:a");
        assertThat(chat.deliveries("messaging:a")).isEmpty();
    }

    @Test
    void devicesBelongToOneUserAndMoveWhenRegisteredAgain() {
        chat.upsertDevice(new ChatRows.DeviceRow("d1", "ann", "apn", null, T0));
        chat.upsertDevice(new ChatRows.DeviceRow("d2", "ann", "firebase", "prod", T0.plusSeconds(1)));
        chat.upsertDevice(new ChatRows.DeviceRow("d1", "bob", "apn", null, T0.plusSeconds(2)));

        assertThat(chat.devices("ann")).extracting(ChatRows.DeviceRow::id).containsExactly("d2");
        assertThat(chat.devices("bob")).extracting(ChatRows.DeviceRow::id).containsExactly("d1");
        assertThat(chat.deleteDevice("ann", "d1")).isFalse();
        assertThat(chat.deleteDevice("bob", "d1")).isTrue();
    }

    @Test
    void memberUserNameMatchesChannelsByTheirMembersNames() {
        store.apply(new WriteBatch(
                List.of(
                        dev.parley.protocol.User.builder("ann")
                                .put("name", com.fasterxml.jackson.databind.node.TextNode.valueOf("Ann Lee"))
                                .build(),
                        dev.parley.protocol.User.builder("bob")
                                .put("name", com.fasterxml.jackson.databind.node.TextNode.valueOf("Bob Stone"))
                                .build()),
                java.util.Map.of(),
                java.util.Map.of()));
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        chat.createChannel(channel("b", null), List.of(member("b", "bob")));

        assertThat(cids(query("{\"member.user.name\": {\"$autocomplete\": \"sto\"}}", null)))
                .containsExactly("messaging:b");
        assertThat(cids(query("{\"member.user.name\": \"ann lee\"}", null))).containsExactly("messaging:a");
    }

    @Test
    void aMessageDeletedForOneUserIsMarkedForThatUserOnlyAndGoesWithTheMessage() {
        chat.createChannel(channel("d", null), List.of(member("d", "ann"), member("d", "bob")));
        chat.appendMessage(message("m1", "messaging:d", "ann", 1), null, true);
        chat.appendMessage(message("m2", "messaging:d", "ann", 2), null, true);

        chat.deleteForUser("m1", "messaging:d", "bob", T0.plusSeconds(5));
        chat.deleteForUser("m1", "messaging:d", "bob", T0.plusSeconds(9)); // once is enough

        assertThat(chat.deletedForUser("bob", List.of("m1", "m2"))).containsExactly(Map.entry("m1", T0.plusSeconds(5)));
        assertThat(chat.deletedForUser("ann", List.of("m1", "m2"))).isEmpty();
        chat.deleteMessage("m1");
        assertThat(chat.deletedForUser("bob", List.of("m1"))).isEmpty();
    }

    @Test
    void channelsSortByTheViewersUnreadCountAndWhetherItHasUnread() {
        for (String id : List.of("a", "b", "c")) {
            chat.createChannel(channel(id, null), List.of(member(id, "ann"), member(id, "bob")));
        }
        chat.appendMessage(message("m1", "messaging:b", "bob", 1), null, true);
        chat.appendMessage(message("m2", "messaging:b", "bob", 2), null, true);
        chat.appendMessage(message("m3", "messaging:c", "bob", 3), null, true);
        chat.appendMessage(message("m4", "messaging:a", "ann", 4), null, true);
        java.util.function.BiFunction<String, Boolean, ChannelQuery> sorted = (field, ascending) ->
                new ChannelQuery(Filter.parse(null), List.of(new SortField(field, ascending)), 10, 0, "ann", Set.of());

        assertThat(cids(sorted.apply("unread_count", false)))
                .containsExactly("messaging:b", "messaging:c", "messaging:a");
        assertThat(cids(new ChannelQuery(
                        Filter.parse(null),
                        List.of(new SortField("has_unread", false), new SortField("last_message_at", true)),
                        10,
                        0,
                        "ann",
                        Set.of())))
                .containsExactly("messaging:b", "messaging:c", "messaging:a");
        assertThatThrownBy(() -> chat.queryChannels(new ChannelQuery(
                        Filter.parse(null), List.of(new SortField("unread_count", false)), 10, 0, null, Set.of())))
                .isInstanceOf(ChatException.class);
    }

    @Test
    void hasUnreadAndMutedAreComputedForTheViewer() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));
        chat.createChannel(channel("b", null), List.of(member("b", "ann")));
        chat.appendMessage(message("m1", "messaging:a", "bob", 1), null, true);

        assertThat(cids(query("{\"has_unread\": true}", "ann"))).containsExactly("messaging:a");
        assertThat(cids(query("{\"muted\": false}", "ann"))).hasSize(2);
        assertThat(cids(query("{\"muted\": true}", "ann"))).isEmpty();
    }

    @Test
    void appendMessageRefusesADuplicateIdAndCountsUnreadForOthersOnly() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));

        boolean first = chat.appendMessage(message("m1", "messaging:a", "ann", 1), null, true);
        boolean again = chat.appendMessage(message("m1", "messaging:a", "ann", 2), null, true);

        assertThat(first).isTrue();
        assertThat(again).isFalse();
        assertThat(chat.unreadTotals("bob").messages()).isEqualTo(1);
        assertThat(chat.unreadTotals("ann").messages()).isZero();
        assertThat(chat.member("messaging:a", "ann").orElseThrow().lastReadMessageId())
                .isEqualTo("m1");
        assertThat(chat.findChannel("messaging:a").orElseThrow().lastMessageAt())
                .isEqualTo(T0.plusSeconds(1));
        assertThat(chat.unreadTotals(List.of("ann", "bob", "nobody")))
                .containsKeys("ann", "bob", "nobody")
                .extractingByKey("bob")
                .extracting(t -> t.channels())
                .isEqualTo(1);
    }

    @Test
    void appendMessagesCommitsABatchInOrderAndReportsDuplicatesPerMessage() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));
        chat.createChannel(channel("b", null), List.of(member("b", "bob")));

        List<Boolean> results = chat.appendMessages(List.of(
                new ChatRows.MessageAppend(message("m1", "messaging:a", "ann", 1), null, true),
                new ChatRows.MessageAppend(message("m2", "messaging:b", "cat", 2), null, true),
                new ChatRows.MessageAppend(message("m1", "messaging:a", "ann", 3), null, true)));

        assertThat(results).containsExactly(true, true, false);
        assertThat(chat.unreadTotals("bob").messages()).isEqualTo(2);
        assertThat(chat.unreadTotals("bob").channels()).isEqualTo(2);
    }

    @Test
    void anAppendReplacingAPendingMessageRewritesItsRowOnceWithItsCounts() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));
        MessageRow pending = message("p1", "messaging:a", "ann", 1);
        chat.appendMessages(List.of(new ChatRows.MessageAppend(pending, null, false)));
        MessageRow committed = new MessageRow(
                "p1",
                "messaging:a",
                "ann",
                null,
                true,
                T0.plusSeconds(5),
                T0.plusSeconds(5),
                null,
                null,
                Json.object().put("id", "p1").put("text", "committed"));

        List<Boolean> first = chat.appendMessages(
                List.of(new ChatRows.MessageAppend(committed, null, true, null, pending.createdAt())));
        List<Boolean> again = chat.appendMessages(
                List.of(new ChatRows.MessageAppend(committed, null, true, null, pending.createdAt())));

        assertThat(first).containsExactly(true);
        assertThat(again).as("the row no longer has the pending time").containsExactly(false);
        MessageRow stored = chat.findMessage("p1").orElseThrow();
        assertThat(stored.createdAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(stored.doc().path("text").asText()).isEqualTo("committed");
        assertThat(chat.unreadTotals("bob").messages())
                .as("counted once, at the commit")
                .isEqualTo(1);
        assertThat(chat.findChannel("messaging:a").orElseThrow().lastMessageAt())
                .isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void anUpdateKeepsItsVersionsOnceAndTheyArePagedByTimeAndFilteredByAuthor() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        MessageRow m = message("v1", "messaging:a", "ann", 1);
        chat.appendMessage(m, null, false);
        ChatRows.MessageVersion original = new ChatRows.MessageVersion("v1", m.createdAt(), "ann", "v1", Json.array());

        chat.updateMessage(
                m, List.of(original, new ChatRows.MessageVersion("v1", T0.plusSeconds(2), "bob", "two", Json.array())));
        chat.updateMessage(
                m,
                List.of(original, new ChatRows.MessageVersion("v1", T0.plusSeconds(3), null, "three", Json.array())));

        assertThat(chat.messageVersions(List.of("v1"), null, true, 10, 0).stream()
                        .map(ChatRows.MessageVersion::text))
                .containsExactly("three", "two", "v1");
        assertThat(chat.messageVersions(List.of("v1"), null, false, 2, 1).stream()
                        .map(ChatRows.MessageVersion::text))
                .containsExactly("two", "three");
        assertThat(chat.messageVersions(List.of("v1"), "bob", true, 10, 0).stream()
                        .map(ChatRows.MessageVersion::text))
                .containsExactly("two");
        chat.deleteMessage("v1");
        assertThat(chat.messageVersions(List.of("v1"), null, true, 10, 0)).isEmpty();
    }

    @Test
    void pagesAreOldestFirstAndTieBreakByIdAtTheSameTime() {
        chat.createChannel(channel("a", null), List.of());
        for (String id : List.of("m3", "m1", "m2")) {
            chat.appendMessage(message(id, "messaging:a", "ann", 5), null, false);
        }
        chat.appendMessage(message("m0", "messaging:a", "ann", 1), null, false);

        List<String> latest = chat.channelMessages("messaging:a", MessageRange.latest(3)).stream()
                .map(MessageRow::id)
                .toList();
        MessageRow m2 = chat.findMessage("m2").orElseThrow();
        List<String> before =
                chat
                        .channelMessages("messaging:a", new MessageRange(m2.cursor(), false, null, false, 10, false))
                        .stream()
                        .map(MessageRow::id)
                        .toList();

        assertThat(latest).containsExactly("m1", "m2", "m3");
        assertThat(before).containsExactly("m0", "m1");
        assertThat(chat.countChannelMessagesFrom("messaging:a", m2.cursor())).isEqualTo(2);
    }

    static MessageRow reply(String id, MessageRow parent, String user, int secondsAfterT0) {
        Instant at = T0.plusSeconds(secondsAfterT0);
        return new MessageRow(
                id,
                parent.cid(),
                user,
                parent.id(),
                false,
                at,
                at,
                null,
                null,
                Json.object().put("id", id));
    }

    @Test
    void repliesKeepEachParticipantsUnreadRepliesAndTheThreadsLatestReply() {
        chat.createChannel(channel("t", "Talk"), List.of(member("t", "ann"), member("t", "bob"), member("t", "cy")));
        MessageRow parent = message("p", "messaging:t", "ann", 1);
        chat.appendMessage(parent, null, true);
        chat.appendMessage(reply("r1", parent, "bob", 2), parent, false);
        chat.appendMessage(reply("r2", parent, "bob", 3), parent, false);
        chat.appendMessage(reply("r3", parent, "cy", 4), parent, false);

        Map<String, ChatRows.ThreadParticipant> byUser = new java.util.HashMap<>();
        chat.threadParticipants("p", 10).forEach(tp -> byUser.put(tp.userId(), tp));

        assertThat(chat.threadParticipants("p", 10))
                .extracting(ChatRows.ThreadParticipant::userId)
                .containsExactly("ann", "bob", "cy");
        assertThat(byUser.get("ann").unread()).isEqualTo(3);
        assertThat(byUser.get("bob").unread()).isEqualTo(1);
        assertThat(byUser.get("bob").lastReadMessageId()).isEqualTo("r2");
        assertThat(byUser.get("cy").unread()).isZero();
        assertThat(chat.thread("p").orElseThrow().lastMessageAt()).isEqualTo(T0.plusSeconds(4));
        assertThat(chat.unreadThreadCount("ann")).isEqualTo(1);
        assertThat(chat.unreadThreadCounts(List.of("ann", "bob", "cy", "dan")))
                .containsExactly(Map.entry("ann", 1), Map.entry("bob", 1), Map.entry("cy", 0), Map.entry("dan", 0));
        assertThat(chat.unreadThreads("bob", 10))
                .extracting(ChatRows.ThreadParticipant::parentId)
                .containsExactly("p");
        assertThat(chat.threadsOf("cy", 10, 0)).extracting(MessageRow::id).containsExactly("p");
        assertThat(chat.thread("r1")).isEmpty();
    }

    @Test
    void aThreadsReadStateTitleAndCustomDataAreKeptAndGoWithItsParent() {
        chat.createChannel(channel("t", "Talk"), List.of(member("t", "ann"), member("t", "bob")));
        MessageRow parent = message("p", "messaging:t", "ann", 1);
        chat.appendMessage(parent, null, true);
        chat.appendMessage(reply("r1", parent, "bob", 2), parent, false);

        boolean read = chat.setThreadRead("p", "ann", T0.plusSeconds(5), "r1", 0);
        boolean stranger = chat.setThreadRead("p", "eve", T0.plusSeconds(5), "r1", 0);
        boolean updated = chat.updateThread("p", "Plans", "{\"topic\":\"travel\"}", T0.plusSeconds(6));
        ChatRows.ThreadRow row = chat.thread("p").orElseThrow();
        int unreadBefore = chat.unreadThreadCount("ann");
        chat.appendMessage(reply("r2", parent, "bob", 7), parent, false);
        int unreadAfter = chat.unreadThreadCount("ann");
        chat.deleteMessage("p");

        assertThat(read).isTrue();
        assertThat(stranger).isFalse();
        assertThat(updated).isTrue();
        assertThat(row.title()).isEqualTo("Plans");
        assertThat(Json.parse(row.customJson(), "custom").path("topic").asText())
                .isEqualTo("travel");
        assertThat(row.updatedAt()).isEqualTo(T0.plusSeconds(6));
        assertThat(unreadBefore).isZero();
        assertThat(unreadAfter).isEqualTo(1);
        assertThat(chat.thread("p")).isEmpty();
        assertThat(chat.threadParticipants("p", 10)).isEmpty();
        assertThat(chat.unreadThreadCount("ann")).isZero();
    }

    @Test
    void aMemberWhoLeftTheChannelCountsNoUnreadThreadThere() {
        chat.createChannel(channel("t", "Talk"), List.of(member("t", "ann"), member("t", "bob")));
        MessageRow parent = message("p", "messaging:t", "ann", 1);
        chat.appendMessage(parent, null, true);
        chat.appendMessage(reply("r1", parent, "bob", 2), parent, false);

        int before = chat.unreadThreadCount("ann");
        chat.removeMembers("messaging:t", List.of("ann"));

        assertThat(before).isEqualTo(1);
        assertThat(chat.unreadThreadCount("ann")).isZero();
        assertThat(chat.threadsOf("ann", 10, 0)).isEmpty();
    }

    /** What the reaction service does: the totals and the newest reactions, written into the message. */
    private static MessageRow withCounts(MessageRow m, ReactionSummary summary) {
        ObjectNode doc = m.doc().deepCopy();
        ObjectNode counts = doc.putObject("reaction_counts");
        summary.groups().forEach(g -> counts.put(g.type(), g.count()));
        ArrayNode latest = doc.putArray("latest_reactions");
        summary.latest().forEach(r -> latest.add(r.doc()));
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

    private ReactionWrite add(String user, String type, int score, int secondsAfterT0, boolean replaceOwn) {
        ReactionRow r = new ReactionRow(
                "m1",
                user,
                type,
                score,
                T0.plusSeconds(secondsAfterT0),
                Json.object().put("type", type).put("user_id", user));
        return chat.addReaction(r, replaceOwn, 10, ChatStoreContractTest::withCounts)
                .orElseThrow();
    }

    /** The stored message's reaction counts equal the reaction rows, type by type. */
    private void assertCountsEqualRows() {
        ObjectNode counts =
                (ObjectNode) chat.findMessage("m1").orElseThrow().doc().path("reaction_counts");
        var rows = chat.reactions("m1", 1000, 0);
        java.util.Map<String, Integer> byType = new java.util.TreeMap<>();
        rows.forEach(r -> byType.merge(r.type(), 1, Integer::sum));
        java.util.Map<String, Integer> stored = new java.util.TreeMap<>();
        counts.properties().forEach(e -> stored.put(e.getKey(), e.getValue().asInt()));
        assertThat(stored).isEqualTo(byType);
    }

    @Test
    void reactionsUpsertPerUserAndTypeAndGroupWithScores() {
        chat.createChannel(channel("a", null), List.of());
        chat.appendMessage(message("m1", "messaging:a", "ann", 1), null, false);

        add("ann", "like", 1, 0, false);
        add("ann", "like", 3, 0, false);
        add("bob", "like", 2, 1, false);

        var groups = chat.reactionGroups("m1");
        assertThat(groups).hasSize(1);
        assertThat(groups.getFirst().count()).isEqualTo(2);
        assertThat(groups.getFirst().sumScores()).isEqualTo(5);
        assertThat(chat.reactionsBy("bob", List.of("m1"))).hasSize(1);
        assertThat(chat.reactionsOn("m1", List.of("ann", "cat")))
                .extracting(ReactionRow::userId)
                .containsExactly("ann");
        assertThat(chat.removeReaction("m1", "bob", "like", 10, ChatStoreContractTest::withCounts)
                        .orElseThrow()
                        .removed())
                .isEqualTo(1);
        assertThat(chat.removeReaction("m1", "bob", "like", 10, ChatStoreContractTest::withCounts)
                        .orElseThrow()
                        .removed())
                .isZero();
    }

    @Test
    void addingOrRemovingAReactionWritesTheMessageCountsWithItSoTheyEqualTheRows() {
        chat.createChannel(channel("a", null), List.of());
        chat.appendMessage(message("m1", "messaging:a", "ann", 1), null, false);

        ReactionWrite first = add("ann", "like", 1, 0, false);
        add("bob", "like", 1, 1, false);
        add("bob", "love", 1, 2, false);
        assertCountsEqualRows();
        ReactionWrite removed = chat.removeReaction("m1", "bob", "like", 10, ChatStoreContractTest::withCounts)
                .orElseThrow();

        assertThat(first.message().doc().path("reaction_counts").path("like").asInt())
                .isEqualTo(1);
        assertThat(removed.removed()).isEqualTo(1);
        assertThat(removed.message().doc().path("reaction_counts").path("like").asInt())
                .isEqualTo(1);
        assertThat(removed.message().doc().path("latest_reactions")).hasSize(2);
        assertCountsEqualRows();
        assertThat(chat.findMessage("m1").orElseThrow().doc())
                .isEqualTo(removed.message().doc());
    }

    @Test
    void replacingOwnReactionsDeletesTheUsersOthersInTheSameWrite() {
        chat.createChannel(channel("a", null), List.of());
        chat.appendMessage(message("m1", "messaging:a", "ann", 1), null, false);
        add("ann", "like", 1, 0, false);
        add("ann", "love", 1, 1, false);

        ReactionWrite w = add("ann", "wow", 1, 2, true);

        assertThat(w.removed()).isEqualTo(2);
        assertThat(chat.reactionsBy("ann", List.of("m1")))
                .extracting(ReactionRow::type)
                .containsExactly("wow");
        assertCountsEqualRows();
    }

    @Test
    void aFailureBetweenTheReactionAndItsMessageLeavesNeitherWritten() {
        chat.createChannel(channel("a", null), List.of());
        chat.appendMessage(message("m1", "messaging:a", "ann", 1), null, false);
        add("ann", "like", 1, 0, false);
        ObjectNode before = chat.findMessage("m1").orElseThrow().doc();
        ReactionRow bob =
                new ReactionRow("m1", "bob", "like", 1, T0, Json.object().put("type", "like"));

        assertThatThrownBy(() -> chat.addReaction(bob, true, 10, (m, summary) -> {
                    throw new IllegalStateException("crash between the two writes");
                }))
                .hasMessageContaining("crash between the two writes");
        assertThatThrownBy(() -> chat.removeReaction("m1", "ann", "like", 10, (m, summary) -> {
                    throw new IllegalStateException("crash between the two writes");
                }))
                .hasMessageContaining("crash between the two writes");

        assertThat(chat.reactions("m1", 10, 0)).extracting(ReactionRow::userId).containsExactly("ann");
        assertThat(chat.findMessage("m1").orElseThrow().doc()).isEqualTo(before);
        assertCountsEqualRows();
    }

    @Test
    void aReactionToAMessageThatDoesNotExistWritesNothing() {
        ReactionRow r =
                new ReactionRow("nope", "ann", "like", 1, T0, Json.object().put("type", "like"));

        assertThat(chat.addReaction(r, false, 10, ChatStoreContractTest::withCounts))
                .isEmpty();
        assertThat(chat.removeReaction("nope", "ann", "like", 10, ChatStoreContractTest::withCounts))
                .isEmpty();
        assertThat(chat.reactions("nope", 10, 0)).isEmpty();
    }

    @Test
    void truncateDeletesEarlierMessagesAndZeroesUnread() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));
        chat.appendMessage(message("m1", "messaging:a", "ann", 1), null, true);
        chat.appendMessage(message("m2", "messaging:a", "ann", 3), null, true);

        chat.truncateChannel("messaging:a", T0.plusSeconds(2), "ann");

        assertThat(chat.channelMessages("messaging:a", MessageRange.latest(10)))
                .extracting(MessageRow::id)
                .containsExactly("m2");
        assertThat(chat.unreadTotals("bob").messages()).isZero();
        assertThat(chat.findChannel("messaging:a").orElseThrow().truncatedAt()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void membersAddRemoveAndRecountAndDeleteChannelKeepsEvents() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        chat.upsertMembers("messaging:a", List.of(member("a", "bob"), member("a", "cat")));
        chat.removeMembers("messaging:a", List.of("ann"));
        chat.appendEvent(
                new ChatRows.EventRow("messaging:a", null, T0, Json.object().put("type", "message.new")));

        assertThat(chat.findChannel("messaging:a").orElseThrow().memberCount()).isEqualTo(2);
        chat.deleteChannel("messaging:a");

        assertThat(chat.findChannel("messaging:a")).isEmpty();
        assertThat(chat.members("messaging:a", 10, 0)).isEmpty();
        assertThat(chat.eventsSince(List.of("messaging:a"), "bob", T0, 10)).hasSize(1);
        assertThat(chat.eventsSince(List.of("messaging:a"), "bob", T0.plusSeconds(1), 10))
                .isEmpty();
    }

    @Test
    void channelEventsGetGaplessPerChannelSequenceNumbersThatSurviveTheChannelsDeletion() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        chat.createChannel(channel("b", null), List.of(member("b", "ann")));
        ObjectNode first = Json.object().put("type", "message.new");

        assertThat(chat.appendEvent(new ChatRows.EventRow("messaging:a", null, T0, first)))
                .isEqualTo(1);
        assertThat(first.get("channel_seq").asLong()).isEqualTo(1);
        assertThat(chat.appendEvent(new ChatRows.EventRow(
                        "messaging:b", null, T0, Json.object().put("type", "x"))))
                .isEqualTo(1);
        assertThat(chat.appendEvent(new ChatRows.EventRow(
                        "messaging:a", "ann", T0, Json.object().put("type", "y"))))
                .isEqualTo(2);
        chat.deleteChannel("messaging:a");
        chat.createChannel(channel("a", null), List.of(member("a", "ann")));
        assertThat(chat.appendEvent(new ChatRows.EventRow(
                        "messaging:a", null, T0, Json.object().put("type", "z"))))
                .isEqualTo(3);

        assertThat(chat.eventsSince(List.of("messaging:a"), "ann", T0, 10))
                .extracting(e -> e.get("channel_seq").asLong())
                .containsExactly(1L, 2L, 3L);
        assertThat(chat.eventsSince(List.of("messaging:a"), "bob", T0, 10))
                .as("an event meant for one member is replayed to that member only")
                .extracting(e -> e.get("type").asText())
                .containsExactly("message.new", "z");
    }

    @Test
    void aMessageAndItsEventAreWrittenInOneTransactionWithTheNextSequenceNumber() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));
        chat.appendEvent(
                new ChatRows.EventRow("messaging:a", null, T0, Json.object().put("type", "channel.updated")));
        MessageRow m = new MessageRow(
                "m1",
                "messaging:a",
                "ann",
                null,
                true,
                T0,
                T0,
                null,
                null,
                Json.object().put("id", "m1").put("text", "hi"));
        ObjectNode event = Json.object().put("type", "message.new").put("message_id", "m1");

        assertThat(chat.appendMessages(List.of(new ChatRows.MessageAppend(
                        m, null, true, new ChatRows.EventRow("messaging:a", null, T0, event)))))
                .containsExactly(true);
        assertThat(event.get("channel_seq").asLong()).isEqualTo(2);
        ObjectNode again = Json.object().put("type", "message.new").put("message_id", "m1");
        assertThat(chat.appendMessages(List.of(new ChatRows.MessageAppend(
                        m, null, true, new ChatRows.EventRow("messaging:a", null, T0, again)))))
                .as("a duplicate id writes no event")
                .containsExactly(false);

        assertThat(chat.eventsSince(List.of("messaging:a"), "bob", T0, 10))
                .extracting(e -> e.get("type").asText())
                .containsExactly("channel.updated", "message.new");
    }

    /** What the database says a user's unread totals are, read around any cache. */
    private ChatRows.UnreadTotals truth(String userId) {
        List<ChatRows.ChannelUnread> unread = chat.unreadChannels(userId, 1000);
        return new ChatRows.UnreadTotals(
                unread.stream().mapToInt(ChatRows.ChannelUnread::unread).sum(), unread.size());
    }

    private void assertHotStateMatchesTheDatabase(String cid, String... users) {
        Map<String, Integer> rows = new java.util.HashMap<>();
        chat.members(cid, 100, 0).forEach(m -> rows.put(m.userId(), m.unreadMessages()));
        Map<String, Integer> roster = new java.util.HashMap<>();
        chat.roster(cid).members().forEach((u, m) -> roster.put(u, m.unread()));
        assertThat(roster).as("roster of " + cid).isEqualTo(rows);
        Map<String, ChatRows.UnreadTotals> totals = chat.unreadTotals(List.of(users));
        for (String u : users) {
            assertThat(totals.get(u)).as("totals of " + u).isEqualTo(truth(u));
            assertThat(chat.unreadTotals(u)).as("totals of " + u).isEqualTo(truth(u));
        }
    }

    private static MessageRow message(String id, String cid, String user, Instant at) {
        return new MessageRow(
                id, cid, user, null, true, at, at, null, null, Json.object().put("id", id));
    }

    @Test
    void theRosterAndUnreadTotalsInMemoryFollowSendsMutesReadsAndMembershipChanges() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob"), member("a", "cat")));
        chat.createChannel(channel("b", null), List.of(member("b", "bob"), member("b", "cat")));
        assertHotStateMatchesTheDatabase("messaging:a", "ann", "bob", "cat");
        store.moderation().upsertUserMutes(List.of(new ModerationStore.UserMute("cat", "ann", T0, T0, null)));
        store.moderation()
                .upsertChannelMutes(
                        List.of(new ModerationStore.ChannelMute("bob", "messaging:b", T0, T0, T0.plusSeconds(60))));
        assertThat(chat.roster("messaging:a").members().get("cat").ignores("ann", T0))
                .isTrue();

        chat.appendMessage(message("m1", "messaging:a", "ann", T0.plusSeconds(1)), null, true);
        chat.appendMessage(message("m2", "messaging:a", "ann", T0.plusSeconds(2)), null, true);
        chat.appendMessage(message("m3", "messaging:b", "cat", T0.plusSeconds(3)), null, true);
        assertHotStateMatchesTheDatabase("messaging:a", "ann", "bob", "cat");
        assertThat(chat.unreadTotals("bob"))
                .as("bob muted channel b until a minute after T0")
                .isEqualTo(new ChatRows.UnreadTotals(2, 1));

        chat.appendMessage(message("m4", "messaging:b", "cat", T0.plusSeconds(120)), null, true);
        chat.setRead("messaging:a", "bob", T0.plusSeconds(2), "m2", 0);
        assertHotStateMatchesTheDatabase("messaging:a", "ann", "bob", "cat");
        assertHotStateMatchesTheDatabase("messaging:b", "bob", "cat");

        chat.appendMessage(message("m5", "messaging:a", "bob", T0.plusSeconds(130)), null, true);
        chat.appendMessage(message("m5", "messaging:a", "bob", T0.plusSeconds(131)), null, true);
        chat.appendMessage(message("m6", "messaging:a", "cat", T0.plusSeconds(140)), null, false);
        store.moderation().deleteUserMutes("cat", List.of("ann"));
        chat.appendMessage(message("m7", "messaging:a", "ann", T0.plusSeconds(150)), null, true);
        assertHotStateMatchesTheDatabase("messaging:a", "ann", "bob", "cat");

        chat.removeMembers("messaging:a", List.of("cat"));
        assertHotStateMatchesTheDatabase("messaging:a", "ann", "bob", "cat");
        chat.truncateChannel("messaging:a", T0.plusSeconds(200), "ann");
        assertHotStateMatchesTheDatabase("messaging:a", "ann", "bob", "cat");
        chat.deleteChannel("messaging:b");
        assertHotStateMatchesTheDatabase("messaging:b", "bob", "cat");
        assertThat(chat.roster("messaging:b").members()).isEmpty();
    }

    @Test
    void aChannelRowReadBetweenWritesShowsEachWrite() {
        chat.createChannel(channel("a", null), List.of(member("a", "ann"), member("a", "bob")));
        assertThat(chat.findChannel("messaging:a").orElseThrow().messageCount()).isZero();

        chat.appendMessage(message("c1", "messaging:a", "ann", T0.plusSeconds(1)), null, true);
        chat.appendMessage(message("c2", "messaging:a", "ann", T0.plusSeconds(2)), null, false);
        chat.appendMessage(message("c3", "messaging:a", "bob", T0.plusSeconds(3)), null, true);
        ChannelRow after = chat.findChannel("messaging:a").orElseThrow();
        assertThat(after.messageCount()).isEqualTo(2);
        assertThat(after.lastMessageAt()).isEqualTo(T0.plusSeconds(3));

        chat.upsertMembers("messaging:a", List.of(member("a", "cat")));
        assertThat(chat.findChannel("messaging:a").orElseThrow().memberCount()).isEqualTo(3);
        chat.removeMembers("messaging:a", List.of("ann"));
        assertThat(chat.findChannel("messaging:a").orElseThrow().memberCount()).isEqualTo(2);
        chat.updateChannel(after.withFlags(true, false, 0, null, T0.plusSeconds(4)));
        assertThat(chat.findChannel("messaging:a").orElseThrow().frozen()).isTrue();
        chat.truncateChannel("messaging:a", T0.plusSeconds(5), "bob");
        assertThat(chat.findChannel("messaging:a").orElseThrow().truncatedAt()).isEqualTo(T0.plusSeconds(5));
        chat.deleteChannel("messaging:a");
        assertThat(chat.findChannel("messaging:a")).isEmpty();
    }

    // ---- import batches (PROTOCOL.md §17.3)

    private static ImportBatch importOf(
            boolean upsert,
            List<ChannelRow> channels,
            List<MemberRow> members,
            List<MessageRow> messages,
            List<ReactionRow> reactions) {
        return new ImportBatch(
                upsert,
                List.of(dev.parley.protocol.User.builder("ann")
                        .createdAt(T0)
                        .updatedAt(T0)
                        .build()),
                channels,
                members,
                messages,
                reactions,
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                (m, summary, thread) -> new MessageRow(
                        m.id(),
                        m.cid(),
                        m.userId(),
                        m.parentId(),
                        m.inChannel(),
                        m.createdAt(),
                        m.updatedAt(),
                        m.deletedAt(),
                        m.pinnedAt(),
                        m.doc()
                                .deepCopy()
                                .put("reactions", summary.groups().size())
                                .put("replies", thread.replyCount())));
    }

    private static MessageRow reply(String id, String parent, String user, int secondsAfterT0) {
        MessageRow m = message(id, "messaging:a", user, secondsAfterT0);
        return new MessageRow(id, m.cid(), user, parent, false, m.createdAt(), m.updatedAt(), null, null, m.doc());
    }

    @Test
    void anImportBatchDerivesCountersAndThreadsAndInsertModeLeavesStoredRowsAlone() {
        MemberRow bob = new MemberRow(
                "messaging:a",
                "bob",
                "channel_member",
                T0,
                T0,
                false,
                T0.plusSeconds(1),
                null,
                0,
                null,
                null,
                null,
                Json.object(),
                null,
                null,
                null);
        ReactionRow like = new ReactionRow(
                "m1", "bob", "like", 1, T0.plusSeconds(9), Json.object().put("type", "like"));
        ImportBatch.Written w = store.importBatch(importOf(
                false,
                List.of(channel("a", "A")),
                List.of(member("a", "ann"), bob),
                List.of(
                        message("m1", "messaging:a", "ann", 2),
                        reply("r1", "m1", "bob", 3),
                        message("m2", "messaging:a", "ann", 4)),
                List.of(like)));
        assertThat(w.written()).isEqualTo(8);
        assertThat(w.skipped()).isZero();
        ChannelRow a = chat.findChannel("messaging:a").orElseThrow();
        assertThat(a.memberCount()).isEqualTo(2);
        assertThat(a.messageCount()).isEqualTo(2);
        assertThat(a.lastMessageAt()).isEqualTo(T0.plusSeconds(4));
        assertThat(chat.member("messaging:a", "bob").orElseThrow().unreadMessages())
                .isEqualTo(2);
        assertThat(chat.member("messaging:a", "ann").orElseThrow().unreadMessages())
                .isZero();
        MessageRow m1 = chat.findMessage("m1").orElseThrow();
        assertThat(m1.doc().path("reactions").asInt()).isEqualTo(1);
        assertThat(m1.doc().path("replies").asInt()).isEqualTo(1);
        assertThat(chat.thread("m1")).isPresent();
        assertThat(chat.threadParticipants("m1", 10))
                .extracting(ChatRows.ThreadParticipant::userId)
                .containsExactly("ann", "bob");
        assertThat(store.countActiveUsers(java.time.YearMonth.now(java.time.ZoneOffset.UTC)))
                .isZero();

        MessageRow changed = new MessageRow(
                "m2",
                "messaging:a",
                "ann",
                null,
                true,
                T0.plusSeconds(4),
                T0.plusSeconds(4),
                null,
                null,
                Json.object().put("text", "changed"));
        ImportBatch.Written again = store.importBatch(importOf(
                false,
                List.of(channel("a", "B")),
                List.of(),
                List.of(changed, message("m3", "messaging:a", "ann", 5)),
                List.of(like)));
        assertThat(again.written()).isEqualTo(1); // m3 only: the user, channel, m2 and the reaction were stored
        assertThat(chat.findMessage("m2").orElseThrow().doc().path("text").asText())
                .isEqualTo("m2");
        assertThat(chat.findChannel("messaging:a").orElseThrow().name()).isEqualTo("A");
        assertThat(chat.findChannel("messaging:a").orElseThrow().messageCount()).isEqualTo(3);
        assertThat(chat.member("messaging:a", "bob").orElseThrow().unreadMessages())
                .isEqualTo(3);
    }

    @Test
    void anUpsertBatchOverwritesAndCountsAChangedMessageAgainFromTheRows() {
        store.importBatch(importOf(
                true,
                List.of(channel("a", "A")),
                List.of(member("a", "ann"), member("a", "bob")),
                List.of(message("m1", "messaging:a", "ann", 2), message("m2", "messaging:a", "ann", 4)),
                List.of()));
        MessageRow deleted = new MessageRow(
                "m2",
                "messaging:a",
                "ann",
                null,
                true,
                T0.plusSeconds(4),
                T0.plusSeconds(6),
                T0.plusSeconds(6),
                null,
                Json.object().put("text", "gone"));
        ImportBatch.Written w =
                store.importBatch(importOf(true, List.of(channel("a", "B")), List.of(), List.of(deleted), List.of()));
        assertThat(w.skipped()).isZero();
        assertThat(chat.findChannel("messaging:a").orElseThrow().name()).isEqualTo("B");
        assertThat(chat.findMessage("m2").orElseThrow().deletedAt()).isEqualTo(T0.plusSeconds(6));
        // bob joined at T0 (MemberRow.create reads it as his last read): m1 is unread, the deleted m2 no longer
        assertThat(chat.member("messaging:a", "bob").orElseThrow().unreadMessages())
                .isEqualTo(1);
        assertThat(chat.findChannel("messaging:a").orElseThrow().memberCount()).isEqualTo(2);
    }
}
