package dev.arrax.testing;

import dev.arrax.DType;
import dev.arrax.NDArray;
import java.util.Arrays;
import java.util.Random;

/** Seeded random arrays and shapes for property tests. Tests print the seed in their failure messages. */
public final class Rand {
  private final long seed;
  private final Random rng;

  public Rand(long seed) {
    this.seed = seed;
    this.rng = new Random(seed);
  }

  public long seed() { return seed; }

  public Random random() { return rng; }

  /** Standard normal f64 values of the given shape. */
  public NDArray normal(int... shape) {
    double[] d = new double[size(shape)];
    for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian();
    return NDArray.fromFlat(d, shape);
  }

  public NDArray normal(DType dtype, int... shape) {
    return normal(shape).astype(dtype);
  }

  /** Uniform f64 values in [lo, hi). */
  public NDArray uniform(double lo, double hi, int... shape) {
    double[] d = new double[size(shape)];
    for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
    return NDArray.fromFlat(d, shape);
  }

  /** Integers in [lo, hi) of the given dtype. */
  public NDArray ints(int lo, int hi, DType dtype, int... shape) {
    double[] d = new double[size(shape)];
    for (int i = 0; i < d.length; i++) d[i] = lo + rng.nextInt(hi - lo);
    return NDArray.fromFlat(d, dtype, shape);
  }

  /** A random shape of rank 0..maxRank with dimensions 1..maxDim (0 allowed when {@code allowEmpty}). */
  public int[] shape(int maxRank, int maxDim, boolean allowEmpty) {
    int r = rng.nextInt(maxRank + 1);
    int[] s = new int[r];
    for (int i = 0; i < r; i++) s[i] = (allowEmpty && rng.nextInt(8) == 0) ? 0 : 1 + rng.nextInt(maxDim);
    return s;
  }

  public int[] shape(int maxRank, int maxDim) { return shape(maxRank, maxDim, false); }

  public int nextInt(int bound) { return rng.nextInt(bound); }

  public String describe() { return "seed=" + seed; }

  private static int size(int[] shape) {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }
}
