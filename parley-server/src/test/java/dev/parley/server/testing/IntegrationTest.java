package dev.parley.server.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that the fast loop ({@code ./mvnw verify -Pfast}) leaves out although it starts no
 * server through this kit: one that needs PostgreSQL, for example. Classes that use {@link TestServer},
 * {@link ServerExtension} or {@link ServerProcess} are left out without it ({@link UnitTestsOnly}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(IntegrationTest.TAG)
public @interface IntegrationTest {
    String TAG = "integration";
}
