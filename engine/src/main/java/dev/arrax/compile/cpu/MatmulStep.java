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
 * vectorizes it, rows split across threads. Every f32 output element is one chain of fused
 * multiply-adds over K, in the SIMD path ({@link VectorMatmul}) and the scalar one alike, and a single
 * column is a {@link Summation} 16-lane dot, so both give the same bits. A contraction over the leading
 * axis of both operands (a gradient summed over rows) and a single row against a long K are sums over
 * rows: {@link Summation}'s 64-row chunks and float64 segment totals, threads taking whole segments.
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
    if (contractionMode() && k > 1) {
      // A sum over rows: the same chunked, segmented order as inside a row-blocked run (no transpose copy).
      new RowBlockedSequence(java.util.List.of(this), k, java.util.Set.of()).run(env);
      return;
    }
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

  /**
   * Whether a product is one row against a long K (a transposed matvec over the batch): then it is a sum
   * over K's rows, in {@link Summation}'s chunked, segmented order. Depends on the shapes only.
   */
  private boolean longSingleRow() {
    return batch * m == 1 && k > Summation.CHUNK_ROWS;
  }

  private void multiply(float[] a, float[] b, float[] c) {
    long work = (long) batch * m * k * n;
    if (longSingleRow()) {
      int segRows = Summation.segmentRows(k), nSeg = Summation.segments(k);
      double[] seg = new double[nSeg * n];
      int parts = Parallel.partsFor(work, nSeg);
      Parallel.forEach(parts, p -> {
        int r0 = Summation.partStart(k, p, parts), r1 = Summation.partStart(k, p + 1, parts);
        contract(a, 0, b, 0, 1, n, r0, r1, seg, segRows, new float[n]);
      });
      sumSegments(seg, nSeg, n, c);
      return;
    }
    int rowsTotal = batch * m;
    int parts = Parallel.partsFor(work, rowsTotal);
    Parallel.forEach(parts, p -> {
      int from = (int) ((long) rowsTotal * p / parts), to = (int) ((long) rowsTotal * (p + 1) / parts);
      if (VectorSupport.AVAILABLE) VectorMatmul.rows(a, b, c, from, to, m, k, n);
      else rows(a, b, c, from, to);
    });
  }

  /**
   * Scalar twin of {@link VectorMatmul#rows}: c[r, j] is the FMA chain over kk of a[r, kk] b[kk, j]
   * from 0, and a single column is {@link Summation#dot}; c starts zeroed.
   */
  private void rows(float[] a, float[] b, float[] c, int from, int to) {
    float[] lanes = new float[Summation.LANES];
    for (int r = from; r < to; r++) {
      int bBase = (r / m) * k * n, aOff = r * k, cOff = r * n;
      if (n == 1) {
        c[cOff] = Summation.dot(a, aOff, b, bBase, k, lanes);
        continue;
      }
      for (int kk = 0; kk < k; kk++) Summation.axpy(a[aOff + kk], b, bBase + kk * n, c, cOff, n);
    }
  }

  private void multiply(double[] a, double[] b, double[] c) {
    long work = (long) batch * m * k * n;
    if (longSingleRow()) {
      int segRows = Summation.segmentRows(k), nSeg = Summation.segments(k);
      double[] seg = new double[nSeg * n];
      int parts = Parallel.partsFor(work, nSeg);
      Parallel.forEach(parts, p -> {
        int r0 = Summation.partStart(k, p, parts), r1 = Summation.partStart(k, p + 1, parts);
        contract(a, 0, b, 0, 1, n, r0, r1, seg, segRows, new double[n]);
      });
      for (int j = 0; j < n; j++) c[j] = Summation.segmentTotal(seg, nSeg, n, j);
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

  /**
   * Rows [from, to) of sum over r of a[r, :]^T b[r, :] (a [rows, m], b [rows, n], buffers starting at rows
   * aOrg and bOrg): chunks of {@link Summation#CHUNK_ROWS} rows (aligned to multiples of it) summed in f32
   * by FMA, row after row, into {@code c} (scratch of m * n), each chunk then added to its segment's
   * float64 total {@code seg[segment * m * n ...]}. The SIMD and scalar axpy give the same bits.
   */
  static void contract(float[] a, int aOrg, float[] b, int bOrg, int m, int n, int from, int to, double[] seg, int segRows, float[] c) {
    int size = m * n;
    boolean vec = VectorSupport.AVAILABLE;
    for (int c0 = from; c0 < to; ) {
      int c1 = Math.min(to, (c0 / Summation.CHUNK_ROWS + 1) * Summation.CHUNK_ROWS);
      java.util.Arrays.fill(c, 0, size, 0f);
      if (n == 1 && vec && VectorMatmul.columnSumFits(m)) {
        VectorMatmul.columnSum(a, aOrg, b, bOrg, m, c0, c1, c); // the axpy chains below, held in registers over the chunk
      } else if (m == 1 && vec && VectorMatmul.columnSumFits(n)) {
        VectorMatmul.columnSum(b, bOrg, a, aOrg, n, c0, c1, c);
      } else {
        for (int r = c0; r < c1; r++) {
          int ao = (r - aOrg) * m, bo = (r - bOrg) * n;
          if (n == 1) {
            if (vec && m >= 16) VectorMatmul.axpy(b[bo], a, ao, c, 0, m);
            else Summation.axpy(b[bo], a, ao, c, 0, m);
          } else {
            for (int i = 0; i < m; i++) {
              if (vec && n >= 16) VectorMatmul.axpy(a[ao + i], b, bo, c, i * n, n);
              else Summation.axpy(a[ao + i], b, bo, c, i * n, n);
            }
          }
        }
      }
      int off = (c0 / segRows) * size;
      for (int i = 0; i < size; i++) seg[off + i] += c[i];
      c0 = c1;
    }
  }

  /** {@link #contract(float[], int, float[], int, int, int, int, int, double[], int, float[])} in float64. */
  static void contract(double[] a, int aOrg, double[] b, int bOrg, int m, int n, int from, int to, double[] seg, int segRows, double[] c) {
    int size = m * n;
    for (int c0 = from; c0 < to; ) {
      int c1 = Math.min(to, (c0 / Summation.CHUNK_ROWS + 1) * Summation.CHUNK_ROWS);
      java.util.Arrays.fill(c, 0, size, 0d);
      for (int r = c0; r < c1; r++) {
        int ao = (r - aOrg) * m, bo = (r - bOrg) * n;
        for (int i = 0; i < m; i++) {
          double x = a[ao + i];
          for (int j = 0; j < n; j++) c[i * n + j] += x * b[bo + j];
        }
      }
      int off = (c0 / segRows) * size;
      for (int i = 0; i < size; i++) seg[off + i] += c[i];
      c0 = c1;
    }
  }

  /** out[i] = the float64 sum of the segment totals in segment order, rounded once. */
  private static void sumSegments(double[] seg, int nSeg, int size, float[] out) {
    for (int i = 0; i < size; i++) out[i] = (float) Summation.segmentTotal(seg, nSeg, size, i);
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

  /** Whether this step sums over the rows of its run (contraction mode): its blocks must hold whole chunks. */
  boolean sumsOverRows() { return contractionMode(); }

  /** Whether the output has the rows of the run (rows mode), rather than being a sum over them. */
  boolean producesRows() { return rowsMode(); }

  /**
   * Whether a {@link TiledChain} can run this product in its 4-row tiles: rows mode in float32 with the Vector API, and
   * whole vectors per output row (its tiles have no scalar column tail).
   */
  boolean tileable() {
    int l = VectorMatmul.lanes();
    return VectorSupport.AVAILABLE && rowsMode() && outType.dtype() == DType.FLOAT32 && l >= 8 && n % l == 0 && k >= 1;
  }

  int lhsSlot() { return lhsSlot; }

  int outSlot() { return outSlot; }

  /** The slot holding the right operand laid out {@code [k, n]} (set by {@link #allocate} in rows mode). */
  int rhsLayoutSlot() { return scratchSlot; }

  int k() { return k; }

  int n() { return n; }

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

  /** The multiply-adds of a row, and its elements. */
  @Override public long rowWork() { return (contractionMode() ? (long) m * n : (long) k * n) + RowStep.super.rowWork(); }

  /** The operands: a contraction's two row-wise ones (once if they are the same slot), or a product's left one. */
  @Override public long rowWidthBeyond(java.util.Set<Integer> seen) {
    if (contractionMode()) return (seen.contains(lhsSlot) ? 0 : m) + (seen.contains(rhsSlot) || rhsSlot == lhsSlot ? 0 : (long) n);
    return (seen.contains(lhsSlot) ? 0 : k) + (long) n;
  }

  @Override public void allocate(NDArray[] env, java.util.Set<Integer> local) {
    if (!contractionMode()) env[scratchSlot] = Layout.permute((ConcreteArray) env[rhsSlot], rhsPerm);
    if (!local.contains(outSlot)) env[outSlot] = new ConcreteArray(outType, Buffer.allocate(outType.dtype(), outType.size()));
  }

  @Override public void begin(NDArray[] env, int parts) {
    // Float64 totals per segment of rows (Summation): a float32 gradient summed over millions of rows keeps
    // its precision, and the order of the additions depends on the row count only.
    if (contractionMode()) {
      int nSeg = Summation.segments(k);
      env[scratchSlot] = new ConcreteArray(new ArrayType(DType.FLOAT64, nSeg, m * n), Buffer.allocate(DType.FLOAT64, nSeg * m * n));
    }
  }

  @Override public void runRows(NDArray[] env, int part, int from, int to, int[] rowOrigin) {
    Object a = ((ConcreteArray) env[lhsSlot]).buffer().array(), b = ((ConcreteArray) env[rhsSlot]).buffer().array();
    int aOrg = rowOrigin[lhsSlot], bOrg = rowOrigin[rhsSlot], cOrg = rowOrigin[outSlot];
    if (contractionMode()) {
      double[] seg = (double[]) ((ConcreteArray) env[scratchSlot]).buffer().array();
      int segRows = Summation.segmentRows(k);
      if (a instanceof float[] fa) contract(fa, aOrg, (float[]) b, bOrg, m, n, from, to, seg, segRows, new float[m * n]);
      else contract((double[]) a, aOrg, (double[]) b, bOrg, m, n, from, to, seg, segRows, new double[m * n]);
      return;
    }
    Object bp = ((ConcreteArray) env[scratchSlot]).buffer().array();
    Object c = ((ConcreteArray) env[outSlot]).buffer().array();
    if (a instanceof float[] fa) {
      if (VectorSupport.AVAILABLE) {
        VectorMatmul.rows(fa, aOrg, (float[]) bp, (float[]) c, cOrg, from, to, m, k, n);
      } else {
        float[] lanes = new float[Summation.LANES];
        for (int r = from; r < to; r++) rowAt(fa, (r - aOrg) * k, (float[]) bp, (float[]) c, (r - cOrg) * n, lanes);
      }
    } else {
      for (int r = from; r < to; r++) rowAt((double[]) a, (r - aOrg) * k, (double[]) bp, (double[]) c, (r - cOrg) * n);
    }
  }

  /** One output row of a plain (batch 1) product at explicit offsets: the scalar twin of {@link VectorMatmul#rows}. */
  private void rowAt(float[] a, int aOff, float[] b, float[] c, int cOff, float[] lanes) {
    if (n == 1) {
      c[cOff] = Summation.dot(a, aOff, b, 0, k, lanes);
      return;
    }
    for (int j = 0; j < n; j++) c[cOff + j] = 0f;
    for (int kk = 0; kk < k; kk++) Summation.axpy(a[aOff + kk], b, kk * n, c, cOff, n);
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
    double[] seg = (double[]) ((ConcreteArray) env[scratchSlot]).buffer().array();
    Buffer out = ((ConcreteArray) env[outSlot]).buffer();
    int size = m * n, nSeg = seg.length / Math.max(1, size);
    for (int i = 0; i < size; i++) out.setDouble(i, Summation.segmentTotal(seg, nSeg, size, i));
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
