package dev.parley.server.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What push delivery reads and writes (PROTOCOL.md §16): users' push preferences, and the devices of many users
 * at once. Blocking and thread-safe; every write is one transaction.
 */
public interface PushStore {
    /**
     * A user's push preference at the user's level ({@code channelCid} empty) or for one channel. A null level
     * leaves the decision to the level above; {@code disabledUntil} null means not paused.
     */
    record Preference(
            String userId,
            String channelCid,
            @Nullable String chatLevel,
            @Nullable String callLevel,
            @Nullable Instant disabledUntil) {
        public Preference {
            requireNonNull(userId, "userId");
            requireNonNull(channelCid, "channelCid");
        }

        /** Whether this is the user-level preference. */
        public boolean userLevel() {
            return channelCid.isEmpty();
        }
    }

    /** Writes preferences, each replacing the stored one of its user and channel, in one transaction. */
    void upsertPreferences(List<Preference> preferences, Instant now);

    /**
     * The stored preferences of {@code userIds}: each user's own level, and for {@code channelCid} (when not null)
     * the channel's.
     */
    List<Preference> preferences(Collection<String> userIds, @Nullable String channelCid);

    /** The devices of {@code userIds}, by user, each user's oldest first; users without a device are absent. */
    Map<String, List<ChatRows.DeviceRow>> devices(Collection<String> userIds);

    /** Deletes a device a provider reported as no longer valid, whoever's it is; false when it was gone already. */
    boolean deleteDevice(String deviceId);
}
