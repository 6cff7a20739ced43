package dev.parley.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.parley.server.testing.TestServer;
import io.getstream.chat.java.exceptions.StreamException;
import io.getstream.chat.java.models.Channel;
import io.getstream.chat.java.models.Channel.ChannelGetResponse;
import io.getstream.chat.java.models.Channel.ChannelMemberRequestObject;
import io.getstream.chat.java.models.Channel.ChannelRequestObject;
import io.getstream.chat.java.models.Import;
import io.getstream.chat.java.models.Message;
import io.getstream.chat.java.models.Message.MessageRequestObject;
import io.getstream.chat.java.models.Reaction;
import io.getstream.chat.java.models.Reaction.ReactionRequestObject;
import io.getstream.chat.java.models.User;
import io.getstream.chat.java.models.User.UserRequestObject;
import io.getstream.chat.java.services.framework.DefaultClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stream's official Java server SDK ({@code io.getstream:stream-chat-java}) against a real Parley, changed in
 * nothing but its base URL: users, channels, messages, reactions, its error model, the import flow of
 * PROTOCOL.md §17.5 (upload URL, PUT, import task) and a channel export (§17.6).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamChatJavaCompatibilityTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        Properties p = new Properties();
        p.setProperty(DefaultClient.API_KEY_PROP_NAME, server.apiKey());
        p.setProperty(DefaultClient.API_SECRET_PROP_NAME, server.apiSecret());
        p.setProperty(DefaultClient.API_URL_PROP_NAME, server.baseUrl());
        DefaultClient.setInstance(new DefaultClient(p));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String uid(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static UserRequestObject user(String id) {
        return UserRequestObject.builder().id(id).build();
    }

    @Test
    void usersChannelsMessagesAndReactionsGoThroughTheServerSdkUnchanged() throws StreamException {
        String ann = uid("ann");
        String bob = uid("bob");
        String id = uid("java");
        User.upsert()
                .user(UserRequestObject.builder().id(ann).name("Ann").build())
                .user(user(bob))
                .request();
        Channel.getOrCreate("messaging", id)
                .data(ChannelRequestObject.builder()
                        .createdBy(user(ann))
                        .members(List.of(
                                ChannelMemberRequestObject.builder().userId(ann).build(),
                                ChannelMemberRequestObject.builder().userId(bob).build()))
                        .additionalField("topic", "sdk")
                        .build())
                .request();

        Message sent = Message.send("messaging", id)
                .message(
                        MessageRequestObject.builder().text("hello").userId(ann).build())
                .request()
                .getMessage();
        Reaction.send(sent.getId())
                .reaction(
                        ReactionRequestObject.builder().type("like").userId(bob).build())
                .request();
        Message.send("messaging", id)
                .message(MessageRequestObject.builder()
                        .text("a reply")
                        .userId(bob)
                        .parentId(sent.getId())
                        .build())
                .request();

        Message read = Message.get(sent.getId()).request().getMessage();
        assertThat(read.getText()).isEqualTo("hello");
        assertThat(read.getUser().getName()).isEqualTo("Ann");
        assertThat(read.getReactionCounts()).containsEntry("like", 1);
        assertThat(read.getReplyCount()).isEqualTo(1);
        List<ChannelGetResponse> channels = Channel.list()
                .filterCondition("cid", "messaging:" + id)
                .userId(ann)
                .request()
                .getChannels();
        assertThat(channels).hasSize(1);
        assertThat(channels.get(0).getMembers()).hasSize(2);
        assertThat(channels.get(0).getMessages()).extracting(Message::getId).containsExactly(sent.getId());
        assertThat(channels.get(0).getChannel().getAdditionalFields()).containsEntry("topic", "sdk");
    }

    @Test
    void anErrorArrivesAsTheSdksStreamExceptionWithStreamsCode() {
        StreamException e = catchThrowableOfType(
                StreamException.class, () -> Message.get(uid("missing")).request());
        assertThat(e.getResponseData().getCode()).isEqualTo(16);
        assertThat(e.getResponseData().getStatusCode()).isEqualTo(404);
    }

    @Test
    void anAppFileImportsThroughTheSdksImportCalls() throws Exception {
        String p = uid("imp") + "-";
        String id = uid("moved");
        String file = String.join(
                        "\n",
                        "{\"type\":\"user\",\"item\":{\"id\":\"" + p + "ann\",\"name\":\"Ann\"}}",
                        "{\"type\":\"channel\",\"item\":{\"id\":\"" + id + "\",\"type\":\"messaging\",\"created_by\":\""
                                + p + "ann\"}}",
                        "{\"type\":\"member\",\"item\":{\"channel_type\":\"messaging\",\"channel_id\":\"" + id
                                + "\",\"user_id\":\"" + p + "ann\"}}",
                        "{\"type\":\"message\",\"item\":{\"id\":\"" + p + "m1\",\"channel_type\":\"messaging\","
                                + "\"channel_id\":\"" + id + "\",\"user\":\"" + p + "ann\",\"text\":\"from before\"}}")
                + "\n";

        Import.CreateImportUrlResponse url = Import.createImportUrl("app.jsonl").request();
        HttpResponse<String> put = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url.getUploadUrl()))
                                .timeout(Duration.ofSeconds(30))
                                .PUT(HttpRequest.BodyPublishers.ofString(file))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        Import created = Import.createImport(url.getPath(), Import.ImportMode.Upsert)
                .request()
                .getImportTask();
        assertThat(created.getState()).isEqualTo(Import.ImportState.Uploaded);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> Import.getImport(created.getId())
                                .request()
                                .getImportTask()
                                .getState()
                        == Import.ImportState.Completed);
        assertThat(Import.getImport(created.getId()).request().getImportTask().getHistory())
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(Message.get(p + "m1").request().getMessage().getText()).isEqualTo("from before");
    }

    @Test
    void aChannelExportIsATaskWhoseStatusLinksToTheFile() throws Exception {
        String ann = uid("ann");
        String id = uid("out");
        User.upsert().user(user(ann)).request();
        Channel.getOrCreate("messaging", id)
                .data(ChannelRequestObject.builder()
                        .createdBy(user(ann))
                        .members(List.of(
                                ChannelMemberRequestObject.builder().userId(ann).build()))
                        .build())
                .request();
        Message.send("messaging", id)
                .message(MessageRequestObject.builder()
                        .text("keep me")
                        .userId(ann)
                        .build())
                .request();

        String task = Channel.export()
                .channel(Channel.ChannelExportRequestObject.builder()
                        .type("messaging")
                        .id(id)
                        .build())
                .request()
                .getTaskId();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Channel.exportStatus(task).request().getStatus()
                        == Channel.ChannelExportStatusResponse.Status.COMPLETED);
        String url = Channel.exportStatus(task).request().getResult().getUrl();

        HttpResponse<String> file = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).contains("\"type\":\"channel\"", "keep me");
    }
}
