package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The repository cites its protocol reference by section number ("PROTOCOL.md" followed by the section
 * sign and a number such as 3.7). Every such number, in every source, document and script of the
 * repository, must be a heading of docs/PROTOCOL.md, and every path to a PROTOCOL.md must be that file, so
 * that a reader can always follow a reference. Plain file walk; no server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolReferencesTest {
    /** Written as an escape so that this file's own patterns are not taken for references. */
    private static final String SECTION_SIGN = "\u00a7";

    /** A section reference: the sign, an optional space, then numbers joined by dots. */
    private static final Pattern REFERENCE = Pattern.compile(SECTION_SIGN + " ?(\\d+(?:\\.\\d+)*)");

    /** Text just before a reference that makes it a section of another document, as in "RFC 9112". */
    private static final Pattern OTHER_DOCUMENT = Pattern.compile("RFC[\\s-]*\\d+[\\s*/#]*$");

    /** A numbered heading: "## 3. The WebSocket connection", "### 3.7 The connection id", "#### 6.2.1 ...". */
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(\\d+(?:\\.\\d+)*)\\.?\\s");

    /** A path that ends in PROTOCOL.md; the path must end in docs/. */
    private static final Pattern PATH = Pattern.compile("([\\w.~/-]*/)PROTOCOL\\.md");

    private static final Set<String> EXTENSIONS = Set.of("java", "md", "js", "mjs", "ts", "tsx", "sh");
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", "node_modules", ".git");

    /** The launcher script at the root, which has no extension. */
    private static final String LAUNCHER = "parley";

    record Reference(Path file, int line, String section) {}

    @Test
    void everySectionCitedInTheRepositoryIsAHeadingOfTheProtocolReference() throws IOException {
        Path root = repositoryRoot();
        Set<String> headings = headings(root.resolve("docs/PROTOCOL.md"));
        List<Reference> references = new ArrayList<>();
        for (Path file : sources(root)) {
            references.addAll(references(root, file));
        }

        List<String> unresolved = references.stream()
                .filter(r -> !headings.contains(r.section()))
                .map(r -> r.file() + ":" + r.line() + " cites " + SECTION_SIGN + r.section())
                .toList();
        System.out.println("ProtocolReferencesTest: " + references.size() + " section references in "
                + references.stream().map(Reference::file).distinct().count() + " files, "
                + headings.size() + " numbered headings in docs/PROTOCOL.md");
        assertThat(references).as("section references found under " + root).isNotEmpty();
        assertThat(unresolved)
                .as("references to sections that docs/PROTOCOL.md does not have")
                .isEmpty();
    }

    @Test
    void everyPathToAProtocolReferenceIsTheRepositorysOwn() throws IOException {
        Path root = repositoryRoot();
        List<String> elsewhere = new ArrayList<>();
        for (Path file : sources(root)) {
            String text = read(file);
            Matcher m = PATH.matcher(text);
            while (m.find()) {
                String dir = m.group(1);
                if (!dir.equals("docs/") && !dir.endsWith("/docs/")) {
                    elsewhere.add(root.relativize(file) + ":" + lineOf(text, m.start()) + " cites " + m.group());
                }
            }
        }
        assertThat(elsewhere)
                .as("PROTOCOL.md paths other than docs/PROTOCOL.md")
                .isEmpty();
    }

    @Test
    void headingsAreReadWithTheirFullNumber() throws IOException {
        Set<String> headings = headings(repositoryRoot().resolve("docs/PROTOCOL.md"));
        assertThat(headings).contains("1", "3.7", "6.2.1", "7.0", "10.1", "14");
    }

    /** The module's directory or one of its parents: the first that holds docs/PROTOCOL.md. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs/PROTOCOL.md"))) {
                return p;
            }
        }
        throw new AssertionError("no directory above " + Path.of("").toAbsolutePath() + " holds docs/PROTOCOL.md");
    }

    /** Section numbers of the numbered headings, outside fenced code blocks. */
    private static Set<String> headings(Path protocol) throws IOException {
        Set<String> out = new TreeSet<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(protocol, StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!fenced && m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static List<Reference> references(Path root, Path file) {
        String text = read(file);
        List<Reference> out = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            String before = text.substring(Math.max(0, m.start() - 40), m.start());
            if (!OTHER_DOCUMENT.matcher(before).find()) {
                out.add(new Reference(root.relativize(file), lineOf(text, m.start()), m.group(1)));
            }
        }
        return out;
    }

    /** Source, document and script files of the repository, build output and dependencies left out. */
    private static List<Path> sources(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root)
                                && SKIPPED_DIRECTORIES.contains(
                                        dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                int dot = name.lastIndexOf('.');
                boolean launcher = name.equals(LAUNCHER) && file.getParent().equals(root);
                if (attrs.isRegularFile() && (launcher || dot > 0 && EXTENSIONS.contains(name.substring(dot + 1)))) {
                    out.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }

    /** The file as UTF-8; bytes that are not UTF-8 become replacement characters rather than failing. */
    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
