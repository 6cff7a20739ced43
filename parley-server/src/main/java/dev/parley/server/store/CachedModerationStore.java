package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ModerationStore} that tells {@link CachedChatStore} which rosters its writes change: a user's
 * mutes drop every roster (they are in the roster of each of the user's channels), a channel mute or a ban
 * drops the roster of its channel. Every write is passed to the database first. Thread-safe.
 */
final class CachedModerationStore implements ModerationStore {
    private final ModerationStore db;
    private final CachedChatStore chat;

    CachedModerationStore(ModerationStore db, CachedChatStore chat) {
        this.db = requireNonNull(db, "db");
        this.chat = requireNonNull(chat, "chat");
    }

    @Override
    public void upsertUserMutes(List<UserMute> mutes) {
        db.upsertUserMutes(mutes);
        chat.dropRosters();
    }

    @Override
    public int deleteUserMutes(String userId, Collection<String> targetIds) {
        int n = db.deleteUserMutes(userId, targetIds);
        chat.dropRosters();
        return n;
    }

    @Override
    public List<UserMute> userMutes(String userId, Instant activeAt) {
        return db.userMutes(userId, activeAt);
    }

    @Override
    public void upsertChannelMutes(List<ChannelMute> mutes) {
        db.upsertChannelMutes(mutes);
        mutes.forEach(m -> chat.dropRoster(m.cid()));
    }

    @Override
    public int deleteChannelMutes(String userId, Collection<String> cids) {
        int n = db.deleteChannelMutes(userId, cids);
        cids.forEach(chat::dropRoster);
        return n;
    }

    @Override
    public List<ChannelMute> channelMutes(String userId, Instant activeAt) {
        return db.channelMutes(userId, activeAt);
    }

    @Override
    public void upsertBan(Ban ban) {
        db.upsertBan(ban);
        chat.dropRoster(ban.cid());
    }

    @Override
    public boolean deleteBan(String targetId, String cid) {
        boolean deleted = db.deleteBan(targetId, cid);
        chat.dropRoster(cid);
        return deleted;
    }

    @Override
    public Optional<Ban> ban(String targetId, String cid) {
        return db.ban(targetId, cid);
    }

    @Override
    public List<Ban> bans(
            @Nullable String cid, @Nullable String targetId, @Nullable Instant activeAt, int limit, int offset) {
        return db.bans(cid, targetId, activeAt, limit, offset);
    }

    @Override
    public Flag upsertFlag(Flag flag, String reportId, @Nullable String channelCid, String targetUserId) {
        return db.upsertFlag(flag, reportId, channelCid, targetUserId);
    }

    @Override
    public List<ReportedFlag> flags(FlagFilter filter, int limit, int offset) {
        return db.flags(filter, limit, offset);
    }

    @Override
    public List<FlagReport> reports(FlagFilter filter, int limit, int offset) {
        return db.reports(filter, limit, offset);
    }

    @Override
    public Optional<FlagReport> report(String id) {
        return db.report(id);
    }

    @Override
    public Optional<FlagReport> reportOf(String targetKind, String targetId) {
        return db.reportOf(targetKind, targetId);
    }

    @Override
    public Optional<FlagReport> reviewReport(
            String id, String result, @Nullable String reviewedBy, Instant at, @Nullable String details) {
        return db.reviewReport(id, result, reviewedBy, at, details);
    }

    @Override
    public boolean createBlocklist(Blocklist list) {
        return db.createBlocklist(list);
    }

    @Override
    public boolean updateBlocklist(String name, List<String> words, Instant at) {
        return db.updateBlocklist(name, words, at);
    }

    @Override
    public boolean deleteBlocklist(String name) {
        return db.deleteBlocklist(name);
    }

    @Override
    public List<Blocklist> blocklists() {
        return db.blocklists();
    }

    @Override
    public Optional<Blocklist> blocklist(String name) {
        return db.blocklist(name);
    }

    @Override
    public boolean block(Block block) {
        return db.block(block);
    }

    @Override
    public boolean unblock(String userId, String blockedUserId) {
        return db.unblock(userId, blockedUserId);
    }

    @Override
    public List<Block> blocks(String userId) {
        return db.blocks(userId);
    }
}
