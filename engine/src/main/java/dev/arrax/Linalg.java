package dev.arrax;

import dev.arrax.core.CallSite;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.Ops;
import java.util.Arrays;

/**
 * jax.numpy.linalg basics for feature pipelines: {@link #norm}, and {@link #det}, {@link #slogdet},
 * {@link #inv}, {@link #solve}, {@link #cholesky} for small matrices, batched over leading axes and
 * usable under vmap, grad and jit.
 *
 * <p>How they are computed. JAX calls LAPACK through its {@code lu}, {@code triangular_solve} and
 * {@code cholesky} primitives. Here the factorizations are unrolled over the matrix size n from
 * ordinary primitives (Gaussian elimination with partial pivoting on the augmented matrix; the
 * Cholesky-Banachiewicz column recurrence), so their derivatives, batching and compilation come from
 * the primitives' rules: the gradient is that of the computation, exact in exact arithmetic. The
 * program grows with n (O(n) steps of O(n^2) work each), which is meant for the small matrices of
 * per-row features (n up to a few dozen), not for large linear algebra. Singular matrices give
 * {@code det == 0} and infinite or NaN solutions, as LAPACK's results do in JAX; the derivative of
 * {@code det} at a singular matrix is not the cofactor formula JAX's custom rule uses, and may be NaN.
 */
public final class Linalg {
  private Linalg() {}

  // ---- norms ----

  /** The 2-norm of all elements, {@code sqrt(sum(x^2))}, whatever the rank ({@code jnp.linalg.norm(x)}). */
  public static NDArray norm(NDArray x) {
    Np.nonNull("norm", x);
    NDArray xf = Np.toFloat(x);
    return Np.sqrt(Np.sum(Np.multiply(xf, xf)));
  }

  /**
   * {@code jnp.linalg.norm(x, ord)} of a vector (1-d: ord 2, 1, inf, -inf, 0 (the count of nonzeros) or
   * any p) or a matrix (2-d: ord 1, -1 (max/min column sum of |x|), inf, -inf (row sums), or the Frobenius
   * norm via {@link #norm(NDArray, String)}). Matrix ord 2 and -2 need singular values, which the engine
   * does not compute.
   */
  public static NDArray norm(NDArray x, double ord) {
    Np.nonNull("norm", x);
    if (x.ndim() == 1) return norm(x, ord, new int[] {0}, false);
    if (x.ndim() == 2) return norm(x, ord, new int[] {0, 1}, false);
    throw new ShapeException("norm: with an ord, x must be 1-d or 2-d (or give the axes), got " + x.type() + CallSite.describe());
  }

  /** {@code jnp.linalg.norm(x, 'fro')} of a matrix (the 2-norm of its elements); {@code 'nuc'} needs singular values and is refused. */
  public static NDArray norm(NDArray x, String ord) {
    Np.nonNull("norm", x);
    if (x.ndim() != 2) throw new ShapeException("norm: ord '" + ord + "' is a matrix norm; x must be 2-d, got " + x.type() + CallSite.describe());
    return norm(x, ord, new int[] {0, 1}, false);
  }

  /**
   * {@code jnp.linalg.norm(x, ord, axis, keepdims)} with numeric ord: one axis gives vector norms along it,
   * two axes matrix norms over them (see {@link #norm(NDArray, double)}).
   */
  public static NDArray norm(NDArray x, double ord, int[] axis, boolean keepdims) {
    Np.nonNull("norm", x);
    NDArray xf = Np.toFloat(x);
    int[] ax = axes("norm", xf, axis);
    if (ax.length == 1) return vectorNorm(xf, ord, ax[0], keepdims);
    if (ax.length != 2) throw new ShapeException("norm: give one axis (vector norm) or two (matrix norm), got " + Arrays.toString(axis) + CallSite.describe());
    int row = ax[0], col = ax[1];
    NDArray abs = Np.abs(xf);
    if (ord == 1 || ord == -1) {
      NDArray colSums = Np.sum(abs, row, true);
      NDArray r = ord == 1 ? Np.max(colSums, col, true) : Np.min(colSums, col, true);
      return keepdims ? r : squeeze2(r, row, col);
    }
    if (ord == Double.POSITIVE_INFINITY || ord == Double.NEGATIVE_INFINITY) {
      NDArray rowSums = Np.sum(abs, col, true);
      NDArray r = ord > 0 ? Np.max(rowSums, row, true) : Np.min(rowSums, row, true);
      return keepdims ? r : squeeze2(r, row, col);
    }
    if (ord == 2 || ord == -2) {
      throw new ArraxException("norm: the matrix 2-norm (ord " + ord + ") needs singular values (jnp.linalg.svd), which Arrax does not compute; "
          + "use ord 'fro', 1 or inf" + CallSite.describe());
    }
    throw new ShapeException("norm: invalid order " + ord + " for a matrix norm; use 1, -1, inf, -inf or 'fro'" + CallSite.describe());
  }

  /** {@code jnp.linalg.norm(x, 'fro', axis=(a, b), keepdims)}. */
  public static NDArray norm(NDArray x, String ord, int[] axis, boolean keepdims) {
    Np.nonNull("norm", x);
    if (ord == null || !(ord.equals("fro") || ord.equals("f"))) {
      if ("nuc".equals(ord)) {
        throw new ArraxException("norm: the nuclear norm needs singular values (jnp.linalg.svd), which Arrax does not compute" + CallSite.describe());
      }
      throw new ShapeException("norm: invalid order '" + ord + "'; use 'fro' or a number" + CallSite.describe());
    }
    NDArray xf = Np.toFloat(x);
    int[] ax = axes("norm", xf, axis);
    if (ax.length != 2) throw new ShapeException("norm: 'fro' is a matrix norm: give two axes, got " + Arrays.toString(axis) + CallSite.describe());
    NDArray r = Np.sqrt(Np.sum(Np.sum(Np.multiply(xf, xf), ax[1], true), ax[0], true));
    return keepdims ? r : squeeze2(r, ax[0], ax[1]);
  }

  private static NDArray vectorNorm(NDArray x, double ord, int a, boolean keepdims) {
    NDArray abs = Np.abs(x);
    if (ord == 2) return Np.sqrt(Np.sum(Np.multiply(x, x), a, keepdims));
    if (ord == Double.POSITIVE_INFINITY) return x.shape()[a] == 0 ? Np.sum(abs, a, keepdims) : Np.max(abs, a, keepdims);
    if (ord == Double.NEGATIVE_INFINITY) return Np.min(abs, a, keepdims);
    if (ord == 0) return Np.sum(Ops.convert(Np.notEqual(x, 0.0), x.dtype()), a, keepdims);
    if (ord == 1) return Np.sum(abs, a, keepdims);
    return Np.power(Np.sum(Np.power(abs, ord), a, keepdims), 1.0 / ord);
  }

  private static int[] axes(String op, NDArray x, int[] axis) {
    if (axis == null) throw new ArraxException(op + ": axis is null; use norm(x) for all elements" + CallSite.describe());
    int[] r = new int[axis.length];
    for (int i = 0; i < r.length; i++) r[i] = Shapes.axis(op, axis[i], x.ndim());
    if (r.length == 2 && r[0] == r[1]) throw new ShapeException(op + ": repeated axis " + Arrays.toString(axis) + CallSite.describe());
    return r;
  }

  private static NDArray squeeze2(NDArray r, int a, int b) {
    return Np.squeeze(Np.squeeze(r, Math.max(a, b)), Math.min(a, b));
  }

  // ---- factorizations of small matrices ----

  /** The determinant of each matrix in the last two axes ({@code jnp.linalg.det}); floats (integers become f64/f32). */
  public static NDArray det(NDArray a) {
    Elimination e = eliminate("det", a, null);
    NDArray d = Ops.reduceProd(diagonal(e.upper()), e.upper().ndim() - 2);
    return Ops.mul(d, e.sign());
  }

  /**
   * {@code jnp.linalg.slogdet}: {sign, log|det|} of each matrix, the log taken as the sum of the logs of
   * the pivots, so it does not overflow where det would. A singular matrix gives {0, -inf}.
   */
  public static NDArray[] slogdet(NDArray a) {
    Elimination e = eliminate("slogdet", a, null);
    NDArray diag = diagonal(e.upper());
    int last = diag.ndim() - 1;
    NDArray logAbs = Ops.reduceSum(Np.log(Np.abs(diag)), last);
    NDArray sign = Ops.mul(Ops.reduceProd(Np.sign(diag), last), e.sign());
    return new NDArray[] {sign, logAbs};
  }

  /**
   * Solves {@code a x = b} for each matrix in {@code a}'s last two axes ({@code jnp.linalg.solve}):
   * {@code b} of shape {@code [..., n]} (one right-hand side per matrix, when {@code b.ndim == a.ndim - 1})
   * or {@code [..., n, k]}. Gaussian elimination with partial pivoting, then back substitution.
   */
  public static NDArray solve(NDArray a, NDArray b) {
    Np.nonNull("solve", a, b);
    boolean vector = b.ndim() == a.ndim() - 1;
    NDArray rhs = vector ? Np.expandDims(b, -1) : b;
    Elimination e = eliminate("solve", a, rhs);
    NDArray x = backSubstitute(e.upper(), e.rhs());
    return vector ? Np.squeeze(x, -1) : x;
  }

  /** The inverse of each matrix ({@code jnp.linalg.inv}): {@code solve(a, I)}. */
  public static NDArray inv(NDArray a) {
    Np.nonNull("inv", a);
    checkSquare("inv", a);
    int n = a.shape()[a.ndim() - 1];
    NDArray af = Np.toFloat(a);
    NDArray eye = Np.broadcastTo(Np.eye(n, af.dtype()), af.shape());
    return solve(af, eye);
  }

  /**
   * The lower-triangular Cholesky factor L with {@code a = L L^T} of each symmetric positive-definite
   * matrix ({@code jnp.linalg.cholesky}). As JAX, the input is symmetrized first ({@code (a + a^T) / 2}),
   * and a matrix that is not positive definite gives NaNs rather than an error.
   */
  public static NDArray cholesky(NDArray a) {
    Np.nonNull("cholesky", a);
    checkSquare("cholesky", a);
    NDArray af = Np.toFloat(a);
    int r = af.ndim(), n = af.shape()[r - 1];
    NDArray sym = Ops.mul(Ops.add(af, Np.swapaxes(af, -1, -2)), Ops.like(af, 0.5));
    int[] batch = Arrays.copyOf(af.shape(), r - 2);
    NDArray[] cols = new NDArray[n];
    for (int j = 0; j < n; j++) {
      NDArray v = Lax.sliceInDim(Lax.indexInDim(sym, j, r - 1, false), j, n, 1, r - 2); // a[..., j:, j]
      if (j > 0) {
        NDArray c = Np.stack(Arrays.copyOf(cols, j), -1); // [..., n, j]
        NDArray below = Lax.sliceInDim(c, j, n, 1, r - 2); // [..., n-j, j]
        NDArray rowJ = Lax.indexInDim(c, j, r - 2, false); // [..., j]
        v = Ops.sub(v, Np.matmul(below, Np.expandDims(rowJ, -1)).reshape(v.shape()));
      }
      NDArray d = Np.sqrt(Lax.sliceInDim(v, 0, 1, 1, r - 2)); // [..., 1]
      NDArray rest = Ops.div(Lax.sliceInDim(v, 1, n - j, 1, r - 2), Np.broadcastTo(d, Shapes.concat(batch, new int[] {n - j - 1})));
      NDArray zeros = Ops.zeros(new dev.arrax.core.ArrayType(af.dtype(), Shapes.concat(batch, new int[] {j})));
      cols[j] = Np.concatenate(new NDArray[] {zeros, d, rest}, -1);
    }
    return Np.stack(cols, -1);
  }

  /** The eliminated matrix: upper triangle U of {@code P a = L U}, {@code L^-1 P b}, and the permutation's sign. */
  private record Elimination(NDArray upper, NDArray rhs, NDArray sign) {}

  private static void checkSquare(String op, NDArray a) {
    int r = a.ndim();
    if (r < 2 || a.shape()[r - 1] != a.shape()[r - 2]) {
      throw new ShapeException(op + ": needs square matrices in the last two axes, got " + a.type() + CallSite.describe());
    }
  }

  /**
   * Gaussian elimination with partial pivoting on {@code [a | b]}, unrolled over the n columns and
   * batched over the leading axes: at step k the row with the largest |a[i, k]| (i >= k; the first on
   * ties) is swapped into row k and multiples of it are subtracted from the rows below. A zero pivot
   * leaves its column as it is (the matrix is singular).
   */
  private static Elimination eliminate(String op, NDArray a, NDArray b) {
    Np.nonNull(op, a);
    checkSquare(op, a);
    DType d = Np.floatType(b == null ? a.dtype() : DType.promote(a.dtype(), b.dtype()));
    NDArray af = Ops.convert(a, d);
    int r = af.ndim(), n = af.shape()[r - 1];
    int[] batch = Arrays.copyOf(af.shape(), r - 2);
    NDArray m = af;
    int k0 = n;
    if (b != null) {
      int[] bs = b.shape();
      if (b.ndim() != r || bs[r - 2] != n) {
        throw new ShapeException(op + ": the right-hand side " + b.type() + " does not fit " + a.type() + "; it must be [..., " + n + "] or [..., " + n + ", k]"
            + CallSite.describe());
      }
      int[] bb = Shapes.broadcast(Arrays.copyOf(bs, r - 2), batch);
      if (bb == null || !Arrays.equals(bb, batch)) {
        throw new ShapeException(op + ": the batch axes of " + b.type() + " do not match " + a.type() + CallSite.describe());
      }
      NDArray bf = Np.broadcastTo(Ops.convert(b, d), Shapes.concat(batch, new int[] {n, bs[r - 1]}));
      m = Ops.concatenate(new NDArray[] {af, bf}, r - 1);
    }
    int w = m.shape()[r - 1];
    int[] full = m.shape();
    NDArray rows = Ops.iota(DType.INT64, full, r - 2);
    NDArray swaps = Ops.zeros(new dev.arrax.core.ArrayType(DType.INT64, batch));
    for (int k = 0; k < n; k++) {
      NDArray col = Lax.indexInDim(m, k, r - 1, false); // [..., n]
      NDArray rowIdx = Ops.iota(DType.INT64, col.shape(), r - 2);
      NDArray cand = Ops.select(Ops.ge(rowIdx, Ops.like(rowIdx, k)), Np.abs(col), Ops.like(col, -1));
      NDArray p = Ops.argmax(cand, r - 2, DType.INT64); // [...]
      swaps = Ops.add(swaps, Ops.convert(Ops.ne(p, Ops.like(p, k)), DType.INT64));
      NDArray pb = Ops.broadcastInDim(p, Shapes.concat(batch, new int[] {1, w}), Shapes.range(batch.length));
      NDArray rowP = Np.takeAlongAxis(m, pb, r - 2); // [..., 1, w]
      NDArray rowK = Lax.sliceInDim(m, k, k + 1, 1, r - 2);
      NDArray isK = Ops.eq(rows, Ops.like(rows, k));
      NDArray isP = Ops.eq(rows, Ops.broadcastInDim(p, full, Shapes.range(batch.length)));
      m = Ops.select(isK, Np.broadcastTo(rowP, full), Ops.select(isP, Np.broadcastTo(rowK, full), m));
      NDArray pivot = Lax.indexInDim(Lax.indexInDim(m, k, r - 2, false), k, r - 2, false); // [...]
      NDArray safe = Ops.select(Ops.eq(pivot, Ops.like(pivot, 0)), Ops.like(pivot, 1), pivot);
      NDArray colK = Lax.indexInDim(m, k, r - 1, false); // [..., n]
      NDArray factor = Ops.div(colK, Ops.broadcastInDim(safe, colK.shape(), Shapes.range(batch.length)));
      factor = Ops.select(Ops.gt(rowIdx, Ops.like(rowIdx, k)), factor, Ops.zeros(factor.type()));
      NDArray pivotRow = Lax.indexInDim(m, k, r - 2, false); // [..., w]
      NDArray update = Ops.mul(Ops.broadcastInDim(factor, full, Shapes.concat(Shapes.range(batch.length), new int[] {r - 2})),
          Ops.broadcastInDim(pivotRow, full, Shapes.concat(Shapes.range(batch.length), new int[] {r - 1})));
      m = Ops.sub(m, update);
    }
    NDArray odd = Ops.ne(Np.remainder(swaps, Ops.scalar(2, DType.INT64)), Ops.like(swaps, 0));
    NDArray sign = Ops.select(odd, Ops.full(new dev.arrax.core.ArrayType(d, batch), -1), Ops.full(new dev.arrax.core.ArrayType(d, batch), 1));
    NDArray upper = b == null ? m : Lax.sliceInDim(m, 0, k0, 1, r - 1);
    NDArray rhs = b == null ? null : Lax.sliceInDim(m, k0, w, 1, r - 1);
    return new Elimination(upper, rhs, sign);
  }

  /** Solves U x = y for upper-triangular U (only its upper triangle is read), from the last row up. */
  private static NDArray backSubstitute(NDArray u, NDArray y) {
    int r = u.ndim(), n = u.shape()[r - 1];
    NDArray[] xs = new NDArray[n];
    for (int k = n - 1; k >= 0; k--) {
      NDArray s = Lax.indexInDim(y, k, r - 2, false); // [..., m]
      if (k < n - 1) {
        NDArray below = Np.stack(Arrays.copyOfRange(xs, k + 1, n), -2); // [..., n-k-1, m]
        NDArray uRow = Lax.sliceInDim(Lax.indexInDim(u, k, r - 2, false), k + 1, n, 1, r - 2); // [..., n-k-1]
        s = Ops.sub(s, Np.squeeze(Np.matmul(Np.expandDims(uRow, -2), below), -2));
      }
      NDArray ukk = Lax.indexInDim(Lax.indexInDim(u, k, r - 2, false), k, r - 2, false); // [...]
      xs[k] = Ops.div(s, Ops.broadcastInDim(ukk, s.shape(), Shapes.range(ukk.ndim())));
    }
    return Np.stack(xs, -2);
  }

  /** The diagonal of the last two axes: [..., n]. */
  private static NDArray diagonal(NDArray m) {
    int r = m.ndim(), n = m.shape()[r - 1];
    NDArray eye = Ops.broadcastInDim(Ops.eq(Ops.iota(DType.INT32, new int[] {n, n}, 0), Ops.iota(DType.INT32, new int[] {n, n}, 1)), m.shape(), new int[] {r - 2, r - 1});
    return Ops.reduceSum(Ops.select(eye, m, Ops.zeros(m.type())), r - 1);
  }
}
