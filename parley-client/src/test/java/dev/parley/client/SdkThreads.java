package dev.parley.client;

import dev.parley.client.internal.ClientThreads;
import java.util.List;

/**
 * The SDK's live threads: its own (the leak watcher's included) and the selector threads of the JDK HTTP clients it creates.
 */
final class SdkThreads {
    private SdkThreads() {}

    static List<String> live() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(ClientThreads.PREFIX)
                        || n.startsWith("HttpClient-") && n.endsWith("-SelectorManager"))
                .toList();
    }
}
