package dev.arrax.compile.cpu;

/**
 * Whether the {@code jdk.incubator.vector} module is in this JVM (run with
 * {@code --add-modules jdk.incubator.vector}; Spark's launcher adds it). Kept apart from the classes
 * that use the Vector API so that checking it never loads them.
 */
public final class VectorSupport {
  private VectorSupport() {}

  /**
   * True when the {@code jdk.incubator.vector} module is loaded and {@code -Darrax.disableVectorApi} is not
   * set; f32 kernels and matrix products then use the Vector API.
   */
  public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !Boolean.getBoolean("arrax.disableVectorApi");
}
