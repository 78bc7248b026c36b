package dev.arrax.it;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.tools.nsc.Global;
import scala.tools.nsc.Settings;
import scala.tools.nsc.reporters.StoreReporter;

/**
 * Notebook cells compiled in-process with scala-compiler 2.13 (for {@link ScalaNotebookTest} and
 * {@link ScalaSparkNotebookTest}): a cell is wrapped in {@code object Name { ... }}, compiled against the test
 * classpath, loaded, and its top-level {@code val}s read through the object's static forwarders. A compile error fails with the messages and cell line numbers.
 */
final class ScalaCells {
  private ScalaCells() {}

  static Class<?> compile(Path tmp, String name, String cell) throws Exception {
    String source = "object " + name + " {\n" + cell + "\n}\n";
    Path srcDir = Files.createDirectories(tmp.resolve(name + "-src"));
    Path outDir = Files.createDirectories(tmp.resolve(name + "-classes"));
    Path file = srcDir.resolve(name + ".scala");
    Files.writeString(file, source, StandardCharsets.UTF_8);

    List<String> settingErrors = new ArrayList<>();
    Settings settings = new Settings(msg -> {
      settingErrors.add(msg);
      return BoxedUnit.UNIT;
    });
    List<String> args = List.of("-classpath", classPath(), "-d", outDir.toString(), "-encoding", "UTF-8", "-nowarn");
    boolean ok = (Boolean) settings.processArguments(CollectionConverters.asScala(args).toList(), true)._1();
    if (!ok || !settingErrors.isEmpty()) throw new AssertionFailedError("bad scalac settings: " + settingErrors);
    StoreReporter reporter = new StoreReporter(settings);
    Global global = new Global(settings, reporter);
    try {
      global.new Run().compile(CollectionConverters.asScala(List.of(file.toString())).toList());
    } finally {
      global.close();
    }
    if (reporter.hasErrors()) {
      List<String> errors = new ArrayList<>();
      for (StoreReporter.Info info : CollectionConverters.asJava(reporter.infos())) {
        if (!"ERROR".equals(String.valueOf(info.severity()))) continue;
        String where = info.pos().isDefined() ? "cell line " + (info.pos().line() - 1) + ": " : "";
        String code = info.pos().isDefined() ? "\n    " + info.pos().lineContent().strip() : "";
        errors.add(where + info.msg() + code);
      }
      throw new AssertionFailedError("Scala cell '" + name + "' does not compile (" + errors.size() + " error(s)):\n  "
          + String.join("\n  ", errors) + "\n--- cell ---\n" + cell);
    }
    URLClassLoader loader = new URLClassLoader(new URL[] {outDir.toUri().toURL()}, ScalaCells.class.getClassLoader());
    return Class.forName(name, true, loader);
  }

  static Object read(Class<?> cell, String val) throws Exception {
    try {
      return cell.getMethod(val).invoke(null);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause() instanceof ExceptionInInitializerError && e.getCause().getCause() != null
          ? e.getCause().getCause() : e.getCause();
      throw new AssertionFailedError("Scala cell " + cell.getName() + " failed at run time: " + cause, cause);
    }
  }

  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Stream.of(cp.split(File.pathSeparator)).filter(p -> !p.isBlank() && new File(p).exists())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
