package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMatmul}'s register tiles (4 rows x 4/2/1 vectors, scalar column tails), the 16-row
 * butterfly dot products and the register column sums give, bit for bit, the scalar order they
 * promise: every element of a product is the FMA chain over k from 0, a single column is
 * {@link Summation#dot}, a column sum is the FMA chain over rows. Property test over random shapes
 * (rows not a multiple of 4 or 16, batch edges inside a tile, k not a multiple of 16, n with every
 * kind of tail), row ranges, buffer origins and seeds.
 */
class VectorMatmulTest {
  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }

  @Test
  void tiledProductsEqualTheScalarFmaChainBitForBit() {
    Random rng = new Random(20261130L);
    int cases = 0;
    for (int t = 0; t < 400; t++) {
      int batch = 1 + rng.nextInt(3);
      int m = 1 + rng.nextInt(t % 3 == 0 ? 70 : 23);
      int k = 1 + rng.nextInt(t % 4 == 0 ? 100 : 40);
      int[] ns = {1, 1 + rng.nextInt(15), 16, 32, 48, 64, 80, 96, 1 + rng.nextInt(140)};
      int n = ns[rng.nextInt(ns.length)];
      int rows = batch * m;
      float[] a = random(rng, rows * k), b = random(rng, batch * k * n);
      int from = rng.nextInt(rows), to = from + 1 + rng.nextInt(rows - from);
      // a block buffer: A's and C's rows start at `from` (as inside a row-blocked run)
      float[] aBlock = java.util.Arrays.copyOfRange(a, from * k, to * k);
      float[] c = new float[(to - from) * n];
      java.util.Arrays.fill(c, Float.NaN); // every element must be written
      VectorMatmul.rows(aBlock, from, b, c, from, from, to, m, k, n);
      float[] lanes = new float[Summation.LANES];
      for (int r = from; r < to; r++) {
        int bBase = (r / m) * k * n;
        for (int j = 0; j < n; j++) {
          float want;
          if (n == 1) {
            want = Summation.dot(a, r * k, b, (r / m) * k, k, lanes);
          } else {
            want = 0f;
            for (int kk = 0; kk < k; kk++) want = Math.fma(a[r * k + kk], b[bBase + kk * n + j], want);
          }
          float got = c[(r - from) * n + j];
          if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
            throw new AssertionError("batch " + batch + " m " + m + " k " + k + " n " + n + " rows [" + from + ", " + to
                + "): C[" + r + ", " + j + "] = " + got + ", the FMA chain gives " + want + " (case " + t + ")");
          }
        }
      }
      cases++;
    }
    assertEquals(400, cases);
  }

  @Test
  void registerColumnSumsEqualTheRowByRowFmaChain() {
    Random rng = new Random(7L);
    int lanes = VectorMatmul.lanes();
    for (int t = 0; t < 200; t++) {
      int m = lanes * (1 + rng.nextInt(4));
      if (!VectorMatmul.columnSumFits(m)) continue;
      int rows = 1 + rng.nextInt(300);
      float[] x = random(rng, rows * m), y = random(rng, rows);
      int r0 = rng.nextInt(rows), r1 = r0 + rng.nextInt(rows - r0 + 1);
      float[] c = random(rng, m), want = c.clone();
      VectorMatmul.columnSum(x, 0, y, 0, m, r0, r1, c);
      for (int r = r0; r < r1; r++) Summation.axpy(y[r], x, r * m, want, 0, m);
      for (int i = 0; i < m; i++) {
        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(c[i]),
            "m " + m + " rows [" + r0 + ", " + r1 + "): element " + i + " is " + c[i] + ", the FMA chain gives " + want[i]);
      }
    }
  }
}
