package dev.arrax.arrow;

import dev.arrax.NDArray;
import dev.arrax.backend.HostArrays;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * Throughput of Float4 FixedSizeList [rows, d] -> f32 array (one bulk copy out of Arrow memory into a fresh
 * float[]) against System.arraycopy of the same number of bytes between two float[], into a preallocated and
 * into a freshly allocated array (the conversion always allocates), plus the conversion's copy alone into a
 * preallocated array. Large fresh arrays cost page faults: run with {@code -Xms8g -Xmx8g -XX:+AlwaysPreTouch}
 * for steadier numbers. Not a test; run with:
 *
 * <pre>
 * mvn -o -q test-compile -pl arrow-io -Darrax.target=target-X
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp arrow-io/target-X/test-classes:arrow-io/target-X/classes:$(deps) \
 *     dev.arrax.arrow.ConversionBench [rows] [d] [iterations]
 * </pre>
 */
public final class ConversionBench {
  private ConversionBench() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int n = rows * d;
    long bytes = 4L * n;
    float[] source = new float[n];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < n; i++) source[i] = (float) r.nextDouble();

    try (BufferAllocator allocator = new RootAllocator();
         FieldVector column = ArrowArrays.fromArray(NDArray.fromFlat(source, rows, d), "x", allocator)) {
      float[] target = new float[n];
      double sink = 0;
      // warm-up: JIT the three paths
      for (int i = 0; i < 5; i++) {
        sink += checksum(ArrowArrays.toArray(column));
        System.arraycopy(source, 0, target, 0, n);
        sink += target[i];
        float[] fresh = new float[n];
        System.arraycopy(source, 0, fresh, 0, n);
        sink += fresh[i];
        readInto(column, target);
      }
      long convert = 0;
      long copyPre = 0;
      long copyFresh = 0;
      long readPre = 0;
      for (int i = 0; i < iterations; i++) {
        long t0 = System.nanoTime();
        NDArray a = ArrowArrays.toArray(column);
        long t1 = System.nanoTime();
        System.arraycopy(source, 0, target, 0, n);
        long t2 = System.nanoTime();
        float[] fresh = new float[n];
        System.arraycopy(source, 0, fresh, 0, n);
        long t3 = System.nanoTime();
        readInto(column, target);
        long t4 = System.nanoTime();
        convert += t1 - t0;
        copyPre += t2 - t1;
        copyFresh += t3 - t2;
        readPre += t4 - t3;
        sink += checksum(a) + target[i] + fresh[i];
      }
      System.out.printf("Float4 FixedSizeList [%d, %d] (%.1f MB), %d iterations, %s, %d cpus%n", rows, d, bytes / 1e6,
          iterations, System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors());
      System.out.printf("  ArrowArrays.toArray                  %6.2f GB/s  (%.2f ms per call)%n", gbps(bytes, convert, iterations), convert / 1e6 / iterations);
      System.out.printf("  Arrow bulk read, preallocated dst    %6.2f GB/s  (%.2f ms per call)%n", gbps(bytes, readPre, iterations), readPre / 1e6 / iterations);
      System.out.printf("  System.arraycopy, preallocated dst   %6.2f GB/s  (%.2f ms per call)%n", gbps(bytes, copyPre, iterations), copyPre / 1e6 / iterations);
      System.out.printf("  new float[] + System.arraycopy       %6.2f GB/s  (%.2f ms per call)%n", gbps(bytes, copyFresh, iterations), copyFresh / 1e6 / iterations);
      System.out.printf("  toArray / (new + arraycopy) time ratio: %.2f   (checksum %s)%n", (double) convert / copyFresh, sink);
    }
  }

  /** The copy toArray makes, without the allocation of the result: Arrow child buffer -> existing float[]. */
  private static void readInto(FieldVector column, float[] target) {
    FieldVector child = ((org.apache.arrow.vector.complex.FixedSizeListVector) column).getDataVector();
    BufferCopy.readFloats(child.getDataBuffer(), 0, target, 0, target.length);
  }

  private static double checksum(NDArray a) {
    float[] v = (float[]) HostArrays.data(a);
    return v.length == 0 ? 0 : v[v.length / 2];
  }

  private static double gbps(long bytes, long nanos, int iterations) {
    return bytes * (double) iterations / nanos;
  }
}
