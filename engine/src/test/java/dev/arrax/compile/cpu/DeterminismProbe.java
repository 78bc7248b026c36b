package dev.arrax.compile.cpu;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Programs whose compiled CPU results must be bit-identical with and without the Vector API, for any
 * thread count and row-block size: prints one {@code name=hash} line per program (a hash of the raw
 * bits of every output). {@link CpuDeterminismTest} runs it in this JVM and in child JVMs.
 */
public final class DeterminismProbe {
  static final int ROWS = 20_000;

  private DeterminismProbe() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : ROWS;
    Parallel.setThreads(threads);
    Parallel.minParallelWork = CpuDeterminismTest.SPLIT_SMALL; // small runs split too, as in the parent's test
    System.out.println("vector=" + VectorSupport.AVAILABLE);
    for (Map.Entry<String, Long> e : run(rows).entrySet()) System.out.println(e.getKey() + "=" + Long.toHexString(e.getValue()));
  }

  /** Inputs from a fixed seed, as many rows as asked (the first rows are the same for any count). */
  static float[] data(long seed, int n, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    return x;
  }

  static NDArray mlp(NDArray... a) {
    return Np.dot(Np.tanh(Np.add(Np.dot(a[0], a[1]), a[2])), a[3]);
  }

  static NDArray logisticLoss(NDArray... a) {
    NDArray z = Np.matmul(a[1], a[0]);
    return Np.sum(Np.subtract(Np.logaddexp(z, 0.0), Np.multiply(a[2], z)));
  }

  /** Runs every program on {@code rows} rows and returns each one's output bits, as raw arrays. */
  static Map<String, float[][]> outputs(int rows) {
    Map<String, float[][]> out = new LinkedHashMap<>();
    NDArray x37 = NDArray.fromFlat(data(1, rows * 37, 3), rows, 37);
    out.put("elementwise", run(v -> Np.add(Np.multiply(Np.tanh(v[0]), Np.exp(Np.multiply(v[0], Np.negative(v[0])))),
        Np.log(Np.add(Np.abs(v[0]), 1.0))), x37));
    out.put("rowSumMax", run2(v -> Np.sum(Np.multiply(Np.exp(v[0]), v[0]), -1), v -> Np.max(v[0], -1), x37));
    out.put("logSoftmax", run(v -> Nn.logSoftmax(v[0], -1), x37));
    NDArray longRows = NDArray.fromFlat(data(2, 3 * 9001, 2), 3, 9001);
    out.put("longRowSum", run(v -> Np.sum(Np.exp(v[0]), -1), longRows));
    NDArray flat = NDArray.fromFlat(data(3, rows * 8, 1), rows * 8);
    out.put("sumAll", run2(v -> Np.sum(Np.multiply(v[0], v[0])), v -> Np.max(v[0]), flat));
    NDArray c = NDArray.fromFlat(data(4, rows, 1), rows);
    NDArray x32 = NDArray.fromFlat(data(5, rows * 32, 1), rows, 32);
    out.put("sumOverRows", run(v -> Np.dot(v[0], v[1]), c, x32));
    NDArray w = NDArray.fromFlat(data(6, 37 * 19, 1), 37, 19);
    out.put("matmul", run(v -> Np.matmul(v[0], v[1]), x37, w));
    NDArray w32 = NDArray.fromFlat(data(7, 32, 1), 32);
    out.put("matvec", run(v -> Np.matmul(v[0], v[1]), x32, w32));
    NDArray w1 = NDArray.fromFlat(data(8, 32 * 64, 0.2), 32, 64), b1 = NDArray.fromFlat(data(9, 64, 1), 64);
    NDArray w2 = NDArray.fromFlat(data(10, 64, 0.2), 64);
    Fn perRow = Arrax.vmap(Arrax.grad(DeterminismProbe::mlp), 0, null, null, null);
    out.put("perRowGradient", run(perRow, x32, w1, b1, w2));
    NDArray y = NDArray.fromFlat(data(11, rows, 1), rows);
    Fn summed = Arrax.grad(DeterminismProbe::logisticLoss);
    out.put("summedGradient", run(summed, w32, x32, y));
    return out;
  }

  /** {@link #outputs} as one 64-bit hash of the bits per program. */
  static Map<String, Long> run(int rows) {
    Map<String, Long> h = new LinkedHashMap<>();
    for (Map.Entry<String, float[][]> e : outputs(rows).entrySet()) h.put(e.getKey(), hash(e.getValue()));
    return h;
  }

  static long hash(float[][] arrays) {
    long h = 0xcbf29ce484222325L;
    for (float[] a : arrays) {
      for (float f : a) h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
      h = (h ^ a.length) * 0x100000001b3L;
    }
    return h;
  }

  private static float[][] run(Fn f, NDArray... args) {
    CompiledProgram p = CompiledProgram.compile(Arrax.makeJaxpr(f, args));
    NDArray[] r = p.run(args);
    float[][] out = new float[r.length][];
    for (int i = 0; i < r.length; i++) out[i] = r[i].toFloatArray();
    return out;
  }

  private static float[][] run2(Fn f, Fn g, NDArray... args) {
    return new float[][] {run(f, args)[0], run(g, args)[0]};
  }
}
