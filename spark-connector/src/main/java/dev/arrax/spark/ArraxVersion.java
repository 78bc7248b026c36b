package dev.arrax.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Properties;

/**
 * The Arrax version of this jar and the version of the program text format ({@code Program.toText}) that the
 * connector ships to executors. Every task carries the driver's {@link Stamp} and checks it against the
 * executor's before it parses a program: a driver and executors with different Arrax jars would otherwise fail
 * later with a parse error, or compute with different rules, instead of saying what is wrong.
 */
final class ArraxVersion {
  private ArraxVersion() {}

  /** This jar's Arrax version, from the build ({@code arrax-version.properties}), or {@code "unknown"}. */
  static final String VERSION = load();

  /**
   * The version of the program text format as this connector writes and reads it; raise it whenever
   * {@code ProgramPrinter}/{@code ProgramParser} change in a way an older reader would not take.
   */
  static final int IR_FORMAT = 1;

  /** Test hook: when set, the driver stamps shipped programs with this version instead of {@link #VERSION}. */
  static volatile String shippedVersionForTests;

  /** What the driver stamps on a shipped program: its Arrax version and program format. */
  record Stamp(String arrax, int irFormat) implements Serializable {
    /** Fails, naming both versions and the fix, when this stamp is not the running jar's. */
    void check(String op) {
      if (arrax.equals(VERSION) && irFormat == IR_FORMAT) return;
      throw new ArraxSparkException(op + ": the driver shipped a program from Arrax " + arrax + " (program format " + irFormat
          + "), but this executor runs Arrax " + VERSION + " (program format " + IR_FORMAT + "); the driver and the executors must "
          + "run the same Arrax jar: ship one copy to both (spark-submit --jars or spark.jars with the arrax-spark bundle) and remove "
          + "any other Arrax jar from the executors' classpath (spark.executor.extraClassPath, the cluster's jars folder)");
    }
  }

  /** The stamp for a program shipped now (on the driver). */
  static Stamp forShipping() {
    String v = shippedVersionForTests;
    return new Stamp(v != null ? v : VERSION, IR_FORMAT);
  }

  private static String load() {
    try (InputStream in = ArraxVersion.class.getResourceAsStream("arrax-version.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown").trim();
      return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
