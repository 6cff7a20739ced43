package dev.parley.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Json;
import dev.parley.server.auth.Authenticator;
import dev.parley.server.auth.Caller;
import dev.parley.server.users.UserRules;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The checked parameters of a socket handshake (PROTOCOL.md §3.1, §4.1 steps 1 to 3): key, {@code json}
 * document and token, from the query string or, failing that, from headers.
 */
record ConnectParams(
        Authenticator.Identity identity,
        String userId,
        ObjectNode userDetails,
        @Nullable String client) {

    /**
     * Parses and authenticates a handshake.
     *
     * @throws ChatException with the code that refuses the connection
     */
    static ConnectParams parse(Map<String, List<String>> q, HttpHeaders headers, Authenticator auth) {
        auth.checkApiKey(first(q, "api_key", null, headers));
        String json = first(q, "json", null, headers);
        if (json == null || json.isEmpty()) {
            throw ChatException.input("json is a required query parameter");
        }
        ObjectNode doc = Json.parseRequestObject(json, "json");
        String authType = first(q, "stream-auth-type", "stream-auth-type", headers);
        String token = first(q, "authorization", "authorization", headers);
        Authenticator.Identity identity = auth.authenticate(authType, token);
        JsonNode details = doc.get("user_details");
        if (details == null || details.isNull()) {
            throw ChatException.input("user_details is a required field");
        }
        if (!details.isObject()) {
            throw ChatException.input("user_details must be a JSON object");
        }
        String client = first(q, "X-Stream-Client", "x-stream-client", headers);
        if (identity.caller() instanceof Caller.Anonymous) {
            return new ConnectParams(identity, Caller.ANONYMOUS_ID, (ObjectNode) details, client);
        }
        JsonNode uid = doc.get("user_id");
        if (uid == null || !uid.isTextual()) {
            throw ChatException.input("user_id is a required field and must be a string");
        }
        String userId = UserRules.checkId(uid.asText(), "user_id");
        JsonNode detailsId = details.get("id");
        if (detailsId != null && !detailsId.isNull() && !userId.equals(detailsId.asText())) {
            throw ChatException.input(
                    "user_details.id '" + detailsId.asText() + "' does not match user_id '" + userId + "'");
        }
        if (identity.caller() instanceof Caller.Server) {
            throw new ChatException(
                    ErrorCode.AUTHENTICATION,
                    "a server token cannot open a user connection; use a user token for '" + userId + "'");
        }
        if (!userId.equals(identity.caller().userId())) {
            throw new ChatException(
                    ErrorCode.AUTHENTICATION,
                    "JWTAuth error: the token's user_id '" + identity.caller().userId() + "' does not match user_id '"
                            + userId + "'");
        }
        return new ConnectParams(identity, userId, (ObjectNode) details, client);
    }

    private static @Nullable String first(
            Map<String, List<String>> q, String name, @Nullable String header, HttpHeaders headers) {
        List<String> v = q.get(name);
        if (v != null && !v.isEmpty()) {
            return v.get(0);
        }
        return header == null ? null : headers.get(header);
    }
}
