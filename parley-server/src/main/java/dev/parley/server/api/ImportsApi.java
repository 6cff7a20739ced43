package dev.parley.server.api;

import static java.util.Objects.requireNonNull;

import dev.parley.protocol.ChatException;
import dev.parley.protocol.Json;
import dev.parley.server.migration.ImportTasks;
import dev.parley.server.uploads.UploadForm;
import dev.parley.server.uploads.Uploads;

/**
 * Stream's import routes (PROTOCOL.md §17.5), server side only, and the upload of an import's file, which its
 * signed URL alone admits.
 */
final class ImportsApi {
    private final ImportTasks imports;

    ImportsApi(ImportTasks imports) {
        this.imports = requireNonNull(imports, "imports");
    }

    void register(Router router) {
        router.add("POST", "/import_urls", ctx -> {
            ctx.requireServer();
            return imports.createUrl(
                    ctx.body(),
                    Uploads.baseUrl(ctx.call().header("host"), ctx.call().header("x-forwarded-proto")));
        });
        router.add("POST", "/imports", ctx -> {
            ctx.requireServer();
            return imports.create(ctx.body());
        });
        router.add("GET", "/imports", ctx -> {
            ctx.requireServer();
            return imports.list(
                    OpsApi.intParam(ctx, "limit", 25, 1, ImportTasks.MAX_LIST),
                    OpsApi.intParam(ctx, "offset", 0, 0, 10_000));
        });
        router.add("GET", "/imports/{id}", ctx -> {
            ctx.requireServer();
            return imports.get(ctx.pathParam("id"));
        });
        router.addStreamedOpen(
                "PUT",
                "/import_files/{id}",
                ctx -> imports.admitUpload(ctx.pathParam("id"), ctx.param("expires"), ctx.param("signature")),
                ctx -> {
                    UploadForm form = ctx.call().form();
                    if (form == null || form.files().isEmpty()) {
                        throw ChatException.input("the import file's body is missing");
                    }
                    UploadForm.UploadedFile body = form.files().get(0);
                    imports.receive(ctx.pathParam("id"), body.size(), body::transferTo);
                    return Json.object();
                });
    }
}
