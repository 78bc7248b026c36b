package dev.arrax.examples.bench;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import java.util.function.Supplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * W2: the anchor's {@code seed_fn} over logits {@code [rows, V = 1024]} and a log-distribution
 * {@code logq} of the same shape: per row, with {@code logp = log_softmax(logits)}, {@code p = exp(logp)},
 * entropy {@code -sum p logp}, varentropy {@code sum p (logp + ent)^2} and
 * {@code KL = sum where(p > 0, p (logp - logq), 0)}. Arrax runs the three as one jitted
 * {@code Arrax.outputs(ent, varent, kl).jit()}.
 *
 * <p>The hand loop, per row (all passes after the first read the row from L1): max; {@code e = exp(l - max)}
 * into a row buffer and its sum s; then with {@code p = e / s} and {@code logp = l - max - log s}
 * the sums for entropy and KL; then varentropy in a second pass over the buffer (two passes, not
 * {@code E[logp^2] - ent^2}, which cancels in float32).
 */
final class W2EntropyVarentropyKl extends Workload {
  static final int V = 1024;
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int CHECK_ROWS = 2_000;

  private int n;
  private float[] logits, logq;
  private NDArray logitsA, logqA;

  @Override String id() { return "W2"; }

  @Override String description() {
    return "entropy + varentropy + KL over logits [N/10, V=1024], Arrax.outputs(ent, varent, kl).jit()";
  }

  @Override int rows() { return n; }

  @Override String[] outputNames() { return new String[] {"entropy", "varentropy", "kl"}; }

  @Override void setup(int benchRows) {
    n = Math.max(1, benchRows / 10);
    logits = Data.normal(21, n * V, 1);
    logq = Data.logSoftmaxRows(Data.normal(22, n * V, 1), n, V);
    logitsA = NDArray.fromFlat(logits, n, V);
    logqA = NDArray.fromFlat(logq, n, V);
  }

  @Override void release() {
    logits = logq = null;
    logitsA = logqA = null;
  }

  /** The anchor's seed_fn: {ent, varent, kl}. */
  static NDArray[] seed(NDArray logitsIn, NDArray logqIn) {
    NDArray logp = Nn.logSoftmax(logitsIn, -1);
    NDArray p = Np.exp(logp);
    NDArray ent = Np.negative(Np.sum(Np.multiply(p, logp), -1));
    NDArray centered = Np.add(logp, Np.expandDims(ent, -1));
    NDArray varent = Np.sum(Np.multiply(p, Np.multiply(centered, centered)), -1);
    NDArray kl = Np.sum(Np.where(Np.greater(p, 0.0), Np.multiply(p, Np.subtract(logp, logqIn)), 0.0), -1);
    return new NDArray[] {ent, varent, kl};
  }

  @Override Supplier<NDArray[]> newArraxCall() {
    Fn ent = a -> seed(a[0], a[1])[0];
    Fn varent = a -> seed(a[0], a[1])[1];
    Fn kl = a -> seed(a[0], a[1])[2];
    MultiFn all = Arrax.outputs(ent, varent, kl).jit();
    return () -> {
      NDArray[] r = all.apply(logitsA, logqA);
      for (NDArray a : r) a.blockUntilReady();
      return r;
    };
  }

  @Override float[][] hand(RowPool pool) {
    float[] ent = new float[n], varent = new float[n], kl = new float[n];
    pool.forEachSlice(n, 1, (part, from, to) -> {
      float[] e = new float[V];
      for (int r = from; r < to; r++) row(r, e, ent, varent, kl);
    });
    return new float[][] {ent, varent, kl};
  }

  private void row(int r, float[] e, float[] entOut, float[] varOut, float[] klOut) {
    final float[] l = logits, q = logq;
    int o = r * V, L = S.length(), k;
    int bound = S.loopBound(V);
    FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (k = 0; k < bound; k += L) mv = mv.max(FloatVector.fromArray(S, l, o + k));
    float m = mv.reduceLanes(VectorOperators.MAX);
    for (; k < V; k++) m = Math.max(m, l[o + k]);
    FloatVector sv = FloatVector.zero(S);
    for (k = 0; k < bound; k += L) {
      FloatVector ev = FastMath.exp(FloatVector.fromArray(S, l, o + k).sub(m));
      ev.intoArray(e, k);
      sv = sv.add(ev);
    }
    float s = sv.reduceLanes(VectorOperators.ADD);
    for (; k < V; k++) {
      e[k] = FastMath.exp(l[o + k] - m);
      s += e[k];
    }
    float inv = 1f / s, lse = m + (float) Math.log(s);
    FloatVector plp = FloatVector.zero(S), klv = FloatVector.zero(S);
    for (k = 0; k < bound; k += L) {
      FloatVector p = FloatVector.fromArray(S, e, k).mul(inv);
      FloatVector logp = FloatVector.fromArray(S, l, o + k).sub(lse);
      plp = p.fma(logp, plp);
      FloatVector d = p.mul(logp.sub(FloatVector.fromArray(S, q, o + k)));
      klv = klv.add(d.blend(0f, p.compare(VectorOperators.GT, 0f).not()));
    }
    float sumPlogp = plp.reduceLanes(VectorOperators.ADD), klSum = klv.reduceLanes(VectorOperators.ADD);
    for (; k < V; k++) {
      float p = e[k] * inv, logp = l[o + k] - lse;
      sumPlogp += p * logp;
      if (p > 0) klSum += p * (logp - q[o + k]);
    }
    float ent = -sumPlogp;
    FloatVector vv = FloatVector.zero(S);
    float shift = ent - lse; // logp + ent = l + (ent - lse)
    for (k = 0; k < bound; k += L) {
      FloatVector p = FloatVector.fromArray(S, e, k).mul(inv);
      FloatVector c = FloatVector.fromArray(S, l, o + k).add(shift);
      vv = p.mul(c).fma(c, vv);
    }
    float var = vv.reduceLanes(VectorOperators.ADD);
    for (; k < V; k++) {
      float c = l[o + k] + shift;
      var += e[k] * inv * c * c;
    }
    entOut[r] = ent;
    varOut[r] = var;
    klOut[r] = klSum;
  }

  @Override double[][] reference64() {
    int rows = Math.min(n, CHECK_ROWS);
    double[] ent = new double[rows], var = new double[rows], kl = new double[rows];
    for (int r = 0; r < rows; r++) {
      int o = r * V;
      double m = Double.NEGATIVE_INFINITY, s = 0;
      for (int k = 0; k < V; k++) m = Math.max(m, logits[o + k]);
      for (int k = 0; k < V; k++) s += Math.exp(logits[o + k] - m);
      double lse = m + Math.log(s), h = 0, d = 0;
      for (int k = 0; k < V; k++) {
        double logp = logits[o + k] - lse, p = Math.exp(logp);
        h -= p * logp;
        if (p > 0) d += p * (logp - logq[o + k]);
      }
      double v = 0;
      for (int k = 0; k < V; k++) {
        double logp = logits[o + k] - lse, p = Math.exp(logp);
        v += p * (logp + h) * (logp + h);
      }
      ent[r] = h;
      var[r] = v;
      kl[r] = d;
    }
    return new double[][] {ent, var, kl};
  }
}
