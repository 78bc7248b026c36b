package dev.arrax.gpu;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The condition of the {@code gpu}-tagged tests: cheap first ({@code /dev/nvidiactl} exists), and only
 * then cuDF's own check, which loads the native library (a 1.2 GB extraction that fails without a GPU).
 * Also turns on cuDF's reference-count debugging before cuDF's classes load, so leaks are reported with
 * the stack that allocated them.
 */
public final class GpuTestCondition {
  private GpuTestCondition() {}

  private static Boolean usable;
  private static String reason = "not checked";

  public static synchronized boolean gpuUsable() {
    if (usable != null) return usable;
    if (!Files.exists(Path.of("/dev/nvidiactl"))) {
      reason = "no NVIDIA GPU here (/dev/nvidiactl does not exist)";
      return usable = false;
    }
    if (System.getProperty("ai.rapids.refcount.debug") == null) System.setProperty("ai.rapids.refcount.debug", "true");
    try {
      usable = ai.rapids.cudf.Cuda.isEnvCompatibleForTesting();
      reason = usable ? "usable" : "cuDF reports the CUDA environment incompatible (Cuda.isEnvCompatibleForTesting() is false)";
    } catch (Throwable t) {
      usable = false;
      reason = "cuDF failed to load: " + t;
    }
    return usable;
  }

  public static synchronized String reason() {
    gpuUsable();
    return reason;
  }
}
