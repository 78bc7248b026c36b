package dev.arrax.compile.cpu;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Shapes;
import dev.arrax.ir.Eqn;
import dev.arrax.primitives.DotGeneral;
import dev.arrax.primitives.Primitives;

/**
 * dot_general on f32/f64 as batched matrix products: operands are laid out as {@code [B, M, K]} and
 * {@code [B, K, N]} (a copy only when the axes really move; size-1 axes are free), then
 * {@code C[b] = A[b] B[b]} runs row by row with the contiguous {@code j} loop innermost so the JIT
 * vectorizes it, rows split across threads. A single row with a long K (a transposed matvec over
 * the batch, as in a gradient summed over rows) is split along K instead, partial rows summed in order.
 */
final class MatmulStep implements RowStep {
  private final Eqn eqn;
  private final int lhsSlot, rhsSlot, outSlot, scratchSlot;
  private final int[] lhsPerm, rhsPerm;
  private final int batch, m, k, n;
  private final ArrayType outType;

  MatmulStep(Eqn eqn, int lhsSlot, int rhsSlot, int outSlot, int scratchSlot) {
    this.eqn = eqn;
    this.scratchSlot = scratchSlot;
    this.lhsSlot = lhsSlot;
    this.rhsSlot = rhsSlot;
    this.outSlot = outSlot;
    DotGeneral.P p = Primitives.DOT_GENERAL.params(eqn);
    int[] lc = p.lhsContract(), rc = p.rhsContract(), lb = p.lhsBatch(), rb = p.rhsBatch();
    ArrayType lt = eqn.inputs().get(0).type(), rt = eqn.inputs().get(1).type();
    int[] lfree = freeAxes(lt.rank(), lc, lb), rfree = freeAxes(rt.rank(), rc, rb);
    lhsPerm = Shapes.concat(Shapes.concat(lb, lfree), lc);
    rhsPerm = Shapes.concat(Shapes.concat(rb, rc), rfree);
    batch = prod(lt.shape(), lb);
    m = prod(lt.shape(), lfree);
    k = prod(lt.shape(), lc);
    n = prod(rt.shape(), rfree);
    outType = eqn.outputs().get(0).type();
  }

  static boolean supports(Eqn e) {
    DType d = e.outputs().get(0).type().dtype();
    return e.primitive() == Primitives.DOT_GENERAL && (d == DType.FLOAT32 || d == DType.FLOAT64);
  }

  @Override public void run(NDArray[] env) {
    ConcreteArray a = Layout.permute((ConcreteArray) env[lhsSlot], lhsPerm);
    ConcreteArray b = Layout.permute((ConcreteArray) env[rhsSlot], rhsPerm);
    Buffer out = Buffer.allocate(outType.dtype(), outType.size());
    if (outType.dtype() == DType.FLOAT32) {
      multiply((float[]) a.buffer().array(), (float[]) b.buffer().array(), (float[]) out.array());
    } else {
      multiply((double[]) a.buffer().array(), (double[]) b.buffer().array(), (double[]) out.array());
    }
    env[outSlot] = new ConcreteArray(outType, out);
  }

  private void multiply(float[] a, float[] b, float[] c) {
    long work = (long) batch * m * k * n;
    if (batch * m == 1 && k >= 2 * Parallel.threads()) {
      int parts = Parallel.partsFor(work, k / 16 + 1);
      float[][] partial = new float[parts][n];
      Parallel.forEach(parts, p -> {
        int k0 = (int) ((long) k * p / parts), k1 = (int) ((long) k * (p + 1) / parts);
        if (VectorSupport.AVAILABLE && n > 1) VectorMatmul.oneRow(a, b, partial[p], 0, m, k, n, k0, k1);
        else rows(a, b, partial[p], 0, 0, 1, k0, k1);
      });
      for (float[] part : partial) for (int j = 0; j < n; j++) c[j] += part[j];
      return;
    }
    int rowsTotal = batch * m;
    int parts = Parallel.partsFor(work, rowsTotal);
    Parallel.forEach(parts, p -> {
      int from = (int) ((long) rowsTotal * p / parts), to = (int) ((long) rowsTotal * (p + 1) / parts);
      if (VectorSupport.AVAILABLE) VectorMatmul.rows(a, b, c, from, to, m, k, n);
      else for (int r = from; r < to; r++) rows(a, b, c, r, r * n, r + 1, 0, k);
    });
  }

  /** c[cOff..] = sum over kk in [k0,k1) of a[row, kk] * b[batch(row), kk, :], for one output row. */
  private void rows(float[] a, float[] b, float[] c, int row, int cOff, int unused, int k0, int k1) {
    int bi = row / m;
    int aOff = row * k, bBase = bi * k * n;
    if (n == 1) {
      float s = 0f;
      for (int kk = k0; kk < k1; kk++) s += a[aOff + kk] * b[bBase + kk];
      c[cOff] += s;
      return;
    }
    for (int kk = k0; kk < k1; kk++) {
      float x = a[aOff + kk];
      int bOff = bBase + kk * n;
      for (int j = 0; j < n; j++) c[cOff + j] += x * b[bOff + j];
    }
  }

  private void multiply(double[] a, double[] b, double[] c) {
    long work = (long) batch * m * k * n;
    if (batch * m == 1 && k >= 2 * Parallel.threads()) {
      int parts = Parallel.partsFor(work, k / 16 + 1);
      double[][] partial = new double[parts][n];
      Parallel.forEach(parts, p -> rows(a, b, partial[p], 0, 0, (int) ((long) k * p / parts), (int) ((long) k * (p + 1) / parts)));
      for (double[] part : partial) for (int j = 0; j < n; j++) c[j] += part[j];
      return;
    }
    int rowsTotal = batch * m;
    int parts = Parallel.partsFor(work, rowsTotal);
    Parallel.forEach(parts, p -> {
      int from = (int) ((long) rowsTotal * p / parts), to = (int) ((long) rowsTotal * (p + 1) / parts);
      for (int r = from; r < to; r++) rows(a, b, c, r, r * n, 0, k);
    });
  }

  private void rows(double[] a, double[] b, double[] c, int row, int cOff, int k0, int k1) {
    int bi = row / m;
    int aOff = row * k, bBase = bi * k * n;
    if (n == 1) {
      double s = 0;
      for (int kk = k0; kk < k1; kk++) s += a[aOff + kk] * b[bBase + kk];
      c[cOff] += s;
      return;
    }
    for (int kk = k0; kk < k1; kk++) {
      double x = a[aOff + kk];
      int bOff = bBase + kk * n;
      for (int j = 0; j < n; j++) c[cOff + j] += x * b[bOff + j];
    }
  }

  // ---- row-local execution ----
  // Rows mode: C's rows are A's rows, for a plain [rows, k] x [k, n] product.
  // Contraction mode: both operands' leading axis is the contracted one (a gradient summed over rows,
  // A^T B); each part accumulates its rows into a partial C, combined in part order at the end.

  private boolean identity(int[] perm) {
    for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
    return true;
  }

  private boolean rowsMode() {
    ArrayType lt = eqn.inputs().get(0).type();
    return batch == 1 && lt.rank() == 2 && identity(lhsPerm) && lt.dim(0) == m && outType.rank() >= 1 && outType.dim(0) == m;
  }

  /** lhs [N] or [N, m], rhs [N] or [N, n], contracting axis 0 of both, no batch axes. */
  private boolean contractionMode() {
    DotGeneral.P p = Primitives.DOT_GENERAL.params(eqn);
    int[] lc = p.lhsContract(), rc = p.rhsContract(), lb = p.lhsBatch();
    ArrayType lt = eqn.inputs().get(0).type(), rt = eqn.inputs().get(1).type();
    return lb.length == 0 && lc.length == 1 && lc[0] == 0 && rc.length == 1 && rc[0] == 0
        && lt.rank() >= 1 && lt.rank() <= 2 && rt.rank() >= 1 && rt.rank() <= 2;
  }

  /** Whether the output has the rows of the run (rows mode), rather than being a sum over them. */
  boolean producesRows() { return rowsMode(); }

  @Override public int rows() {
    if (rowsMode()) return m;
    if (contractionMode()) return k;
    return -1;
  }

  @Override public int[] inputSlots() { return new int[] {lhsSlot, rhsSlot}; }

  @Override public int[] outputSlots() { return new int[] {outSlot}; }

  @Override public boolean readsRowwise(int inputSlot) {
    if (contractionMode()) return inputSlot == lhsSlot || inputSlot == rhsSlot;
    return inputSlot == lhsSlot && inputSlot != rhsSlot;
  }

  @Override public ArrayType outputType(int slot) { return outType; }

  @Override public long rowWidth() { return contractionMode() ? (long) m + n : (long) k + n; }

  @Override public void allocate(NDArray[] env, java.util.Set<Integer> local) {
    if (!contractionMode()) env[scratchSlot] = Layout.permute((ConcreteArray) env[rhsSlot], rhsPerm);
    if (!local.contains(outSlot)) env[outSlot] = new ConcreteArray(outType, Buffer.allocate(outType.dtype(), outType.size()));
  }

  @Override public void begin(NDArray[] env, int parts) {
    // Per-part totals in f64: each block sums its rows in the operands' dtype, then adds into the total,
    // so a float32 gradient summed over a million rows keeps its precision.
    if (contractionMode()) env[scratchSlot] = new ConcreteArray(new ArrayType(DType.FLOAT64, parts, m * n), Buffer.allocate(DType.FLOAT64, parts * m * n));
  }

  @Override public void runRows(NDArray[] env, int part, int from, int to, int[] rowOrigin) {
    Object a = ((ConcreteArray) env[lhsSlot]).buffer().array(), b = ((ConcreteArray) env[rhsSlot]).buffer().array();
    int aOrg = rowOrigin[lhsSlot], bOrg = rowOrigin[rhsSlot], cOrg = rowOrigin[outSlot];
    if (contractionMode()) {
      double[] totals = (double[]) ((ConcreteArray) env[scratchSlot]).buffer().array();
      int off = part * m * n;
      if (a instanceof float[] fa) {
        float[] fb = (float[]) b, c = new float[m * n];
        for (int r = from; r < to; r++) {
          for (int i = 0; i < m; i++) {
            float x = fa[(r - aOrg) * m + i];
            int bo = (r - bOrg) * n;
            if (VectorSupport.AVAILABLE && n >= 16) VectorMatmul.axpy(x, fb, bo, c, i * n, n);
            else for (int j = 0; j < n; j++) c[i * n + j] += x * fb[bo + j];
          }
        }
        for (int i = 0; i < c.length; i++) totals[off + i] += c[i];
      } else {
        double[] da = (double[]) a, db = (double[]) b;
        for (int r = from; r < to; r++) {
          for (int i = 0; i < m; i++) {
            double x = da[(r - aOrg) * m + i];
            for (int j = 0; j < n; j++) totals[off + i * n + j] += x * db[(r - bOrg) * n + j];
          }
        }
      }
      return;
    }
    Object bp = ((ConcreteArray) env[scratchSlot]).buffer().array();
    Object c = ((ConcreteArray) env[outSlot]).buffer().array();
    if (a instanceof float[] fa) {
      if (VectorSupport.AVAILABLE) {
        VectorMatmul.rows(fa, aOrg, (float[]) bp, (float[]) c, cOrg, from, to, m, k, n);
      } else {
        for (int r = from; r < to; r++) rowAt(fa, (r - aOrg) * k, (float[]) bp, (float[]) c, (r - cOrg) * n);
      }
    } else {
      for (int r = from; r < to; r++) rowAt((double[]) a, (r - aOrg) * k, (double[]) bp, (double[]) c, (r - cOrg) * n);
    }
  }

  /** One output row of a plain (batch 1) product at explicit offsets. */
  private void rowAt(float[] a, int aOff, float[] b, float[] c, int cOff) {
    for (int j = 0; j < n; j++) c[cOff + j] = 0f;
    for (int kk = 0; kk < k; kk++) {
      float x = a[aOff + kk];
      for (int j = 0; j < n; j++) c[cOff + j] += x * b[kk * n + j];
    }
  }

  private void rowAt(double[] a, int aOff, double[] b, double[] c, int cOff) {
    for (int j = 0; j < n; j++) c[cOff + j] = 0;
    for (int kk = 0; kk < k; kk++) {
      double x = a[aOff + kk];
      for (int j = 0; j < n; j++) c[cOff + j] += x * b[kk * n + j];
    }
  }

  @Override public void finish(NDArray[] env) {
    if (!contractionMode()) return;
    Buffer partial = ((ConcreteArray) env[scratchSlot]).buffer(), out = ((ConcreteArray) env[outSlot]).buffer();
    int size = m * n, parts = partial.size() / Math.max(1, size);
    for (int p = 0; p < parts; p++) {
      for (int i = 0; i < size; i++) out.setDouble(i, out.getDouble(i) + partial.getDouble(p * size + i));
    }
  }

  @Override public String describe() {
    return "matmul " + outType.dtype().shortName() + " [" + batch + "x" + m + "x" + k + "] x [" + k + "x" + n + "]";
  }

  private static int[] freeAxes(int rank, int[] c, int[] b) {
    int[] all = Shapes.concat(c, b);
    int[] out = new int[rank - all.length];
    for (int i = 0, j = 0; i < rank; i++) if (!Shapes.contains(all, i)) out[j++] = i;
    return out;
  }

  private static int prod(int[] shape, int[] axes) {
    int p = 1;
    for (int a : axes) p *= shape[a];
    return p;
  }
}
