package dev.arrax.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue #14's wide rows under Spark's default executor heap: {@link MemoryCases} runs in a child JVM with
 * {@code -Xmx1g} (local[2], so the driver is the executor) and must pass every case, where before batches sized in
 * rows alone failed or died with OutOfMemoryError (exit 52): maps over {@code array<double>} rows of
 * 1,000,000 x 2, 100,000 x 20 and 1,000 x 20,000, the gradient over 1,000,000 parameters, {@code sumGradient} of
 * a one-hidden-layer model with 8,449 parameters over 20,000 rows (each against float64 loops; MemoryCases also
 * has {@code mlp67k}, 67,585 parameters over 4,000 rows, left out here for time), task results of about 16 bytes
 * per parameter, and a batch forced past the heap failing with the connector's message instead of killing the JVM.
 */
class SparkMemoryTest {
  private static final List<String> CASES = List.of("map1m", "map100k", "map1k", "grad1m", "mlp8k", "oommap", "oomgrad");

  @Test
  void wideRowsAndLargeModelsRunInAOneGigabyteHeap() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g"));
    for (String f : System.getProperty("arrax.jvm.flags", "").trim().split("\\s+")) if (!f.isEmpty()) cmd.add(f);
    cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        MemoryCases.class.getName()));
    cmd.addAll(CASES);
    Path log = Files.createTempFile("arrax-memory-cases", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    boolean ended = p.waitFor(300, TimeUnit.SECONDS);
    if (!ended) p.destroyForcibly().waitFor();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    String tail = out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    assertTrue(ended, "the child JVM did not finish within 300 s:\n" + tail);
    assertEquals(0, p.exitValue(), "child JVM exit status (52: an executor's OutOfMemoryError):\n" + tail);
    assertTrue(out.contains("heap max 1024 MB"), tail);
    for (String c : CASES) {
      Matcher m = Pattern.compile("CASE " + c + " ok .*").matcher(out);
      assertTrue(m.find(), "case " + c + " did not pass:\n" + tail);
      System.out.println(m.group());
    }
    // sumGradient's task results: about 16 bytes per parameter (a double-double per value), not ~90 (BigDecimal).
    Matcher r = Pattern.compile("CASE (\\w+) ok .*= ([0-9.]+) bytes/param").matcher(out);
    int seen = 0;
    while (r.find()) {
      double perParam = Double.parseDouble(r.group(2));
      assertTrue(perParam > 15.9 && perParam < 20, r.group(1) + ": " + perParam + " bytes per parameter in a task result");
      seen++;
    }
    assertEquals(2, seen, "task result sizes of the two gradient cases:\n" + tail);
  }

}
