package dev.parley.server.api;

import java.util.List;

/**
 * Subscribes a connection that another node of the cluster holds, for a REST call that reached this one
 * (docs/PROTOCOL.md §8.5): {@code watch: true} and {@code presence: true} name the caller's socket by
 * {@code connection_id}, and a load balancer may send the call to any node.
 */
@FunctionalInterface
interface RemoteSubscriptions {
    /** A node alone: no connection lives elsewhere. */
    RemoteSubscriptions NONE = (userId, connectionId, cids, presenceOf) -> false;

    /** Watches {@code cids} and follows the presence of {@code presenceOf} for the connection; false when not done. */
    boolean subscribe(String userId, String connectionId, List<String> cids, List<String> presenceOf);

    /**
     * Subscribes the caller's connection named by {@code connection_id} on another node, when there is one and
     * it is not on this node; true when that node did.
     */
    static boolean forCaller(
            RemoteSubscriptions remote,
            RequestContext ctx,
            boolean hereFound,
            List<String> cids,
            List<String> presenceOf) {
        String conn = ctx.param("connection_id");
        String user = ctx.caller().userId();
        if (hereFound || conn == null || conn.isEmpty() || user == null) {
            return false;
        }
        return remote.subscribe(user, conn, cids, presenceOf);
    }
}
