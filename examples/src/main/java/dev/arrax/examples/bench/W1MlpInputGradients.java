package dev.arrax.examples.bench;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.function.Supplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * W1: per-example input gradients of a 2-layer tanh MLP, {@code d = 32, h = 64}:
 * {@code jit(vmap(grad(mlp), 0, null, null, null))} with {@code mlp(x, W1, b1, w2) = tanh(x W1 + b1) . w2},
 * so {@code g = W1 ((1 - t^2) * w2)} with {@code t = tanh(x W1 + b1)}, one row of g per row of X.
 *
 * <p>The hand loop: rows split in one contiguous slice per thread; within a slice, 4 rows at a time
 * with register-tiled accumulators (forward: 4 rows x 4 vectors of 16 lanes = the 64 hidden units;
 * backward: 4 rows x 2 vectors = the 32 inputs, over a transposed copy of W1), the weights staying
 * in L1, tanh by {@link FastMath#tanh}. For vector shapes other than 16 lanes a simpler per-row
 * vector loop runs (same math).
 */
final class W1MlpInputGradients extends Workload {
  static final int D = 32, H = 64;
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
  private static final boolean TILED = S.length() >= 16;
  private static final int CHECK_ROWS = 20_000;

  private int n;
  private float[] x, w1, w1t, b1, w2;
  private NDArray xA, w1A, b1A, w2A;

  @Override String id() { return "W1"; }

  @Override String description() {
    return "per-example input gradients of a 2-layer tanh MLP (d=32, h=64), jit(vmap(grad(mlp), 0, null, null, null))";
  }

  @Override int rows() { return n; }

  @Override String[] outputNames() { return new String[] {"grad"}; }

  @Override void setup(int rows) {
    n = rows;
    w1 = Data.normal(11, D * H, 1 / Math.sqrt(D));
    b1 = Data.normal(12, H, 1);
    w2 = Data.normal(13, H, 1 / Math.sqrt(H));
    x = Data.normal(14, n * D, 1);
    w1t = new float[H * D];
    for (int i = 0; i < D; i++) for (int j = 0; j < H; j++) w1t[j * D + i] = w1[i * H + j];
    xA = NDArray.fromFlat(x, n, D);
    w1A = NDArray.fromFlat(w1, D, H);
    b1A = NDArray.fromFlat(b1, H);
    w2A = NDArray.fromFlat(w2, H);
  }

  @Override void release() {
    x = null;
    xA = null;
  }

  /** mlp(x, W1, b1, w2) for ONE row x: a scalar. */
  static NDArray mlp(NDArray... a) {
    return Np.dot(Np.tanh(Np.add(Np.dot(a[0], a[1]), a[2])), a[3]);
  }

  @Override Supplier<NDArray[]> newArraxCall() {
    Fn perRowGrad = Arrax.jit(Arrax.vmap(Arrax.grad(W1MlpInputGradients::mlp), 0, null, null, null));
    return () -> new NDArray[] {perRowGrad.apply(xA, w1A, b1A, w2A).blockUntilReady()};
  }

  @Override float[][] hand(RowPool pool) {
    float[] g = new float[n * D];
    pool.forEachSlice(n, 4, (part, from, to) -> {
      float[] s = new float[4 * H];
      int r = from;
      if (TILED) {
        for (; r + 4 <= to; r += 4) tile4(r, g, s);
      }
      for (; r < to; r++) oneRow(r, g, s);
    });
    return new float[][] {g};
  }

  /** Rows r..r+3 with 16 forward and 8 backward accumulators in registers (16-lane vectors). */
  private void tile4(int r, float[] g, float[] s) {
    final float[] x = this.x, w1 = this.w1, w1t = this.w1t;
    FloatVector a00 = FloatVector.fromArray(S16, b1, 0), a01 = FloatVector.fromArray(S16, b1, 16);
    FloatVector a02 = FloatVector.fromArray(S16, b1, 32), a03 = FloatVector.fromArray(S16, b1, 48);
    FloatVector a10 = a00, a11 = a01, a12 = a02, a13 = a03;
    FloatVector a20 = a00, a21 = a01, a22 = a02, a23 = a03;
    FloatVector a30 = a00, a31 = a01, a32 = a02, a33 = a03;
    int x0 = r * D, x1 = x0 + D, x2 = x1 + D, x3 = x2 + D;
    for (int i = 0; i < D; i++) {
      FloatVector w0 = FloatVector.fromArray(S16, w1, i * H);
      FloatVector wa = FloatVector.fromArray(S16, w1, i * H + 16);
      FloatVector wb = FloatVector.fromArray(S16, w1, i * H + 32);
      FloatVector wc = FloatVector.fromArray(S16, w1, i * H + 48);
      FloatVector v = FloatVector.broadcast(S16, x[x0 + i]);
      a00 = v.fma(w0, a00); a01 = v.fma(wa, a01); a02 = v.fma(wb, a02); a03 = v.fma(wc, a03);
      v = FloatVector.broadcast(S16, x[x1 + i]);
      a10 = v.fma(w0, a10); a11 = v.fma(wa, a11); a12 = v.fma(wb, a12); a13 = v.fma(wc, a13);
      v = FloatVector.broadcast(S16, x[x2 + i]);
      a20 = v.fma(w0, a20); a21 = v.fma(wa, a21); a22 = v.fma(wb, a22); a23 = v.fma(wc, a23);
      v = FloatVector.broadcast(S16, x[x3 + i]);
      a30 = v.fma(w0, a30); a31 = v.fma(wa, a31); a32 = v.fma(wb, a32); a33 = v.fma(wc, a33);
    }
    a00.intoArray(s, 0); a01.intoArray(s, 16); a02.intoArray(s, 32); a03.intoArray(s, 48);
    a10.intoArray(s, 64); a11.intoArray(s, 80); a12.intoArray(s, 96); a13.intoArray(s, 112);
    a20.intoArray(s, 128); a21.intoArray(s, 144); a22.intoArray(s, 160); a23.intoArray(s, 176);
    a30.intoArray(s, 192); a31.intoArray(s, 208); a32.intoArray(s, 224); a33.intoArray(s, 240);
    // One tanh call site in a loop, not 16 unrolled ones: C2 stops inlining a method this large
    // (NodeCountInliningCutoff), and a vector passed to a call that is not inlined is boxed on the
    // heap, which ran the kernel ~20x slower.
    FloatVector one = FloatVector.broadcast(S16, 1f);
    for (int k = 0; k < 4 * H; k += 16) {
      FloatVector t = FastMath.tanh(FloatVector.fromArray(S16, s, k));
      t.fma(t.neg(), one).mul(FloatVector.fromArray(S16, w2, k & (H - 1))).intoArray(s, k);
    }
    FloatVector g00 = FloatVector.zero(S16), g01 = g00, g10 = g00, g11 = g00, g20 = g00, g21 = g00, g30 = g00, g31 = g00;
    for (int j = 0; j < H; j++) {
      FloatVector u0 = FloatVector.fromArray(S16, w1t, j * D);
      FloatVector u1 = FloatVector.fromArray(S16, w1t, j * D + 16);
      FloatVector v = FloatVector.broadcast(S16, s[j]);
      g00 = v.fma(u0, g00); g01 = v.fma(u1, g01);
      v = FloatVector.broadcast(S16, s[H + j]);
      g10 = v.fma(u0, g10); g11 = v.fma(u1, g11);
      v = FloatVector.broadcast(S16, s[2 * H + j]);
      g20 = v.fma(u0, g20); g21 = v.fma(u1, g21);
      v = FloatVector.broadcast(S16, s[3 * H + j]);
      g30 = v.fma(u0, g30); g31 = v.fma(u1, g31);
    }
    g00.intoArray(g, x0); g01.intoArray(g, x0 + 16);
    g10.intoArray(g, x1); g11.intoArray(g, x1 + 16);
    g20.intoArray(g, x2); g21.intoArray(g, x2 + 16);
    g30.intoArray(g, x3); g31.intoArray(g, x3 + 16);
  }

  /** One row with vectors of any length (scalar where H or D is not a multiple of it). */
  private void oneRow(int r, float[] g, float[] s) {
    int L = S.length();
    int xo = r * D;
    for (int c = 0; c < H; c += L) {
      if (c + L <= H) {
        FloatVector a = FloatVector.fromArray(S, b1, c);
        for (int i = 0; i < D; i++) a = FloatVector.broadcast(S, x[xo + i]).fma(FloatVector.fromArray(S, w1, i * H + c), a);
        FloatVector t = FastMath.tanh(a);
        t.fma(t.neg(), FloatVector.broadcast(S, 1f)).mul(FloatVector.fromArray(S, w2, c)).intoArray(s, c);
      } else {
        for (int j = c; j < H; j++) {
          float a = b1[j];
          for (int i = 0; i < D; i++) a = Math.fma(x[xo + i], w1[i * H + j], a);
          float t = FastMath.tanh(a);
          s[j] = (1 - t * t) * w2[j];
        }
      }
    }
    for (int c = 0; c < D; c += L) {
      if (c + L <= D) {
        FloatVector a = FloatVector.zero(S);
        for (int j = 0; j < H; j++) a = FloatVector.broadcast(S, s[j]).fma(FloatVector.fromArray(S, w1t, j * D + c), a);
        a.intoArray(g, xo + c);
      } else {
        for (int i = c; i < D; i++) {
          float a = 0;
          for (int j = 0; j < H; j++) a = Math.fma(s[j], w1t[j * D + i], a);
          g[xo + i] = a;
        }
      }
    }
  }

  @Override double[][] reference64() {
    int rows = Math.min(n, CHECK_ROWS);
    double[] g = new double[rows * D];
    double[] s = new double[H];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < H; j++) {
        double z = b1[j];
        for (int i = 0; i < D; i++) z += (double) x[r * D + i] * w1[i * H + j];
        double t = Math.tanh(z);
        s[j] = (1 - t * t) * w2[j];
      }
      for (int i = 0; i < D; i++) {
        double e = 0;
        for (int j = 0; j < H; j++) e += (double) w1[i * H + j] * s[j];
        g[r * D + i] = e;
      }
    }
    return new double[][] {g};
  }
}
