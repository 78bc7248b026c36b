package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of CONVENTIONS.md, read off the sources: the Spark connector and arrow-io reach the
 * engine only through its backend API (no CPU code generator, no engine internals), and nothing but the
 * gpu-rapids module imports cuDF ({@code ai.rapids}).
 */
class ModuleBoundariesTest {
  private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;", Pattern.MULTILINE);

  /** The repository root: the parent of this module's folder (Surefire runs in the module folder). */
  static Path root() {
    Path here = Paths.get(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path root = here.getParent();
    assertTrue(Files.isDirectory(root.resolve("spark-connector")) && Files.isDirectory(root.resolve("engine")),
        "not the repository root: " + root);
    return root;
  }

  /** "path:line: import x" for every import under {@code dir} whose name starts with one of {@code prefixes}. */
  static List<String> imports(Path dir, String... prefixes) {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) return found;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".scala"))::iterator) {
        String text = Files.readString(f);
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
          String name = m.group(1);
          for (String p : prefixes) {
            if (name.equals(p) || name.startsWith(p + ".")) {
              int line = 1;
              for (int i = 0; i < m.start(); i++) if (text.charAt(i) == '\n') line++;
              found.add(root().relativize(f) + ":" + line + ": import " + name);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  /** Every use of a name written out in full in code (not in an import), e.g. {@code dev.arrax.compile.cpu.Parallel.run(...)}. */
  static List<String> qualifiedUses(Path dir, String name) {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String l = lines.get(i).trim();
          boolean comment = l.startsWith("*") || l.startsWith("//") || l.startsWith("/*");
          if (!comment && !l.startsWith("import ") && l.contains(name)) found.add(root().relativize(f) + ":" + (i + 1) + ": " + l);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  @Test
  void theConnectorAndArrowIoUseTheBackendApiOnly() {
    String[] forbidden = {"dev.arrax.compile.cpu", "ai.rapids", "dev.arrax.core.Buffer", "dev.arrax.core.ConcreteArray", "dev.arrax.core.Tracer"};
    for (String module : List.of("spark-connector", "arrow-io")) {
      Path main = root().resolve(module).resolve("src/main");
      assertTrue(Files.isDirectory(main), main.toString());
      assertEquals(List.of(), imports(main, forbidden), module + " must reach the engine through dev.arrax.backend (Backends, Executable, "
          + "HostArrays, DirectArray) only");
      for (String f : forbidden) assertEquals(List.of(), qualifiedUses(main, f + "."), module + " names " + f + " in code");
    }
    // the scan sees imports: the connector does use the backend API
    assertTrue(imports(root().resolve("spark-connector/src/main"), "dev.arrax.backend").size() >= 5);
  }

  @Test
  void onlyGpuRapidsImportsCudf() {
    List<String> found = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root())) {
      for (Path m : (Iterable<Path>) modules.filter(p -> Files.isRegularFile(p.resolve("pom.xml")))::iterator) {
        if (m.getFileName().toString().equals("gpu-rapids")) continue;
        found.addAll(imports(m.resolve("src"), "ai.rapids"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(List.of(), found, "only gpu-rapids may import ai.rapids (cuDF)");
  }
}
