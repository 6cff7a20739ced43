package dev.parley.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one worker measured; {@link #plus} sums workers. One JSON line on the wire between processes.
 *
 * @param watched channels watched successfully in setup (one per user when the workload watches)
 * @param setupMillis how long the connect phase of setup took (the watch phase is not in it)
 */
public record Result(
        long connectsOk,
        long connectsFailed,
        long open,
        long watched,
        long delivered,
        long closedByServer,
        Map<Integer, Integer> closeCodes,
        long setupMillis,
        long runMillis,
        Histogram connectLatency,
        Histogram deliveryLatency,
        Histogram heartbeatRtt,
        Histogram cutLatency,
        long slowUsers,
        List<String> errors) {

    public static Result empty() {
        return new Result(
                0,
                0,
                0,
                0,
                0,
                0,
                Map.of(),
                0,
                0,
                new Histogram(),
                new Histogram(),
                new Histogram(),
                new Histogram(),
                0,
                List.of());
    }

    public Result plus(Result o) {
        Map<Integer, Integer> codes = new TreeMap<>(closeCodes);
        o.closeCodes.forEach((k, v) -> codes.merge(k, v, Integer::sum));
        Histogram c = new Histogram();
        c.add(connectLatency);
        c.add(o.connectLatency);
        Histogram d = new Histogram();
        d.add(deliveryLatency);
        d.add(o.deliveryLatency);
        List<String> e = new ArrayList<>(errors);
        Histogram h = new Histogram();
        h.add(heartbeatRtt);
        h.add(o.heartbeatRtt);
        Histogram k = new Histogram();
        k.add(cutLatency);
        k.add(o.cutLatency);
        e.addAll(o.errors);
        return new Result(
                connectsOk + o.connectsOk,
                connectsFailed + o.connectsFailed,
                open + o.open,
                watched + o.watched,
                delivered + o.delivered,
                closedByServer + o.closedByServer,
                codes,
                Math.max(setupMillis, o.setupMillis),
                Math.max(runMillis, o.runMillis),
                c,
                d,
                h,
                k,
                slowUsers + o.slowUsers,
                e);
    }

    public String toJson() {
        ObjectNode n = Json.object();
        n.put("connectsOk", connectsOk)
                .put("connectsFailed", connectsFailed)
                .put("open", open)
                .put("watched", watched)
                .put("delivered", delivered)
                .put("closedByServer", closedByServer)
                .put("setupMillis", setupMillis)
                .put("runMillis", runMillis)
                .put("connectLatency", connectLatency.encode())
                .put("deliveryLatency", deliveryLatency.encode())
                .put("heartbeatRtt", heartbeatRtt.encode())
                .put("cutLatency", cutLatency.encode())
                .put("slowUsers", slowUsers);
        ObjectNode codes = n.putObject("closeCodes");
        closeCodes.forEach((k, v) -> codes.put(String.valueOf(k), v));
        errors.forEach(n.putArray("errors")::add);
        return Json.write(n);
    }

    public static Result fromJson(String line) {
        JsonNode n = Json.parse(line, "result");
        Map<Integer, Integer> codes = new TreeMap<>();
        n.path("closeCodes")
                .properties()
                .forEach(e ->
                        codes.put(Integer.parseInt(e.getKey()), e.getValue().asInt()));
        List<String> errors = new ArrayList<>();
        n.path("errors").forEach(e -> errors.add(e.asText()));
        return new Result(
                n.path("connectsOk").asLong(),
                n.path("connectsFailed").asLong(),
                n.path("open").asLong(),
                n.path("watched").asLong(),
                n.path("delivered").asLong(),
                n.path("closedByServer").asLong(),
                codes,
                n.path("setupMillis").asLong(),
                n.path("runMillis").asLong(),
                Histogram.decode(n.path("connectLatency").asText()),
                Histogram.decode(n.path("deliveryLatency").asText()),
                Histogram.decode(n.path("heartbeatRtt").asText()),
                Histogram.decode(n.path("cutLatency").asText()),
                n.path("slowUsers").asLong(),
                errors);
    }
}
