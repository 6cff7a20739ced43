package dev.parley.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class InternalErrorsTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(RestApi.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
    }

    private static RuntimeException failure() {
        return new IllegalStateException("broken\nstate");
    }

    @Test
    void anInternalErrorIsOneEscapedLineWithItsStackTraceOnlyTheFirstTimeItsPlaceFails() {
        InternalErrors errors = new InternalErrors();
        HttpCall call = new HttpCall("GET", "/users/a\nINFO forged", Map.of(), Map.of(), null);

        errors.failed(call, failure());
        errors.failed(call, failure());

        List<ILoggingEvent> atError =
                appender.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(atError).hasSize(2);
        assertThat(atError)
                .allSatisfy(e -> assertThat(e.getFormattedMessage())
                        .doesNotContain("\n")
                        .contains("/users/a\\nINFO forged")
                        .contains("broken\\nstate"));
        assertThat(atError.get(0).getThrowableProxy()).isNotNull();
        assertThat(atError.get(1).getThrowableProxy()).isNull();
    }
}
