package dev.arrax.compile.cpu.math;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elements per second of {@link VectorMath}'s tanh/exp/log against plain {@code Math} loops over
 * 1M floats (and of {@link ScalarMath} and a fused per-vector loop): a main, not a test.
 *
 * <pre>
 * mvn -o -q test-compile -pl engine
 * java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes:$SLF4J \
 *     dev.arrax.compile.cpu.math.VectorMathBench
 * </pre>
 * Each case is warmed up (3 rounds), then timed as the best of 5 runs.
 */
public final class VectorMathBench {
  private VectorMathBench() {}

  interface Kernel { void run(float[] in, float[] out); }

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static volatile float sink;

  public static void main(String[] args) {
    int n = 1 << 20;
    Random rng = new Random(1);
    float[] x = new float[n], pos = new float[n], out = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rng.nextGaussian() * 3);
      pos[i] = Math.abs(x[i]) + 1e-3f;
    }
    System.out.println("VectorMath.available() = " + VectorMath.available() + ", species "
        + S + ", " + n + " floats, best of 5 after warm-up");
    Object[][] cases = {
      {"tanh  VectorMath", x, (Kernel) (a, b) -> VectorMath.tanh(a, 0, b, 0, a.length)},
      {"tanh  Math.tanh loop", x, (Kernel) (a, b) -> { for (int i = 0; i < a.length; i++) b[i] = (float) Math.tanh(a[i]); }},
      {"tanh  ScalarMath", x, (Kernel) (a, b) -> ScalarMath.tanh(a, 0, b, 0, a.length)},
      {"tanh  fused per-vector tanh(0.5x+0.1)", x, (Kernel) (a, b) -> {
        int i = 0;
        for (int bound = S.loopBound(a.length); i < bound; i += S.length()) {
          VectorMath.tanh(FloatVector.fromArray(S, a, i).fma(0.5f, 0.1f)).intoArray(b, i);
        }
        for (; i < a.length; i++) b[i] = ScalarMath.tanh(Math.fma(a[i], 0.5f, 0.1f));
      }},
      {"exp   VectorMath", x, (Kernel) (a, b) -> VectorMath.exp(a, 0, b, 0, a.length)},
      {"exp   Math.exp loop", x, (Kernel) (a, b) -> { for (int i = 0; i < a.length; i++) b[i] = (float) Math.exp(a[i]); }},
      {"exp   ScalarMath", x, (Kernel) (a, b) -> ScalarMath.exp(a, 0, b, 0, a.length)},
      {"log   VectorMath", pos, (Kernel) (a, b) -> VectorMath.log(a, 0, b, 0, a.length)},
      {"log   Math.log loop", pos, (Kernel) (a, b) -> { for (int i = 0; i < a.length; i++) b[i] = (float) Math.log(a[i]); }},
      {"log   ScalarMath", pos, (Kernel) (a, b) -> ScalarMath.log(a, 0, b, 0, a.length)},
    };
    double[] rate = new double[cases.length];
    for (int round = 0; round < 3; round++) {
      for (Object[] c : cases) time((Kernel) c[2], (float[]) c[1], out, 2);
    }
    for (int k = 0; k < cases.length; k++) {
      rate[k] = time((Kernel) cases[k][2], (float[]) cases[k][1], out, 5);
      System.out.printf("%-40s %9.1f M elements/s%n", cases[k][0], rate[k] / 1e6);
    }
    System.out.printf("ratios VectorMath / Math: tanh %.0fx, exp %.0fx, log %.0fx%n",
        rate[0] / rate[1], rate[4] / rate[5], rate[7] / rate[8]);
  }

  /** Best elements/s over reps runs. */
  private static double time(Kernel k, float[] in, float[] out, int reps) {
    double best = Double.MAX_VALUE;
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      k.run(in, out);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      sink += out[r];
    }
    return in.length / best;
  }
}
