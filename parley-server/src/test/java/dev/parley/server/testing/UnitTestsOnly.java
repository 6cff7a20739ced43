package dev.parley.server.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * The fast test loop ({@code ./mvnw verify -Pfast}, which sets the system property {@value #PROPERTY}): leaves
 * out every test class that starts a real server, that is every class whose bytecode, or that of a class
 * nested in it or a superclass, refers to {@link TestServer}, {@link ServerExtension} or {@link ServerProcess}.
 * Without the property it leaves every test in. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.PostDiscoveryFilter}, so it applies in every module
 * whose tests have this test kit on their class path. A slow test that starts no server through the kit
 * is marked {@link IntegrationTest} instead.
 */
public final class UnitTestsOnly implements PostDiscoveryFilter {
    public static final String PROPERTY = "parley.test.unitOnly";

    private static final List<byte[]> KIT = Stream.of(TestServer.class, ServerExtension.class, ServerProcess.class)
            .map(c -> c.getName().replace('.', '/').getBytes(US_ASCII))
            .toList();

    private final boolean active = Boolean.getBoolean(PROPERTY);
    private final Map<Class<?>, Boolean> startsServer = new ConcurrentHashMap<>();

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        if (!active) {
            return FilterResult.included("every test runs");
        }
        Optional<Class<?>> testClass = descriptor.getSource().flatMap(UnitTestsOnly::javaClass);
        if (testClass.isPresent() && startsServer.computeIfAbsent(testClass.get(), UnitTestsOnly::usesKit)) {
            return FilterResult.excluded("starts a server (" + PROPERTY + "=true)");
        }
        return FilterResult.included("starts no server");
    }

    private static Optional<Class<?>> javaClass(TestSource source) {
        if (source instanceof ClassSource c) {
            return Optional.of(c.getJavaClass());
        }
        if (source instanceof MethodSource m) {
            return Optional.of(m.getJavaClass());
        }
        return Optional.empty();
    }

    /** True when the class, its nest (nested, inner and anonymous classes) or a superclass refers to the kit. */
    private static boolean usesKit(Class<?> testClass) {
        for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Class<?> member : c.getNestHost().getNestMembers()) {
                if (refersToKit(member)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean refersToKit(Class<?> c) {
        byte[] bytes = classFile(c);
        return KIT.stream().anyMatch(name -> indexOf(bytes, name) >= 0);
    }

    private static byte[] classFile(Class<?> c) {
        String resource = c.getName().replace('.', '/') + ".class";
        ClassLoader loader = c.getClassLoader() != null ? c.getClassLoader() : ClassLoader.getSystemClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
