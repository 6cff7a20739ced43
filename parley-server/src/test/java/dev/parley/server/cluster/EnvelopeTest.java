package dev.parley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.events.Audience;
import dev.parley.server.events.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What nodes tell each other: every audience and every variant survive the trip, and bad bytes are refused. */
class EnvelopeTest {
    private static ByteBuf text(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEventWithVariantsArrivesWithTheSameFrameForEveryUser() {
        ByteBuf common = text("{\"type\":\"message.new\"}");
        ByteBuf one = text("{\"type\":\"message.new\",\"unread_count\":1}");
        ByteBuf two = text("{\"type\":\"message.new\",\"unread_count\":2}");
        Frames frames = new Frames(common, Map.of("ann", one, "bob", one, "cat", two));

        Envelope e = Envelope.decode(Envelope.encode(
                "node-a",
                Envelope.Kind.EVENT,
                "message.new",
                Audience.watchersExcept("messaging:x", "dan"),
                frames,
                0));
        Frames got = e.frames();

        assertThat(e.origin()).isEqualTo("node-a");
        assertThat(e.kind()).isEqualTo(Envelope.Kind.EVENT);
        assertThat(e.type()).isEqualTo("message.new");
        assertThat(e.audience()).isEqualTo(new Audience.Watchers("messaging:x", "dan"));
        assertThat(got).isNotNull();
        assertThat(got.frameOf("ann").toString(StandardCharsets.UTF_8)).endsWith("\"unread_count\":1}");
        assertThat(got.frameOf("bob")).isSameAs(got.frameOf("ann"));
        assertThat(got.frameOf("cat").toString(StandardCharsets.UTF_8)).endsWith("\"unread_count\":2}");
        assertThat(got.frameOf("eve").toString(StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"message.new\"}");
        assertThat(got.distinct()).hasSize(3);
        got.release();
        assertThat(got.distinct()).allMatch(b -> b.refCnt() == 0);
    }

    @Test
    void everyAudienceAndADisconnectWithoutFramesSurvive() {
        List<Audience> audiences = List.of(
                Audience.notWatching(List.of("ann", "bob"), "messaging:x"),
                Audience.users(List.of("ann")),
                Audience.presenceOfAndSelf("ann"),
                Audience.presenceOf("bob"),
                Audience.connection("c-1"),
                Audience.watchers("team:y"),
                new Audience.Watchers("team:y", "dan", List.of("ann", "bob")));
        for (Audience a : audiences) {
            Envelope e = Envelope.decode(Envelope.encode("n", Envelope.Kind.DISCONNECT, "user deleted", a, null, 1000));

            assertThat(e.audience()).isEqualTo(a);
            assertThat(e.frames()).isNull();
            assertThat(e.code()).isEqualTo(1000);
            assertThat(e.type()).isEqualTo("user deleted");
        }
    }

    @Test
    void truncatedOrForeignBytesAreRefused() {
        byte[] good = Envelope.encode(
                "n", Envelope.Kind.EVENT, "t", Audience.user("ann"), new Frames(text("{}"), Map.of()), 0);

        assertThatThrownBy(() -> Envelope.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Envelope.decode(new byte[] {9, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
        byte[] hugeCount = good.clone();
        hugeCount[hugeCount.length - 4 - 2 - 4 - 4] = 0x7f; // the frame count's high byte
        assertThatThrownBy(() -> Envelope.decode(hugeCount)).isInstanceOf(IllegalArgumentException.class);
    }
}
