package dev.arrax.compile.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * f32 matrix-product rows with the Vector API: each output row is built in register accumulators
 * (up to 4 vectors wide, two rows at a time so each loaded row of B feeds 8 FMAs), the row of B
 * for one k is a contiguous load, A's element is a broadcast. Used only when the
 * {@code jdk.incubator.vector} module is present ({@link #AVAILABLE}); {@link MatmulStep} keeps a
 * scalar path otherwise. Every output element is the same chain of fused multiply-adds over k as in
 * {@link MatmulStep}'s scalar path (and a single-column product sums in {@link Summation}'s lane
 * order), so both give the same bits whatever the vector width.
 */
final class VectorMatmul {
  private VectorMatmul() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Lanes of the preferred float species (16 with AVX-512, 8 with AVX2). */
  static int lanes() { return L; }

  /**
   * Rows [from, to) of C = A B for a batch of {@code [m,k] x [k,n]} products laid out row-major;
   * row r of C belongs to batch r / m. A's buffer starts at row {@code aOrg}, C's at row {@code cOrg}
   * (0 for whole arrays; a block's first row for block buffers).
   */
  static void rows(float[] a, int aOrg, float[] b, float[] c, int cOrg, int from, int to, int m, int k, int n) {
    if (n == 1) {
      float[] lanes = new float[Summation.LANES];
      for (int r = from; r < to; r++) c[r - cOrg] = dot(a, (r - aOrg) * k, b, (r / m) * k, k, lanes);
      return;
    }
    int r = from;
    for (; r + 1 < to && (r / m) == ((r + 1) / m); r += 2) twoRows(a, (r - aOrg) * k, b, (r / m) * k * n, c, (r - cOrg) * n, k, n);
    for (; r < to; r++) {
      java.util.Arrays.fill(c, (r - cOrg) * n, (r - cOrg) * n + n, 0f); // oneRow accumulates; block buffers are reused
      oneRow(a, (r - aOrg) * k, b, (r / m) * k * n, c, (r - cOrg) * n, n, 0, k);
    }
  }

  /** Rows [from, to) of whole arrays. */
  static void rows(float[] a, float[] b, float[] c, int from, int to, int m, int k, int n) {
    rows(a, 0, b, c, 0, from, to, m, k, n);
  }

  /** c[row, :] += sum over kk in [k0, k1) of a[row, kk] * b[batch, kk, :]. */
  static void oneRow(float[] a, float[] b, float[] c, int row, int m, int k, int n, int k0, int k1) {
    oneRow(a, row * k, b, (row / m) * k * n, c, row * n, n, k0, k1);
  }

  /** c[row, :] += sum over kk in [k0, k1) of a[row, kk] * b[batch, kk, :]. */
  private static void oneRow(float[] a, int aOff, float[] b, int bBase, float[] c, int cOff, int n, int k0, int k1) {
    int j = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      FloatVector c0 = FloatVector.fromArray(S, c, cOff + j), c1 = FloatVector.fromArray(S, c, cOff + j + L);
      FloatVector c2 = FloatVector.fromArray(S, c, cOff + j + 2 * L), c3 = FloatVector.fromArray(S, c, cOff + j + 3 * L);
      for (int kk = k0; kk < k1; kk++) {
        FloatVector x = FloatVector.broadcast(S, a[aOff + kk]);
        int bo = bBase + kk * n + j;
        c0 = FloatVector.fromArray(S, b, bo).fma(x, c0);
        c1 = FloatVector.fromArray(S, b, bo + L).fma(x, c1);
        c2 = FloatVector.fromArray(S, b, bo + 2 * L).fma(x, c2);
        c3 = FloatVector.fromArray(S, b, bo + 3 * L).fma(x, c3);
      }
      c0.intoArray(c, cOff + j);
      c1.intoArray(c, cOff + j + L);
      c2.intoArray(c, cOff + j + 2 * L);
      c3.intoArray(c, cOff + j + 3 * L);
    }
    for (; j + L <= n; j += L) {
      FloatVector c0 = FloatVector.fromArray(S, c, cOff + j);
      for (int kk = k0; kk < k1; kk++) c0 = FloatVector.fromArray(S, b, bBase + kk * n + j).fma(FloatVector.broadcast(S, a[aOff + kk]), c0);
      c0.intoArray(c, cOff + j);
    }
    for (; j < n; j++) {
      float s = c[cOff + j];
      for (int kk = k0; kk < k1; kk++) s = Math.fma(a[aOff + kk], b[bBase + kk * n + j], s);
      c[cOff + j] = s;
    }
  }

  private static void twoRows(float[] a, int a0, float[] b, int bBase, float[] c, int c0ff, int k, int n) {
    int a1 = a0 + k, c1ff = c0ff + n;
    int j = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      FloatVector p0 = FloatVector.zero(S), p1 = FloatVector.zero(S), p2 = FloatVector.zero(S), p3 = FloatVector.zero(S);
      FloatVector q0 = FloatVector.zero(S), q1 = FloatVector.zero(S), q2 = FloatVector.zero(S), q3 = FloatVector.zero(S);
      for (int kk = 0; kk < k; kk++) {
        FloatVector x = FloatVector.broadcast(S, a[a0 + kk]), y = FloatVector.broadcast(S, a[a1 + kk]);
        int bo = bBase + kk * n + j;
        FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
        FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L), b3 = FloatVector.fromArray(S, b, bo + 3 * L);
        p0 = b0.fma(x, p0);
        p1 = b1.fma(x, p1);
        p2 = b2.fma(x, p2);
        p3 = b3.fma(x, p3);
        q0 = b0.fma(y, q0);
        q1 = b1.fma(y, q1);
        q2 = b2.fma(y, q2);
        q3 = b3.fma(y, q3);
      }
      p0.intoArray(c, c0ff + j);
      p1.intoArray(c, c0ff + j + L);
      p2.intoArray(c, c0ff + j + 2 * L);
      p3.intoArray(c, c0ff + j + 3 * L);
      q0.intoArray(c, c1ff + j);
      q1.intoArray(c, c1ff + j + L);
      q2.intoArray(c, c1ff + j + 2 * L);
      q3.intoArray(c, c1ff + j + 3 * L);
    }
    for (; j + L <= n; j += L) {
      FloatVector p0 = FloatVector.zero(S), q0 = FloatVector.zero(S);
      for (int kk = 0; kk < k; kk++) {
        FloatVector b0 = FloatVector.fromArray(S, b, bBase + kk * n + j);
        p0 = b0.fma(FloatVector.broadcast(S, a[a0 + kk]), p0);
        q0 = b0.fma(FloatVector.broadcast(S, a[a1 + kk]), q0);
      }
      p0.intoArray(c, c0ff + j);
      q0.intoArray(c, c1ff + j);
    }
    for (; j < n; j++) {
      float s = 0, t = 0;
      for (int kk = 0; kk < k; kk++) {
        float bv = b[bBase + kk * n + j];
        s = Math.fma(a[a0 + kk], bv, s);
        t = Math.fma(a[a1 + kk], bv, t);
      }
      c[c0ff + j] = s;
      c[c1ff + j] = t;
    }
  }

  /** c[cOff, cOff + n) += x * b[bOff, bOff + n). */
  static void axpy(float x, float[] b, int bOff, float[] c, int cOff, int n) {
    FloatVector xv = FloatVector.broadcast(S, x);
    int j = 0;
    for (; j + L <= n; j += L) FloatVector.fromArray(S, b, bOff + j).fma(xv, FloatVector.fromArray(S, c, cOff + j)).intoArray(c, cOff + j);
    for (; j < n; j++) c[cOff + j] = Math.fma(x, b[bOff + j], c[cOff + j]);
  }

  /** Lane i + h moved to lane i (wrapping): the steps of {@link Summation#tree}. */
  private static final VectorShuffle<Float> DOWN8 = VectorShuffle.iota(S, 8 % L, 1, true), DOWN4 = VectorShuffle.iota(S, 4 % L, 1, true),
      DOWN2 = VectorShuffle.iota(S, 2 % L, 1, true), DOWN1 = VectorShuffle.iota(S, 1, 1, true);

  /** Lane 0 of the tree over lanes 0..7 (each already lane i + lane i + 8): steps 4, 2, 1. */
  private static float tree8(FloatVector v) {
    v = v.add(v.rearrange(DOWN4));
    v = v.add(v.rearrange(DOWN2));
    return v.add(v.rearrange(DOWN1)).lane(0);
  }

  /**
   * The dot product in {@link Summation}'s order: 16 lanes of FMA partial sums (one 16-lane vector, two
   * 8-lane ones, else the scalar twin), the fixed lane tree, an FMA tail.
   */
  static float dot(float[] a, int aOff, float[] b, int bOff, int k, float[] lanes) {
    if (L == 16) {
      FloatVector acc = FloatVector.zero(S);
      int kk = 0;
      for (; kk + 16 <= k; kk += 16) acc = FloatVector.fromArray(S, a, aOff + kk).fma(FloatVector.fromArray(S, b, bOff + kk), acc);
      acc = acc.add(acc.rearrange(DOWN8));
      float s = tree8(acc);
      for (; kk < k; kk++) s = Math.fma(a[aOff + kk], b[bOff + kk], s);
      return s;
    }
    if (L == 8) {
      FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
      int kk = 0;
      for (; kk + 16 <= k; kk += 16) {
        lo = FloatVector.fromArray(S, a, aOff + kk).fma(FloatVector.fromArray(S, b, bOff + kk), lo);
        hi = FloatVector.fromArray(S, a, aOff + kk + 8).fma(FloatVector.fromArray(S, b, bOff + kk + 8), hi);
      }
      float s = tree8(lo.add(hi));
      for (; kk < k; kk++) s = Math.fma(a[aOff + kk], b[bOff + kk], s);
      return s;
    }
    return Summation.dot(a, aOff, b, bOff, k, lanes);
  }
}
