package dev.parley.client.examples;

import dev.parley.client.Channel;
import dev.parley.client.ChannelState;
import dev.parley.client.ChatClient;
import dev.parley.client.MessageEvent;
import dev.parley.client.MessagePagination;
import dev.parley.client.QueryChannelsOptions;
import dev.parley.client.SortOption;
import dev.parley.protocol.CustomFields;
import dev.parley.protocol.EventType;
import dev.parley.protocol.JsonValue.JsonObject;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.util.List;

/** The README's channels example as a program: one user, one channel, a thread, a reaction, a read. */
public final class ChannelsExample {
    private ChannelsExample() {}

    /** Runs the example as {@code maria}; returns what happened, one line. */
    public static String run(String baseUrl, String apiKey, String token) {
        try (ChatClient client = ChatClient.builder(apiKey).baseUrl(baseUrl).build()) {
            client.connectUser(User.builder("maria").build(), token).join();
            // README channels example: start
            CustomFields data = CustomFields.of(
                    "name", "General", "members", List.of("maria")); // the creator is a member only if listed
            Channel general = client.channel("messaging", "general", data); // data is used if watch() creates it
            general.on(
                    EventType.MESSAGE_NEW,
                    e -> System.out.println(
                            "new: " + ((MessageEvent) e).message().text()));
            ChannelState state = general.watch().join(); // get-or-create, state, subscribe
            state.messages().forEach(m -> System.out.println(m.user().id() + ": " + m.text()));

            Message hello = general.sendMessage(Message.of("Hello")).join(); // id: a client-made UUID
            general.sendMessage(Message.builder()
                            .text("in the thread")
                            .parentId(hello.id())
                            .build())
                    .join();
            List<Message> replies =
                    general.getReplies(hello.id(), MessagePagination.limit(25)).join();
            general.sendReaction(hello.id(), "love").join();
            general.keystroke().join(); // typing.start, at most every 2 s
            general.markRead().join();
            int unread = client.getUnreadCount().join().totalUnreadCount();

            JsonObject filter = JsonObject.of("members", JsonObject.of("$in", List.of("maria")));
            List<Channel> mine = client.queryChannels(
                            filter, List.of(SortOption.desc("last_message_at")), QueryChannelsOptions.defaults())
                    .join(); // each one watched, state loaded
            // README channels example: end
            client.disconnectUser().join();
            return "replies " + replies.size() + ", reactions "
                    + general.state().messages().getLast().ownReactions().size() + ", unread " + unread + ", channels "
                    + mine.size();
        }
    }
}
