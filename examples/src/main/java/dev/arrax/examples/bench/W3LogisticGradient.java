package dev.arrax.examples.bench;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.function.Supplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * W3: the gradient of the logistic loss {@code sum(logaddexp(0, z) - y z)}, {@code z = X w}, with
 * respect to w ({@code d = 32}), summed over all rows: {@code jit(grad(loss))}. The closed form is
 * {@code X^T (sigmoid(X w) - y)}.
 *
 * <p>The hand loop, per thread over its row slice, 16 rows at a time: z by a vector dot product per
 * row, {@code sigmoid(z) - y} for the 16 rows in one vector ({@link FastMath#exp}), then
 * {@code acc += c_r X_r} re-reading the rows from L1; the float accumulators are flushed into
 * float64 every 1024 rows so the million-term sum does not drift.
 */
final class W3LogisticGradient extends Workload {
  static final int D = 32;
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int BLOCK = 16;
  private static final int FLUSH = 1024;

  private int n;
  private float[] x, y, w;
  private NDArray xA, yA, wA;

  @Override String id() { return "W3"; }

  @Override String description() {
    return "gradient of the logistic loss sum(logaddexp(0, X w) - y X w) w.r.t. w (d=32), jit(grad(loss))";
  }

  @Override int rows() { return n; }

  @Override String[] outputNames() { return new String[] {"grad_w"}; }

  @Override void setup(int rows) {
    n = rows;
    x = Data.normal(31, n * D, 1);
    y = Data.coinFlips(32, n);
    w = Data.normal(33, D, 1);
    xA = NDArray.fromFlat(x, n, D);
    yA = NDArray.fromFlat(y, n);
    wA = NDArray.fromFlat(w, D);
  }

  @Override void release() {
    x = y = null;
    xA = yA = null;
  }

  /** loss(w, X, y) = sum(logaddexp(0, X w) - y * (X w)). */
  static NDArray loss(NDArray... a) {
    NDArray z = Np.matmul(a[1], a[0]);
    return Np.sum(Np.subtract(Np.logaddexp(z, 0.0), Np.multiply(a[2], z)));
  }

  @Override Supplier<NDArray[]> newArraxCall() {
    Fn grad = Arrax.jit(Arrax.grad(W3LogisticGradient::loss));
    return () -> new NDArray[] {grad.apply(wA, xA, yA).blockUntilReady()};
  }

  @Override float[][] hand(RowPool pool) {
    double[][] partial = new double[pool.threads()][D];
    pool.forEachSlice(n, BLOCK, (part, from, to) -> slice(from, to, partial[part]));
    float[] g = new float[D];
    for (int i = 0; i < D; i++) {
      double s = 0;
      for (double[] p : partial) s += p[i];
      g[i] = (float) s;
    }
    return new float[][] {g};
  }

  private void slice(int from, int to, double[] out) {
    final float[] x = this.x, y = this.y;
    int L = S.length();
    boolean vec = D % L == 0 && L <= BLOCK && BLOCK % L == 0;
    float[] z = new float[BLOCK];
    float[] acc = new float[D];
    int r = from;
    if (vec) {
      FloatVector[] wv = new FloatVector[D / L];
      for (int c = 0; c < wv.length; c++) wv[c] = FloatVector.fromArray(S, w, c * L);
      int sinceFlush = 0;
      if (L == 16 && D == 32) {
        FloatVector w0 = wv[0], w1 = wv[1];
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        for (; r + BLOCK <= to; r += BLOCK) {
          for (int k = 0; k < BLOCK; k++) {
            int o = (r + k) * D;
            z[k] = FloatVector.fromArray(S, x, o).fma(w0, FloatVector.fromArray(S, x, o + 16).mul(w1)).reduceLanes(VectorOperators.ADD);
          }
          sigmoidMinusY(z, r);
          for (int k = 0; k < BLOCK; k++) {
            int o = (r + k) * D;
            FloatVector c = FloatVector.broadcast(S, z[k]);
            acc0 = c.fma(FloatVector.fromArray(S, x, o), acc0);
            acc1 = c.fma(FloatVector.fromArray(S, x, o + 16), acc1);
          }
          if ((sinceFlush += BLOCK) >= FLUSH) {
            acc0.intoArray(acc, 0);
            acc1.intoArray(acc, 16);
            flush(acc, out);
            acc0 = FloatVector.zero(S);
            acc1 = FloatVector.zero(S);
            sinceFlush = 0;
          }
        }
        acc0.intoArray(acc, 0);
        acc1.intoArray(acc, 16);
        flush(acc, out);
      } else {
        for (; r + BLOCK <= to; r += BLOCK) {
          for (int k = 0; k < BLOCK; k++) {
            int o = (r + k) * D;
            FloatVector s = FloatVector.zero(S);
            for (int c = 0; c < wv.length; c++) s = FloatVector.fromArray(S, x, o + c * L).fma(wv[c], s);
            z[k] = s.reduceLanes(VectorOperators.ADD);
          }
          sigmoidMinusY(z, r);
          for (int k = 0; k < BLOCK; k++) {
            int o = (r + k) * D;
            FloatVector c = FloatVector.broadcast(S, z[k]);
            for (int cc = 0; cc < wv.length; cc++) {
              c.fma(FloatVector.fromArray(S, x, o + cc * L), FloatVector.fromArray(S, acc, cc * L)).intoArray(acc, cc * L);
            }
          }
          if ((sinceFlush += BLOCK) >= FLUSH) {
            flush(acc, out);
            sinceFlush = 0;
          }
        }
        flush(acc, out);
      }
    }
    for (; r < to; r++) {
      float zr = 0;
      for (int i = 0; i < D; i++) zr = Math.fma(x[r * D + i], w[i], zr);
      float c = 1f / (1f + FastMath.exp(-zr)) - y[r];
      for (int i = 0; i < D; i++) out[i] += c * x[r * D + i];
    }
  }

  /** z[k] := sigmoid(z[k]) - y[r + k] for the 16 rows of a block. */
  private void sigmoidMinusY(float[] z, int r) {
    int L = S.length();
    for (int k = 0; k < BLOCK; k += L) {
      FloatVector zv = FloatVector.fromArray(S, z, k);
      FloatVector sig = FastMath.exp(zv.neg()).add(1f);
      FloatVector.broadcast(S, 1f).div(sig).sub(FloatVector.fromArray(S, y, r + k)).intoArray(z, k);
    }
  }

  private static void flush(float[] acc, double[] out) {
    for (int i = 0; i < D; i++) {
      out[i] += acc[i];
      acc[i] = 0;
    }
  }

  @Override double[][] reference64() {
    double[] g = new double[D];
    for (int r = 0; r < n; r++) {
      double z = 0;
      for (int i = 0; i < D; i++) z += (double) x[r * D + i] * w[i];
      double c = 1 / (1 + Math.exp(-z)) - y[r];
      for (int i = 0; i < D; i++) g[i] += c * x[r * D + i];
    }
    return new double[][] {g};
  }
}
