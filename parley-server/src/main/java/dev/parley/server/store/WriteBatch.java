package dev.parley.server.store;

import dev.parley.protocol.User;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes that commit together in one transaction of {@link Store#apply}.
 *
 * @param users users to insert or replace whole (the last one of an id wins)
 * @param activeUsers users that connected, by month; recording one twice is harmless
 * @param peakConnections concurrent-connection peaks by day; a stored peak is only ever raised
 */
public record WriteBatch(
        List<User> users, Map<YearMonth, Set<String>> activeUsers, Map<LocalDate, Integer> peakConnections) {

    public WriteBatch {
        users = List.copyOf(users);
        activeUsers = Map.copyOf(activeUsers);
        peakConnections = Map.copyOf(peakConnections);
    }

    public static WriteBatch ofUsers(List<User> users) {
        return new WriteBatch(users, Map.of(), Map.of());
    }

    public boolean isEmpty() {
        return users.isEmpty() && activeUsers.isEmpty() && peakConnections.isEmpty();
    }
}
