package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.parley.server.session.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's package structure as ARCHITECTURE.md draws it: the floors of its "Packages" diagram, read from
 * the file itself, where a package may use only packages on floors below its own (so there is no cycle), and
 * the rules that keep the layers honest.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ArchitectureTest {
    private static final String BASE = "dev.parley.server";

    static JavaClasses classes;
    static Map<String, Integer> floorOf;

    @BeforeAll
    static void importClasses() throws IOException {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(BASE);
        floorOf = floors(architectureDoc());
    }

    static Path architectureDoc() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("ARCHITECTURE.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as("a directory above the module holding ARCHITECTURE.md")
                .isNotNull();
        return dir.resolve("ARCHITECTURE.md");
    }

    /**
     * The floors between the markers of ARCHITECTURE.md, top floor first: each line is
     * {@code floor N: package package ...}, where {@code (root)} names {@value #BASE} itself.
     */
    static Map<String, Integer> floors(Path doc) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        boolean in = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.contains("<!-- floors:begin -->")) {
                in = true;
            } else if (line.contains("<!-- floors:end -->")) {
                in = false;
            } else if (in && line.trim().startsWith("floor ")) {
                String[] head = line.trim().split(":", 2);
                int floor =
                        Integer.parseInt(head[0].substring("floor ".length()).trim());
                for (String pkg : head[1].trim().split("\\s+")) {
                    out.put(pkg.equals("(root)") ? BASE : BASE + "." + pkg, floor);
                }
            }
        }
        assertThat(out).as("floors in ARCHITECTURE.md").isNotEmpty();
        return out;
    }

    private static String pkg(JavaClass c) {
        return c.getPackageName();
    }

    private static boolean ours(JavaClass c) {
        return c.getPackageName().equals(BASE) || c.getPackageName().startsWith(BASE + ".");
    }

    @Test
    void everyPackageOfTheServerIsOnAFloorOfTheDiagram() {
        TreeSet<String> missing = new TreeSet<>();
        classes.forEach(c -> {
            if (ours(c) && !floorOf.containsKey(pkg(c))) {
                missing.add(pkg(c));
            }
        });
        assertThat(missing).as("packages missing from ARCHITECTURE.md's floors").isEmpty();
    }

    @Test
    void aPackageUsesOnlyPackagesOnLowerFloorsSoThereIsNoCycle() {
        TreeSet<String> upward = new TreeSet<>();
        for (JavaClass c : classes) {
            Integer from = floorOf.get(pkg(c));
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (!ours(target) || pkg(target).equals(pkg(c)) || from == null) {
                    continue;
                }
                Integer to = floorOf.get(pkg(target));
                if (to == null || to >= from) {
                    upward.add(pkg(c) + " (floor " + from + ") -> " + pkg(target) + " (floor " + to + "): "
                            + c.getSimpleName() + " uses " + target.getSimpleName());
                }
            }
        }
        assertThat(upward).as("dependencies that do not go down the floors").isEmpty();
    }

    @Test
    void restHandlersReachNoStoreAndNoSocket() {
        List<String> bad = new ArrayList<>();
        for (JavaClass c : classes) {
            if (!pkg(c).equals(BASE + ".api")) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = pkg(d.getTargetClass());
                if (target.startsWith(BASE + ".store") || target.startsWith("io.netty")) {
                    bad.add(d.getDescription());
                }
            }
        }
        assertThat(bad).as("api classes using the store or Netty").isEmpty();
    }

    @Test
    void onlyTheTransportAndTheEventBrokerWriteToAConnection() {
        List<String> bad = new ArrayList<>();
        for (JavaClass c : classes) {
            String p = pkg(c);
            if (p.equals(BASE + ".transport") || p.equals(BASE + ".events")) {
                continue;
            }
            c.getMethodCallsFromSelf().stream()
                    .filter(call -> call.getTargetOwner().isAssignableTo(Session.class))
                    .filter(call ->
                            call.getName().equals("send") || call.getName().equals("close"))
                    .forEach(call -> bad.add(call.getDescription()));
        }
        assertThat(bad)
                .as("calls of Session.send or Session.close outside transport and events")
                .isEmpty();
    }

    @Test
    void onlyTheTransportTouchesNettyChannels() {
        List<String> bad = new ArrayList<>();
        for (JavaClass c : classes) {
            if (pkg(c).equals(BASE + ".transport")) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = pkg(d.getTargetClass());
                if (target.startsWith("io.netty.channel") || target.startsWith("io.netty.handler")) {
                    bad.add(d.getDescription());
                }
            }
        }
        assertThat(bad)
                .as("Netty channel or handler types outside the transport")
                .isEmpty();
    }
}
