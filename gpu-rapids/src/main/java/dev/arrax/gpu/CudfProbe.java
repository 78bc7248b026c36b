package dev.arrax.gpu;

import ai.rapids.cudf.Cuda;
import dev.arrax.backend.Claim;

/**
 * The part of the availability check that loads cuDF's native library: only called once the classes
 * are present and {@code /dev/nvidiactl} exists ({@link CudfBackend#probe()}).
 */
final class CudfProbe {
  private CudfProbe() {}

  static Claim probe() {
    try {
      int devices = Cuda.getDeviceCount();
      if (devices < 1) return Claim.no("CUDA reports no GPU device");
      int driver = Cuda.getDriverVersion(), runtime = Cuda.getRuntimeVersion();
      if (driver < runtime) {
        return Claim.no("the CUDA driver (" + version(driver) + ") is older than the runtime cuDF was built for (" + version(runtime)
            + "); use the cudf jar of the matching classifier (cuda12 for 12.x drivers)");
      }
      return Claim.yes();
    } catch (Throwable t) {
      return Claim.no("cuDF could not use the GPU: " + t);
    }
  }

  private static String version(int v) {
    return v / 1000 + "." + (v % 1000) / 10;
  }
}
