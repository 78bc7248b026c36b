package dev.arrax.compile.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * f32 matrix-product rows with the Vector API: each output row is built in register accumulators
 * (tiles of 4 rows by up to 4 vectors, so each loaded vector of B feeds 4 FMAs), the row of B
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
      int r = from;
      if (L == 16) {
        for (; r + 16 <= to && r / m == (r + 15) / m; r += 16) dot16(a, (r - aOrg) * k, b, (r / m) * k, k, c, r - cOrg);
      }
      for (; r < to; r++) c[r - cOrg] = dot(a, (r - aOrg) * k, b, (r / m) * k, k, lanes);
      return;
    }
    int r = from;
    while (r < to) {
      // rows of one batch entry share B: tiles of 4 rows, then single rows
      int end = (int) Math.min(to, ((long) (r / m) + 1) * m);
      int bBase = (r / m) * k * n;
      for (; r + 4 <= end; r += 4) fourRows(a, (r - aOrg) * k, b, bBase, c, (r - cOrg) * n, k, n);
      for (; r < end; r++) {
        java.util.Arrays.fill(c, (r - cOrg) * n, (r - cOrg) * n + n, 0f); // oneRow accumulates; block buffers are reused
        oneRow(a, (r - aOrg) * k, b, bBase, c, (r - cOrg) * n, n, 0, k);
      }
    }
  }

  /**
   * Four consecutive rows of C (A's rows at a0, a0 + k, ...; C's at c0, c0 + n, ...) in register tiles:
   * 4 rows x 4 vectors (16 accumulators, with 32 vector registers), 4 x 2, 4 x 1, then a scalar tail, so
   * each loaded vector of B feeds 4 FMAs. Every element is the FMA chain over k from 0, as in {@link #oneRow}.
   */
  private static void fourRows(float[] a, int a0, float[] b, int bBase, float[] c, int c0, int k, int n) {
    int j = 0;
    if (L >= 16) for (; j + 4 * L <= n; j += 4 * L) tile4x4(a, a0, b, bBase + j, c, c0 + j, k, n);
    for (; j + 2 * L <= n; j += 2 * L) tile4x2(a, a0, b, bBase + j, c, c0 + j, k, n);
    for (; j + L <= n; j += L) tile4x1(a, a0, b, bBase + j, c, c0 + j, k, n);
    for (; j < n; j++) {
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int kk = 0; kk < k; kk++) {
        float bv = b[bBase + kk * n + j];
        s0 = Math.fma(a[a0 + kk], bv, s0);
        s1 = Math.fma(a[a0 + k + kk], bv, s1);
        s2 = Math.fma(a[a0 + 2 * k + kk], bv, s2);
        s3 = Math.fma(a[a0 + 3 * k + kk], bv, s3);
      }
      c[c0 + j] = s0;
      c[c0 + n + j] = s1;
      c[c0 + 2 * n + j] = s2;
      c[c0 + 3 * n + j] = s3;
    }
  }

  private static void tile4x4(float[] a, int a0, float[] b, int bo, float[] c, int co, int k, int n) {
    int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    FloatVector p0 = FloatVector.zero(S), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
    FloatVector r0 = p0, r1 = p0, r2 = p0, r3 = p0, s0 = p0, s1 = p0, s2 = p0, s3 = p0;
    for (int kk = 0; kk < k; kk++, bo += n) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L), b3 = FloatVector.fromArray(S, b, bo + 3 * L);
      FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
      p0 = b0.fma(x, p0); p1 = b1.fma(x, p1); p2 = b2.fma(x, p2); p3 = b3.fma(x, p3);
      x = FloatVector.broadcast(S, a[a1 + kk]);
      q0 = b0.fma(x, q0); q1 = b1.fma(x, q1); q2 = b2.fma(x, q2); q3 = b3.fma(x, q3);
      x = FloatVector.broadcast(S, a[a2 + kk]);
      r0 = b0.fma(x, r0); r1 = b1.fma(x, r1); r2 = b2.fma(x, r2); r3 = b3.fma(x, r3);
      x = FloatVector.broadcast(S, a[a3 + kk]);
      s0 = b0.fma(x, s0); s1 = b1.fma(x, s1); s2 = b2.fma(x, s2); s3 = b3.fma(x, s3);
    }
    p0.intoArray(c, co); p1.intoArray(c, co + L); p2.intoArray(c, co + 2 * L); p3.intoArray(c, co + 3 * L);
    co += n;
    q0.intoArray(c, co); q1.intoArray(c, co + L); q2.intoArray(c, co + 2 * L); q3.intoArray(c, co + 3 * L);
    co += n;
    r0.intoArray(c, co); r1.intoArray(c, co + L); r2.intoArray(c, co + 2 * L); r3.intoArray(c, co + 3 * L);
    co += n;
    s0.intoArray(c, co); s1.intoArray(c, co + L); s2.intoArray(c, co + 2 * L); s3.intoArray(c, co + 3 * L);
  }

  private static void tile4x2(float[] a, int a0, float[] b, int bo, float[] c, int co, int k, int n) {
    int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    FloatVector p0 = FloatVector.zero(S), p1 = p0, q0 = p0, q1 = p0, r0 = p0, r1 = p0, s0 = p0, s1 = p0;
    for (int kk = 0; kk < k; kk++, bo += n) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
      FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
      p0 = b0.fma(x, p0); p1 = b1.fma(x, p1);
      x = FloatVector.broadcast(S, a[a1 + kk]);
      q0 = b0.fma(x, q0); q1 = b1.fma(x, q1);
      x = FloatVector.broadcast(S, a[a2 + kk]);
      r0 = b0.fma(x, r0); r1 = b1.fma(x, r1);
      x = FloatVector.broadcast(S, a[a3 + kk]);
      s0 = b0.fma(x, s0); s1 = b1.fma(x, s1);
    }
    p0.intoArray(c, co); p1.intoArray(c, co + L);
    q0.intoArray(c, co + n); q1.intoArray(c, co + n + L);
    r0.intoArray(c, co + 2 * n); r1.intoArray(c, co + 2 * n + L);
    s0.intoArray(c, co + 3 * n); s1.intoArray(c, co + 3 * n + L);
  }

  private static void tile4x1(float[] a, int a0, float[] b, int bo, float[] c, int co, int k, int n) {
    int a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    FloatVector p0 = FloatVector.zero(S), q0 = p0, r0 = p0, s0 = p0;
    for (int kk = 0; kk < k; kk++, bo += n) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo);
      p0 = b0.fma(FloatVector.broadcast(S, a[a0 + kk]), p0);
      q0 = b0.fma(FloatVector.broadcast(S, a[a1 + kk]), q0);
      r0 = b0.fma(FloatVector.broadcast(S, a[a2 + kk]), r0);
      s0 = b0.fma(FloatVector.broadcast(S, a[a3 + kk]), s0);
    }
    p0.intoArray(c, co);
    q0.intoArray(c, co + n);
    r0.intoArray(c, co + 2 * n);
    s0.intoArray(c, co + 3 * n);
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

  /** Whether {@link #columnSum} handles rows of m floats: whole vectors, at most 4 of them. */
  static boolean columnSumFits(int m) {
    return m % L == 0 && m <= 4 * L;
  }

  /**
   * c[0, m) += sum over rows r in [r0, r1) of y[r - yOrg] * x[(r - xOrg) * m, +m), the accumulators held in
   * registers across the rows: each element is the same FMA chain over the rows as {@link #axpy} row by row.
   * Needs {@link #columnSumFits}(m).
   */
  static void columnSum(float[] x, int xOrg, float[] y, int yOrg, int m, int r0, int r1, float[] c) {
    int v = m / L;
    FloatVector c0 = FloatVector.fromArray(S, c, 0);
    FloatVector c1 = v > 1 ? FloatVector.fromArray(S, c, L) : c0;
    FloatVector c2 = v > 2 ? FloatVector.fromArray(S, c, 2 * L) : c0;
    FloatVector c3 = v > 3 ? FloatVector.fromArray(S, c, 3 * L) : c0;
    int xo = (r0 - xOrg) * m;
    if (v == 1) {
      for (int r = r0; r < r1; r++, xo += m) c0 = FloatVector.fromArray(S, x, xo).fma(FloatVector.broadcast(S, y[r - yOrg]), c0);
    } else if (v == 2) {
      for (int r = r0; r < r1; r++, xo += m) {
        FloatVector w = FloatVector.broadcast(S, y[r - yOrg]);
        c0 = FloatVector.fromArray(S, x, xo).fma(w, c0);
        c1 = FloatVector.fromArray(S, x, xo + L).fma(w, c1);
      }
    } else {
      for (int r = r0; r < r1; r++, xo += m) {
        FloatVector w = FloatVector.broadcast(S, y[r - yOrg]);
        c0 = FloatVector.fromArray(S, x, xo).fma(w, c0);
        c1 = FloatVector.fromArray(S, x, xo + L).fma(w, c1);
        c2 = FloatVector.fromArray(S, x, xo + 2 * L).fma(w, c2);
        if (v > 3) c3 = FloatVector.fromArray(S, x, xo + 3 * L).fma(w, c3);
      }
    }
    c0.intoArray(c, 0);
    if (v > 1) c1.intoArray(c, L);
    if (v > 2) c2.intoArray(c, 2 * L);
    if (v > 3) c3.intoArray(c, 3 * L);
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

  /** Lane i moved to lane i ^ h, and the lanes whose bit h is set: one level of {@link #dot16}'s butterfly. */
  private static final VectorShuffle<Float> SW8 = VectorShuffle.fromOp(S, i -> i ^ (8 % L)), SW4 = VectorShuffle.fromOp(S, i -> i ^ (4 % L)),
      SW2 = VectorShuffle.fromOp(S, i -> i ^ (2 % L)), SW1 = VectorShuffle.fromOp(S, i -> i ^ 1);
  private static final VectorMask<Float> M8 = VectorMask.fromLong(S, 0xFF00L), M4 = VectorMask.fromLong(S, 0xF0F0L),
      M2 = VectorMask.fromLong(S, 0xCCCCL), M1 = VectorMask.fromLong(S, 0xAAAAL);

  /**
   * Sixteen rows' dot products (rows at aOff, aOff + k, ...; results to c[cOff, cOff + 16)) with 16-lane
   * vectors, bit for bit {@link #dot} row by row: each row's 16 FMA lanes, then the lane tree of
   * {@link Summation} done for all rows at once as a butterfly (at each level two vectors add their lanes
   * i and i ^ h and one blend keeps half of each), which needs 2 permutes, 2 adds and a blend per two rows
   * per level instead of a shuffle and an add per row per level; IEEE addition commutes, so lane i + lane
   * (i ^ h) is the tree's sum in either order. Rows are paired (0 with 8, 4 with 12, ...) so that lane l
   * ends up holding row l. Then the FMA tail over k mod 16, row by row.
   */
  private static void dot16(float[] a, int aOff, float[] b, int bOff, int k, float[] c, int cOff) {
    // one method, no helper taking or returning a vector: a helper C2 does not inline would box them
    FloatVector v0 = FloatVector.zero(S), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0, v6 = v0, v7 = v0, v8 = v0, v9 = v0, v10 = v0, v11 = v0, v12 = v0, v13 = v0, v14 = v0, v15 = v0;
    for (int kk = 0, ao = aOff; kk + 16 <= k; kk += 16, ao += 16) {
      FloatVector w = FloatVector.fromArray(S, b, bOff + kk);
      v0 = FloatVector.fromArray(S, a, ao).fma(w, v0);
      v1 = FloatVector.fromArray(S, a, ao + 1 * k).fma(w, v1);
      v2 = FloatVector.fromArray(S, a, ao + 2 * k).fma(w, v2);
      v3 = FloatVector.fromArray(S, a, ao + 3 * k).fma(w, v3);
      v4 = FloatVector.fromArray(S, a, ao + 4 * k).fma(w, v4);
      v5 = FloatVector.fromArray(S, a, ao + 5 * k).fma(w, v5);
      v6 = FloatVector.fromArray(S, a, ao + 6 * k).fma(w, v6);
      v7 = FloatVector.fromArray(S, a, ao + 7 * k).fma(w, v7);
      v8 = FloatVector.fromArray(S, a, ao + 8 * k).fma(w, v8);
      v9 = FloatVector.fromArray(S, a, ao + 9 * k).fma(w, v9);
      v10 = FloatVector.fromArray(S, a, ao + 10 * k).fma(w, v10);
      v11 = FloatVector.fromArray(S, a, ao + 11 * k).fma(w, v11);
      v12 = FloatVector.fromArray(S, a, ao + 12 * k).fma(w, v12);
      v13 = FloatVector.fromArray(S, a, ao + 13 * k).fma(w, v13);
      v14 = FloatVector.fromArray(S, a, ao + 14 * k).fma(w, v14);
      v15 = FloatVector.fromArray(S, a, ao + 15 * k).fma(w, v15);
    }
    FloatVector p0 = v0.add(v0.rearrange(SW8)).blend(v8.add(v8.rearrange(SW8)), M8);
    FloatVector p1 = v4.add(v4.rearrange(SW8)).blend(v12.add(v12.rearrange(SW8)), M8);
    FloatVector p2 = v2.add(v2.rearrange(SW8)).blend(v10.add(v10.rearrange(SW8)), M8);
    FloatVector p3 = v6.add(v6.rearrange(SW8)).blend(v14.add(v14.rearrange(SW8)), M8);
    FloatVector p4 = v1.add(v1.rearrange(SW8)).blend(v9.add(v9.rearrange(SW8)), M8);
    FloatVector p5 = v5.add(v5.rearrange(SW8)).blend(v13.add(v13.rearrange(SW8)), M8);
    FloatVector p6 = v3.add(v3.rearrange(SW8)).blend(v11.add(v11.rearrange(SW8)), M8);
    FloatVector p7 = v7.add(v7.rearrange(SW8)).blend(v15.add(v15.rearrange(SW8)), M8);
    FloatVector q0 = p0.add(p0.rearrange(SW4)).blend(p1.add(p1.rearrange(SW4)), M4);
    FloatVector q1 = p2.add(p2.rearrange(SW4)).blend(p3.add(p3.rearrange(SW4)), M4);
    FloatVector q2 = p4.add(p4.rearrange(SW4)).blend(p5.add(p5.rearrange(SW4)), M4);
    FloatVector q3 = p6.add(p6.rearrange(SW4)).blend(p7.add(p7.rearrange(SW4)), M4);
    FloatVector t0 = q0.add(q0.rearrange(SW2)).blend(q1.add(q1.rearrange(SW2)), M2);
    FloatVector t1 = q2.add(q2.rearrange(SW2)).blend(q3.add(q3.rearrange(SW2)), M2);
    t0.add(t0.rearrange(SW1)).blend(t1.add(t1.rearrange(SW1)), M1).intoArray(c, cOff);
    int k16 = k & ~15;
    if (k16 == k) return;
    for (int l = 0; l < 16; l++) {
      float s = c[cOff + l];
      int ao = aOff + l * k;
      for (int kk = k16; kk < k; kk++) s = Math.fma(a[ao + kk], b[bOff + kk], s);
      c[cOff + l] = s;
    }
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
