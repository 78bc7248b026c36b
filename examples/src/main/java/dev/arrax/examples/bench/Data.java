package dev.arrax.examples.bench;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Seeded input data, generated in parallel chunks (deterministic for a given seed and size). */
final class Data {
  private Data() {}

  private static final int CHUNK = 1 << 16;

  /** {@code n} standard normal floats times {@code scale}. */
  static float[] normal(long seed, int n, double scale) {
    float[] out = new float[n];
    int chunks = (n + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks).parallel().forEach(c -> {
      SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + c);
      for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) out[i] = (float) (rng.nextGaussian() * scale);
    });
    return out;
  }

  /** {@code n} floats that are 1 with probability 1/2, else 0. */
  static float[] coinFlips(long seed, int n) {
    float[] out = new float[n];
    int chunks = (n + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks).parallel().forEach(c -> {
      SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + c);
      for (int i = c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) out[i] = rng.nextDouble() > 0.5 ? 1f : 0f;
    });
    return out;
  }

  /** Row-wise log-softmax of {@code [rows, cols]} in float64, rounded to float32 (jax.nn.log_softmax of the anchor). */
  static float[] logSoftmaxRows(float[] x, int rows, int cols) {
    float[] out = new float[x.length];
    IntStream.range(0, rows).parallel().forEach(r -> {
      int o = r * cols;
      double m = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < cols; k++) m = Math.max(m, x[o + k]);
      double s = 0;
      for (int k = 0; k < cols; k++) s += Math.exp(x[o + k] - m);
      double lse = m + Math.log(s);
      for (int k = 0; k < cols; k++) out[o + k] = (float) (x[o + k] - lse);
    });
    return out;
  }
}
