package dev.parley.server.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.filter.Filter;
import dev.parley.server.filter.SortField;
import dev.parley.server.store.ChatRows.ChannelRow;
import dev.parley.server.store.ChatRows.MemberRow;
import dev.parley.server.store.ChatRows.MessageRow;
import dev.parley.server.store.ModerationStore.Ban;
import dev.parley.server.store.ModerationStore.Block;
import dev.parley.server.store.ModerationStore.ChannelMute;
import dev.parley.server.store.ModerationStore.Flag;
import dev.parley.server.store.ModerationStore.UserMute;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link ModerationStore} and of {@link ChatStore#searchMessages}, run against every
 * backend; a subclass supplies an empty store per test.
 */
@Timeout(value = 60, unit = SECONDS)
abstract class ModerationStoreContractTest {
    static final Instant T0 = Instant.parse("2026-02-01T10:00:00.000001Z");

    protected Store store;
    protected ChatStore chat;
    protected ModerationStore moderation;

    protected abstract Store createStore();

    @BeforeEach
    void open() {
        store = createStore();
        chat = store.chat();
        moderation = store.moderation();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void channel(String id, String... members) {
        ChannelRow ch = new ChannelRow(
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
                Json.object());
        chat.createChannel(
                ch,
                java.util.Arrays.stream(members)
                        .map(u -> MemberRow.create("messaging:" + id, u, "channel_member", T0))
                        .toList());
    }

    private void send(String id, String cid, String user, int seconds, String text) {
        Instant at = T0.plusSeconds(seconds);
        ObjectNode doc = Json.object().put("id", id).put("text", text).put("type", "regular");
        chat.appendMessage(new MessageRow(id, cid, user, null, true, at, at, null, null, doc), null, true);
    }

    @Test
    void aRepeatedMuteKeepsItsCreationAndUnmuteRemovesIt() {
        moderation.upsertUserMutes(List.of(new UserMute("ann", "bob", T0, T0, null)));
        moderation.upsertUserMutes(List.of(
                new UserMute("ann", "bob", T0.plusSeconds(5), T0.plusSeconds(5), T0.plusSeconds(60)),
                new UserMute("ann", "cid", T0, T0, null)));

        List<UserMute> mutes = moderation.userMutes("ann", T0);
        int removed = moderation.deleteUserMutes("ann", List.of("bob", "nobody"));

        assertThat(mutes).extracting(UserMute::targetId).containsExactly("bob", "cid");
        assertThat(mutes.getFirst().createdAt()).isEqualTo(T0);
        assertThat(mutes.getFirst().expires()).isEqualTo(T0.plusSeconds(60));
        assertThat(removed).isEqualTo(1);
        assertThat(moderation.userMutes("ann", T0))
                .extracting(UserMute::targetId)
                .containsExactly("cid");
    }

    @Test
    void expiredMutesAreLeftOut() {
        moderation.upsertUserMutes(List.of(new UserMute("ann", "bob", T0, T0, T0.plusSeconds(10))));
        moderation.upsertChannelMutes(List.of(new ChannelMute("ann", "messaging:a", T0, T0, T0.plusSeconds(10))));

        assertThat(moderation.userMutes("ann", T0.plusSeconds(9))).hasSize(1);
        assertThat(moderation.userMutes("ann", T0.plusSeconds(10))).isEmpty();
        assertThat(moderation.channelMutes("ann", T0.plusSeconds(9))).hasSize(1);
        assertThat(moderation.channelMutes("ann", T0.plusSeconds(11))).isEmpty();
    }

    @Test
    void messagesFromAMutedUserOrInAMutedChannelDoNotRaiseTheMutersUnreadCount() {
        channel("a", "ann", "bob", "cid");
        channel("b", "ann", "bob", "dan");
        moderation.upsertUserMutes(List.of(new UserMute("ann", "bob", T0, T0, null)));
        moderation.upsertChannelMutes(List.of(new ChannelMute("cid", "messaging:a", T0, T0, null)));

        send("m1", "messaging:a", "bob", 1, "muted author for ann, muted channel for cid");
        send("m2", "messaging:b", "dan", 2, "counts for ann and bob");
        send("m3", "messaging:a", "ann", 3, "muted channel for cid");

        assertThat(chat.unreadTotals("ann").messages()).isEqualTo(1);
        assertThat(chat.unreadTotals("cid").messages()).isZero();
        assertThat(chat.unreadTotals("bob").messages()).isEqualTo(2);
    }

    @Test
    void anExpiredMuteCountsAgain() {
        channel("a", "ann", "bob");
        moderation.upsertUserMutes(List.of(new UserMute("ann", "bob", T0, T0, T0.plusSeconds(2))));

        send("m1", "messaging:a", "bob", 1, "muted");
        send("m2", "messaging:a", "bob", 3, "after the mute");

        assertThat(chat.unreadTotals("ann").messages()).isEqualTo(1);
    }

    @Test
    void bansAreScopedPerChannelOrGlobalAndListedNewestFirst() {
        moderation.upsertBan(new Ban("bob", ModerationStore.GLOBAL, "ann", "spam", false, T0, null));
        moderation.upsertBan(new Ban("bob", "messaging:a", "ann", null, true, T0.plusSeconds(1), T0.plusSeconds(30)));
        moderation.upsertBan(new Ban("cid", "messaging:a", null, null, false, T0.plusSeconds(2), null));

        assertThat(moderation.ban("bob", ModerationStore.GLOBAL))
                .get()
                .extracting(Ban::reason)
                .isEqualTo("spam");
        assertThat(moderation.ban("bob", "messaging:a"))
                .get()
                .extracting(Ban::shadow)
                .isEqualTo(true);
        assertThat(moderation.bans(null, null, null, 10, 0))
                .extracting(Ban::targetId)
                .containsExactly("cid", "bob", "bob");
        assertThat(moderation.bans("messaging:a", null, T0.plusSeconds(40), 10, 0))
                .extracting(Ban::targetId)
                .containsExactly("cid");
        assertThat(moderation.deleteBan("bob", "messaging:a")).isTrue();
        assertThat(moderation.deleteBan("bob", "messaging:a")).isFalse();
        assertThat(moderation.bans(null, "bob", null, 10, 0)).hasSize(1);
    }

    private Flag flag(String by, String kind, String target, String reason, Instant at) {
        return moderation.upsertFlag(
                new Flag(by, kind, target, reason, at, at),
                "r-" + kind + "-" + target,
                kind.equals("message") ? "messaging:a" : null,
                kind.equals("message") ? "author" : target);
    }

    @Test
    void aRepeatedFlagKeepsItsCreationTime() {
        Flag first = flag("ann", "message", "m1", "rude", T0);
        Flag again = flag("ann", "message", "m1", null, T0.plusSeconds(5));

        assertThat(first.createdAt()).isEqualTo(T0);
        assertThat(again.createdAt()).isEqualTo(T0);
        assertThat(again.updatedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(again.reason()).isEqualTo("rude");
        assertThat(moderation.report("r-message-m1").orElseThrow().flagsCount()).isEqualTo(1);
    }

    @Test
    void aReportCountsTheFlagsOfItsTargetAndNamesTheFirstReporter() {
        flag("ann", "message", "m1", "rude", T0);
        flag("bob", "message", "m1", null, T0.plusSeconds(1));
        flag("ann", "user", "carl", null, T0.plusSeconds(2));

        ModerationStore.FlagReport m1 = moderation.reportOf("message", "m1").orElseThrow();
        assertThat(m1.id()).isEqualTo("r-message-m1");
        assertThat(m1.flagsCount()).isEqualTo(2);
        assertThat(m1.firstReporterId()).isEqualTo("ann");
        assertThat(m1.channelCid()).isEqualTo("messaging:a");
        assertThat(m1.targetUserId()).isEqualTo("author");
        assertThat(moderation.reportOf("user", "carl").orElseThrow().targetUserId())
                .isEqualTo("carl");
        assertThat(moderation.reportOf("user", "m1")).isEmpty();
    }

    @Test
    void flagsAndReportsFilterOnTheirFieldsAndReviewState() {
        flag("ann", "message", "m1", null, T0);
        flag("bob", "message", "m2", null, T0.plusSeconds(1));
        flag("ann", "user", "carl", null, T0.plusSeconds(2));
        moderation.reviewReport("r-message-m2", "approved", "mod", T0.plusSeconds(3), "{\"note\":\"ok\"}");

        var byAnn = moderation.flags(
                new ModerationStore.FlagFilter(
                        null, java.util.Map.of(ModerationStore.FlagField.REPORTER, List.of("ann")), null),
                10,
                0);
        var messageFlags = moderation.flags(new ModerationStore.FlagFilter("message", java.util.Map.of(), null), 10, 0);
        var open = moderation.reports(new ModerationStore.FlagFilter(null, java.util.Map.of(), false), 10, 0);
        var reviewed = moderation.reports(
                new ModerationStore.FlagFilter(
                        null, java.util.Map.of(ModerationStore.FlagField.REVIEWED_BY, List.of("mod")), true),
                10,
                0);

        assertThat(byAnn).extracting(f -> f.flag().targetId()).containsExactly("carl", "m1");
        assertThat(messageFlags).extracting(f -> f.flag().targetId()).containsExactly("m2", "m1");
        assertThat(messageFlags.getFirst().report().reviewResult()).isEqualTo("approved");
        assertThat(open).extracting(ModerationStore.FlagReport::targetId).containsExactly("carl", "m1");
        assertThat(reviewed).singleElement().satisfies(r -> {
            assertThat(r.targetId()).isEqualTo("m2");
            assertThat(r.reviewedAt()).isEqualTo(T0.plusSeconds(3));
            assertThat(r.reviewDetails()).isEqualTo("{\"note\":\"ok\"}");
        });
        assertThat(moderation.reports(new ModerationStore.FlagFilter(null, java.util.Map.of(), null), 1, 1))
                .extracting(ModerationStore.FlagReport::targetId)
                .containsExactly("m2");
    }

    @Test
    void aNewFlagReopensAReviewedReportButARepeatedOneDoesNot() {
        flag("ann", "message", "m1", null, T0);
        moderation.reviewReport("r-message-m1", "reviewed", "mod", T0.plusSeconds(1), null);
        flag("ann", "message", "m1", null, T0.plusSeconds(2));
        boolean stillReviewed = moderation.report("r-message-m1").orElseThrow().reviewed();
        flag("bob", "message", "m1", null, T0.plusSeconds(3));

        ModerationStore.FlagReport after = moderation.report("r-message-m1").orElseThrow();
        assertThat(stillReviewed).isTrue();
        assertThat(after.reviewed()).isFalse();
        assertThat(after.reviewResult()).isNull();
        assertThat(after.flagsCount()).isEqualTo(2);
        assertThat(moderation.reviewReport("nope", "reviewed", null, T0, null)).isEmpty();
    }

    @Test
    void aSystemFlagKeepsItsAutomodMarkAndDetails() {
        moderation.upsertFlag(
                new Flag(ModerationStore.SYSTEM, "message", "m9", "blocklist", T0, T0, true, "{\"w\":1}"),
                "r9",
                "messaging:a",
                "author");

        var f = moderation.flags(new ModerationStore.FlagFilter(null, java.util.Map.of(), null), 10, 0);
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.flag().createdByAutomod()).isTrue();
            assertThat(x.flag().details()).isEqualTo("{\"w\":1}");
            assertThat(x.report().firstReporterId()).isEqualTo(ModerationStore.SYSTEM);
        });
    }

    @Test
    void blocklistsAreCreatedOnceUpdatedListedAndDeleted() {
        var b = new ModerationStore.Blocklist("nocake", List.of("fudge", "cream"), T0, T0);

        assertThat(moderation.createBlocklist(b)).isTrue();
        assertThat(moderation.createBlocklist(b)).isFalse();
        assertThat(moderation.updateBlocklist("nocake", List.of("sugar"), T0.plusSeconds(1)))
                .isTrue();
        assertThat(moderation.updateBlocklist("other", List.of("x"), T0)).isFalse();
        moderation.createBlocklist(new ModerationStore.Blocklist("a-list", List.of(), T0, T0));

        assertThat(moderation.blocklists())
                .extracting(ModerationStore.Blocklist::name)
                .containsExactly("a-list", "nocake");
        ModerationStore.Blocklist read = moderation.blocklist("nocake").orElseThrow();
        assertThat(read.words()).containsExactly("sugar");
        assertThat(read.createdAt()).isEqualTo(T0);
        assertThat(read.updatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(moderation.deleteBlocklist("nocake")).isTrue();
        assertThat(moderation.deleteBlocklist("nocake")).isFalse();
        assertThat(moderation.blocklist("nocake")).isEmpty();
    }

    @Test
    void hasOwnRowsSeesMembershipsMutesChannelMutesBlocksAndDevices() {
        channel("own", "mia");
        moderation.upsertUserMutes(List.of(new UserMute("mut", "bob", T0, T0, null)));
        moderation.upsertChannelMutes(List.of(new ModerationStore.ChannelMute("cmu", "messaging:own", T0, T0, null)));
        moderation.block(new Block("blo", "bob", T0));
        chat.upsertDevice(new dev.parley.server.store.ChatRows.DeviceRow("d1", "dev", "firebase", null, T0));

        assertThat(List.of("mia", "mut", "cmu", "blo", "dev")).allMatch(chat::hasOwnRows);
        assertThat(chat.hasOwnRows("bob")).isFalse();
        assertThat(chat.hasOwnRows("nobody")).isFalse();
    }

    @Test
    void blockIsIdempotentAndUnblockRemovesIt() {
        boolean first = moderation.block(new Block("ann", "bob", T0));
        boolean again = moderation.block(new Block("ann", "bob", T0.plusSeconds(1)));
        moderation.block(new Block("ann", "cid", T0.plusSeconds(2)));

        assertThat(first).isTrue();
        assertThat(again).isFalse();
        assertThat(moderation.blocks("ann")).extracting(Block::blockedUserId).containsExactly("bob", "cid");
        assertThat(moderation.unblock("ann", "bob")).isTrue();
        assertThat(moderation.unblock("ann", "bob")).isFalse();
        assertThat(moderation.blocks("ann")).extracting(Block::blockedUserId).containsExactly("cid");
    }

    private List<String> search(List<String> cids, String filterJson, List<SortField> sort, int limit, int offset) {
        Filter f = Filter.parse(Json.parse(filterJson, "filter"));
        return chat.searchMessages(new MessageSearch(cids, f, sort, limit, offset)).stream()
                .map(MessageRow::id)
                .toList();
    }

    @Test
    void searchMatchesEveryWordCaseInsensitivelyInTheGivenChannelsNewestFirst() {
        channel("a", "ann", "bob");
        channel("b", "ann", "bob");
        send("m1", "messaging:a", "ann", 1, "The Invoice for March");
        send("m2", "messaging:a", "bob", 2, "march invoice paid");
        send("m3", "messaging:a", "bob", 3, "invoices later");
        send("m4", "messaging:b", "bob", 4, "invoice march elsewhere");

        assertThat(search(List.of("messaging:a"), "{\"text\": {\"$q\": \"invoice MARCH\"}}", List.of(), 10, 0))
                .containsExactly("m2", "m1");
        assertThat(search(
                        List.of("messaging:a", "messaging:b"),
                        "{\"text\": {\"$q\": \"march\"}}",
                        List.of(new SortField("created_at", true)),
                        10,
                        0))
                .containsExactly("m1", "m2", "m4");
        assertThat(search(List.of(), "{\"text\": {\"$q\": \"march\"}}", List.of(), 10, 0))
                .isEmpty();
    }

    @Test
    void searchFiltersByAuthorTimeAndWordPrefixAndPages() {
        channel("a", "ann", "bob");
        send("m1", "messaging:a", "ann", 1, "alpha beta");
        send("m2", "messaging:a", "bob", 2, "gamma alphabet");
        send("m3", "messaging:a", "bob", 3, "delta 100% _x_");
        List<String> a = List.of("messaging:a");

        assertThat(search(a, "{\"user.id\": \"bob\"}", List.of(), 10, 0)).containsExactly("m3", "m2");
        assertThat(search(a, "{\"text\": {\"$autocomplete\": \"alph\"}}", List.of(), 10, 0))
                .containsExactly("m2", "m1");
        assertThat(search(a, "{\"text\": {\"$autocomplete\": \"lpha\"}}", List.of(), 10, 0))
                .isEmpty();
        assertThat(search(a, "{\"text\": {\"$q\": \"0%\"}}", List.of(), 10, 0)).containsExactly("m3");
        assertThat(search(a, "{\"text\": {\"$q\": \"a_\"}}", List.of(), 10, 0)).isEmpty();
        assertThat(search(a, "{\"created_at\": {\"$gt\": \"" + T0.plusSeconds(1) + "\"}}", List.of(), 10, 0))
                .containsExactly("m3", "m2");
        assertThat(search(a, "{}", List.of(), 2, 1)).containsExactly("m2", "m1");
    }

    @Test
    void searchLeavesOutDeletedMessages() {
        channel("a", "ann", "bob");
        send("m1", "messaging:a", "ann", 1, "secret");
        MessageRow m = chat.findMessage("m1").orElseThrow();
        chat.updateMessage(new MessageRow(
                m.id(),
                m.cid(),
                m.userId(),
                null,
                true,
                m.createdAt(),
                m.updatedAt(),
                T0.plusSeconds(5),
                null,
                m.doc()));

        assertThat(search(List.of("messaging:a"), "{\"text\": {\"$q\": \"secret\"}}", List.of(), 10, 0))
                .isEmpty();
    }

    @Test
    void searchRefusesAnUnknownFieldWithCode4() {
        assertThatThrownBy(() -> search(List.of("messaging:a"), "{\"color\": \"red\"}", List.of(), 10, 0))
                .isInstanceOfSatisfying(
                        ChatException.class, e -> assertThat(e.code()).isEqualTo(4));
    }
}
