package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.ChatException;
import dev.parley.server.links.LinkPreviews;

/** Link previews, {@code GET /og?url=} (PROTOCOL.md §7.25 O1): the Open Graph attachment of a URL. */
final class OgApi {
    private final LinkPreviews previews;

    OgApi(LinkPreviews previews) {
        this.previews = requireNonNull(previews, "previews");
    }

    void register(Router router) {
        router.add("GET", "/og", this::og);
    }

    private ObjectNode og(RequestContext ctx) {
        String url = ctx.param("url");
        if (url == null || url.isBlank()) {
            throw ChatException.input("GetOG failed with error: \"url is required\"");
        }
        return previews.preview(url);
    }
}
