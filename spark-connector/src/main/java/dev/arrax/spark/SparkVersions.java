package dev.arrax.spark;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Spark versions the connector supports, checked on the driver before any Spark job: Spark 4.0.x, 4.1.x and
 * 4.2.x with Scala 2.13, in a classic (JVM) session. Spark 3.x lacks {@code org.apache.spark.sql.classic}, which the
 * connector builds on; newer lines are untested. {@code -Darrax.spark.versionCheck=false} (a system property of the
 * driver) skips the check, at the user's risk. Spark Connect clients are not supported.
 */
public final class SparkVersions {
  /** The supported lines, as the error message names them. */
  public static final String SUPPORTED = "4.0.x, 4.1.x and 4.2.x (Scala 2.13, classic sessions; not Spark Connect)";

  private static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

  private SparkVersions() {}

  /** Whether {@code version} (as {@code SparkSession.version()} gives it, e.g. {@code 4.2.0} or {@code 4.1.0-SNAPSHOT}) is supported. */
  public static boolean isSupported(String version) {
    if (version == null) return false;
    String[] parts = version.split("[.\\-+]");
    if (parts.length < 2) return false;
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = Integer.parseInt(parts[1]);
      return major == 4 && minor >= 0 && minor <= 2;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Fails with a message naming the supported versions when {@code version} is not one of them; {@code op} names the
   * call. Checks each version string once per JVM.
   */
  public static void require(String op, String version) {
    if (CHECKED.contains(String.valueOf(version)) || "false".equalsIgnoreCase(System.getProperty("arrax.spark.versionCheck"))) return;
    if (!isSupported(version)) {
      throw new ArraxSparkException(op + ": Spark " + version + " is not supported; the Arrax connector runs on Spark " + SUPPORTED
          + ". Use a supported Spark, or set -Darrax.spark.versionCheck=false on the driver to try anyway");
    }
    CHECKED.add(version);
  }
}
