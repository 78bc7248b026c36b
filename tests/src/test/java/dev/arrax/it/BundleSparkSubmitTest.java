package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrax.examples.SamplerStatistics;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's spark-submit recipe, run for real: {@code org.apache.spark.deploy.SparkSubmit} in a child JVM whose
 * classpath is Spark's alone (no Arrax class on it, checked), {@code --jars} the bundle and nothing else, the
 * examples jar as the application. Submitted to {@code local[2]} and to {@code local-cluster[2,1,1024]} (two
 * executor JVMs that get the bundle only through Spark's jar distribution); the printed statistics are compared
 * with float64 loops run here. A third test checks what the bundle holds and what it must not hold.
 */
class BundleSparkSubmitTest {
  private static final int ROWS = 3000;
  private static Path bundle;
  private static Path appJar;
  private static String sparkClassPath;

  @BeforeAll
  static void locate() throws Exception {
    bundle = jar("arrax.bundle.jar");
    appJar = jar("arrax.examples.jar");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // Spark's runtime classpath: the test classpath without Arrax's own jars and class folders.
    sparkClassPath = Stream.of(cp.split(File.pathSeparator))
        .filter(s -> !s.isBlank() && new File(s).isFile())
        .filter(s -> !new File(s).getName().startsWith("arrax-"))
        .map(s -> new File(s).getAbsolutePath())
        .collect(Collectors.joining(File.pathSeparator));
    List<URL> urls = new ArrayList<>();
    for (String s : sparkClassPath.split(File.pathSeparator)) urls.add(new File(s).toURI().toURL());
    try (URLClassLoader sparkOnly = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
      assertNotNull(sparkOnly.loadClass("org.apache.spark.deploy.SparkSubmit"));
      assertThrows(ClassNotFoundException.class, () -> sparkOnly.loadClass("dev.arrax.Fn"),
          "the child JVM's classpath must not hold Arrax: only the bundle may bring it");
    }
  }

  private static Path jar(String property) {
    String p = System.getProperty(property);
    if (p == null || p.isBlank() || p.startsWith("${") || !Files.isRegularFile(Path.of(p))) {
      fail("system property " + property + " must name a jar (the tests module's pom sets it), got: " + p);
    }
    return Path.of(p);
  }

  @Test
  void bundleHoldsArraxAndRelocatedJaninoOnly() throws IOException {
    long size = Files.size(bundle);
    assertTrue(size > 500_000 && size < 5_000_000, "bundle size " + size + " bytes");
    List<String> foreign = new ArrayList<>();
    int classes = 0;
    try (JarFile jar = new JarFile(bundle.toFile())) {
      for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
        String name = e.nextElement().getName();
        if (name.endsWith(".class")) {
          classes++;
          if (!name.startsWith("dev/arrax/")) foreign.add(name);
        }
        for (String banned : List.of("org/apache/arrow/", "io/netty/", "com/fasterxml/", "scala/", "org/apache/spark/",
            "org/slf4j/", "com/google/flatbuffers/", "org/codehaus/")) {
          if (name.startsWith(banned)) foreign.add(name);
        }
      }
      assertEquals(List.of(), foreign.subList(0, Math.min(20, foreign.size())), "classes Spark ships or unrelocated ones");
      assertTrue(classes > 500, "classes: " + classes);
      for (String required : List.of("dev/arrax/Arrax.class", "dev/arrax/arrow/ArrowArrays.class",
          "dev/arrax/spark/ArraxSpark.class", "dev/arrax/syntax/package.class",
          "dev/arrax/shaded/org/codehaus/janino/SimpleCompiler.class")) {
        assertNotNull(jar.getEntry(required), required);
      }
      String services = new String(jar.getInputStream(jar.getEntry("META-INF/services/dev.arrax.backend.Backend")).readAllBytes(),
          StandardCharsets.UTF_8);
      assertTrue(services.lines().anyMatch(l -> l.strip().equals("dev.arrax.compile.cpu.CpuBackend")), services);
      String kernelCache = new String(jar.getInputStream(jar.getEntry("dev/arrax/compile/cpu/KernelCache.class")).readAllBytes(),
          StandardCharsets.ISO_8859_1);
      assertTrue(kernelCache.contains("dev/arrax/shaded/org/codehaus/janino/UnitCompiler"), "the engine calls the relocated Janino");
      assertFalse(kernelCache.contains("Lorg/codehaus/janino/"), "no reference to the unrelocated Janino");
      assertFalse(kernelCache.contains("Lorg/codehaus/commons/"), "no reference to the unrelocated commons-compiler (its ByteArrayClassLoader)");
    }
  }

  @Test
  @Timeout(240)
  void submittedToLocalMasterTheExamplePrintsTheStatistics() throws Exception {
    checkResult(submit("local[2]", List.of()));
  }

  @Test
  @Timeout(300)
  void submittedToLocalClusterTheExecutorsGetTheBundleFromSpark() throws Exception {
    String home = System.getenv("SPARK_HOME");
    assertNotNull(home, "SPARK_HOME (the tests module's surefire configuration sets it)");
    Files.createDirectories(Path.of(home, "jars"));
    // Executors start from Spark's classpath alone; the bundle and the app reach them through --jars.
    checkResult(submit("local-cluster[2,1,1024]", List.of(
        "--conf", "spark.executor.extraClassPath=" + sparkClassPath,
        "--conf", "spark.task.maxFailures=1")));
  }

  private static String submit(String master, List<String> extra) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The JVM flags spark-submit's launcher adds (Arrow's java.nio, the Vector API).
    cmd.addAll(List.of(System.getProperty("arrax.jvm.flags", "").trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx1g", "-cp", sparkClassPath, "org.apache.spark.deploy.SparkSubmit",
        "--master", master,
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false"));
    cmd.addAll(extra);
    cmd.addAll(List.of("--jars", bundle.toString(), "--class", SamplerStatistics.class.getName(),
        appJar.toString(), String.valueOf(ROWS)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.putIfAbsent("SPARK_SCALA_VERSION", "2.13");
    Path log = Files.createTempFile("spark-submit-", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(200, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("spark-submit to " + master + " did not finish in 200 s:\n" + tail(log));
    }
    String out = Files.readString(log);
    Files.deleteIfExists(log);
    assertEquals(0, p.exitValue(), "spark-submit to " + master + " exited with " + p.exitValue() + ":\n" + tail(out));
    return out;
  }

  private static void checkResult(String out) {
    Matcher m = Pattern.compile("RESULT sampler-statistics rows=(\\d+) entropy=(\\S+) varentropy=(\\S+) kl=(\\S+) max_error=(\\S+)")
        .matcher(out);
    assertTrue(m.find(), "no RESULT line in the output:\n" + tail(out));
    double[][] logits = SamplerStatistics.logits(ROWS);
    double[] q = SamplerStatistics.logq();
    double[] mean = new double[3];
    for (double[] row : logits) {
      double[] r = SamplerStatistics.reference(row, q);
      for (int k = 0; k < 3; k++) mean[k] += r[k] / ROWS;
    }
    assertEquals(ROWS, Integer.parseInt(m.group(1)), "rows");
    assertEquals(mean[0], Double.parseDouble(m.group(2)), 1e-10, "mean entropy");
    assertEquals(mean[1], Double.parseDouble(m.group(3)), 1e-10, "mean varentropy");
    assertEquals(mean[2], Double.parseDouble(m.group(4)), 1e-10, "mean KL");
    assertTrue(Double.parseDouble(m.group(5)) < 1e-12, "max error per row " + m.group(5));
    assertFalse(out.contains("multiple SLF4J providers") || out.contains("multiple providers"), "one SLF4J provider:\n" + tail(out));
  }

  private static String tail(Path log) throws IOException {
    return tail(Files.readString(log));
  }

  private static String tail(String s) {
    return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
  }
}
