package dev.arrax;

import static dev.arrax.testing.Pinned.INF;
import static dev.arrax.testing.Pinned.NaN;
import static dev.arrax.testing.Pinned.arr;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import org.junit.jupiter.api.Test;

/**
 * {@link Lax} against jax.lax: values (and some gradients) generated with JAX 0.10.2 in 64-bit mode
 * and pinned. Dynamic slicing follows JAX's default: a negative start counts from the end, then the
 * start is clamped into range (XLA); values with negative starts were derived by hand from that rule.
 */
class LaxTest {
  static final NDArray X = arr(DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0});
  static final NDArray X3 = arr(DType.FLOAT64, new int[] {2, 3, 4}, new double[] {-1.5, -1.5, 1.25, 0.0, 0.5, 0.5, 1.0, -2.0, 0.0, -1.5, -0.5, 1.75, 0.25, -1.75, 0.25, -1.5, 1.0, 2.0, 2.0, 0.5, 1.5, -0.5, -1.5, 0.0});
  static final NDArray XI = arr(DType.INT32, new int[] {2, 3}, new double[] {4.0, -2.0, 7.0, 0.0, 9.0, -5.0});
  static final NDArray U = arr(DType.FLOAT64, new int[] {2, 2}, new double[] {100.0, 200.0, 300.0, 400.0});
  static final NDArray V = arr(DType.FLOAT64, new int[] {3}, new double[] {1.0, -2.0, 3.0});
  static final NDArray R = arr(DType.FLOAT64, new int[] {3, 4}, new double[] {0.5, -1.0, 2.0, 2.0, -1.75, -1.25, -1.25, -1.25, 0.25, -0.75, 0.0, -1.25});
  static final NDArray CV = arr(DType.FLOAT64, new int[] {10}, new double[] {-1.7, 2.5, -0.5, 0.0, 7.9, 10000000000.0, -10000000000.0, NaN, INF, -INF});
  static final NDArray L64 = arr(DType.INT64, new int[] {4}, new double[] {4294967301.0, -1.0, 2147483648.0, -7.0});

  @Test
  void sliceInDimAndIndexInDimWithNegativeArguments() {
    pin(Lax.sliceInDim(X, 1, 3, 1, 0), DType.FLOAT64, new int[] {2, 5}, new double[] {-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, "sliceInDim 1:3 axis 0");
    pin(Lax.sliceInDim(X, -4, -1, 2, 1), DType.FLOAT64, new int[] {3, 2}, new double[] {-2.5, -1.5, 0.0, 1.0, 2.5, 3.5}, "sliceInDim -4:-1:2 axis 1");
    pin(Lax.sliceInDim(X, 0, 5, 2, -1), DType.FLOAT64, new int[] {3, 3}, new double[] {-3.0, -2.0, -1.0, -0.5, 0.5, 1.5, 2.0, 3.0, 4.0}, "sliceInDim 0:5:2 axis -1");
    pin(Lax.sliceInDim(X, -3, 3, 1, 0), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, "sliceInDim -3:3 axis 0");
    pin(Lax.sliceInDim(X3, 0, 3, 2, -2), DType.FLOAT64, new int[] {2, 2, 4}, new double[] {-1.5, -1.5, 1.25, 0.0, 0.0, -1.5, -0.5, 1.75, 0.25, -1.75, 0.25, -1.5, 1.5, -0.5, -1.5, 0.0}, "sliceInDim 3-d axis -2 stride 2");
    pin(Lax.sliceInDim(X, 2, 2, 1, 0), DType.FLOAT64, new int[] {0, 5}, new double[] {}, "sliceInDim empty");
    pin(Lax.sliceInDim(XI, -2, 3, 1, 1), DType.INT32, new int[] {2, 2}, new double[] {-2.0, 7.0, 9.0, -5.0}, "sliceInDim i32");
    pin(Lax.indexInDim(X, 1, 0, true), DType.FLOAT64, new int[] {1, 5}, new double[] {-0.5, 0.0, 0.5, 1.0, 1.5}, "indexInDim 1 axis 0 keepdims");
    pin(Lax.indexInDim(X, 1, 0, false), DType.FLOAT64, new int[] {5}, new double[] {-0.5, 0.0, 0.5, 1.0, 1.5}, "indexInDim 1 axis 0");
    pin(Lax.indexInDim(X, -1, 1, false), DType.FLOAT64, new int[] {3}, new double[] {-1.0, 1.5, 4.0}, "indexInDim -1 axis 1");
    pin(Lax.indexInDim(X, -1, -1, true), DType.FLOAT64, new int[] {3, 1}, new double[] {-1.0, 1.5, 4.0}, "indexInDim -1 axis -1 keepdims");
    pin(Lax.indexInDim(X, -3, 0, false), DType.FLOAT64, new int[] {5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0}, "indexInDim -3 axis 0");
    pin(Lax.indexInDim(X3, 2, 2, false), DType.FLOAT64, new int[] {2, 3}, new double[] {1.25, 1.0, -0.5, 0.25, 2.0, -1.5}, "indexInDim 3-d axis 2");
    pin(Lax.indexInDim(V, -2, 0, false), DType.FLOAT64, new int[] {}, new double[] {-2.0}, "indexInDim 1-d to 0-d");
  }

  /** Out-of-range starts are clamped so the window fits (XLA); negative starts clamp to 0 (see knownDeviation...). */
  @Test
  void dynamicSliceAndUpdateClampStartsAsXla() {
    // expectations from jax.jit(lax.dynamic_slice(..., allow_negative_indices=False)) with traced starts: XLA's clamping
    pin(Lax.dynamicSlice(X, new int[] {1, 2}, 2, 3), DType.FLOAT64, new int[] {2, 3}, new double[] {0.5, 1.0, 1.5, 3.0, 3.5, 4.0}, "dynamicSlice int[] (1, 2) (2, 3)");
    pin(Lax.dynamicSlice(X, new int[] {2, 4}, 2, 3), DType.FLOAT64, new int[] {2, 3}, new double[] {0.5, 1.0, 1.5, 3.0, 3.5, 4.0}, "dynamicSlice int[] (2, 4) (2, 3)");
    // negative starts: JAX's default adds the axis length first (-1 -> 2, -7 -> -2), then clamps (2 -> 1, -2 -> 0)
    pin(Lax.dynamicSlice(X, new int[] {-1, -7}, 2, 2), DType.FLOAT64, new int[] {2, 2}, new double[] {-0.5, 0.0, 2.0, 2.5}, "dynamicSlice int[] (-1, -7) (2, 2)");
    pin(Lax.dynamicSlice(X, new int[] {0, 0}, 3, 5), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, "dynamicSlice int[] (0, 0) (3, 5)");
    pin(Lax.dynamicSlice(X, new int[] {1, 1}, 0, 2), DType.FLOAT64, new int[] {0, 2}, new double[] {}, "dynamicSlice int[] (1, 1) (0, 2)");
    pin(Lax.dynamicSlice(X, new int[] {9, 9}, 1, 1), DType.FLOAT64, new int[] {1, 1}, new double[] {4.0}, "dynamicSlice int[] (9, 9) (1, 1)");
    pin(Lax.dynamicSlice(X, new NDArray[] {NDArray.scalar(2, DType.INT32), NDArray.scalar(1, DType.INT32)}, 2, 2), DType.FLOAT64, new int[] {2, 2}, new double[] {0.0, 0.5, 2.5, 3.0}, "dynamicSlice NDArray i32 starts");
    pin(Lax.dynamicSlice(X, new NDArray[] {NDArray.scalar(-4, DType.INT64), NDArray.scalar(4, DType.INT64)}, 1, 3), DType.FLOAT64, new int[] {1, 3}, new double[] {-2.0, -1.5, -1.0}, "dynamicSlice NDArray i64 starts clamp");
    pin(Lax.dynamicSlice(X3, new int[] {1, 1, 3}, 1, 2, 2), DType.FLOAT64, new int[] {1, 2, 2}, new double[] {2.0, 0.5, -1.5, 0.0}, "dynamicSlice 3-d");
    pin(Lax.dynamicSlice(XI, new int[] {0, 1}, 2, 2), DType.INT32, new int[] {2, 2}, new double[] {-2.0, 7.0, 9.0, -5.0}, "dynamicSlice i32 operand");
    pin(Lax.dynamicUpdateSlice(X, U, new int[] {1, 3}), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 100.0, 200.0, 2.0, 2.5, 3.0, 300.0, 400.0}, "dynamicUpdateSlice int[] (1, 3)");
    pin(Lax.dynamicUpdateSlice(X, U, new int[] {2, 4}), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 100.0, 200.0, 2.0, 2.5, 3.0, 300.0, 400.0}, "dynamicUpdateSlice int[] (2, 4)");
    // (-3, -1) -> (0, 4) -> clamped (0, 3)
    pin(Lax.dynamicUpdateSlice(X, U, new int[] {-3, -1}), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, 100.0, 200.0, -0.5, 0.0, 0.5, 300.0, 400.0, 2.0, 2.5, 3.0, 3.5, 4.0}, "dynamicUpdateSlice int[] (-3, -1)");
    pin(Lax.dynamicUpdateSlice(X, U, new int[] {0, 0}), DType.FLOAT64, new int[] {3, 5}, new double[] {100.0, 200.0, -2.0, -1.5, -1.0, 300.0, 400.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, "dynamicUpdateSlice int[] (0, 0)");
    // (7, -2) -> (7, 3) -> clamped (1, 3)
    pin(Lax.dynamicUpdateSlice(X, U, NDArray.scalar(7, DType.INT32), NDArray.scalar(-2, DType.INT32)), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 100.0, 200.0, 2.0, 2.5, 3.0, 300.0, 400.0}, "dynamicUpdateSlice NDArray starts clamp");
    pin(Lax.dynamicUpdateSlice(XI, NDArray.ofInts(-100, -200).reshape(1, 2), new int[] {1, 2}), DType.INT32, new int[] {2, 3}, new double[] {4.0, -2.0, 7.0, 0.0, -100.0, -200.0}, "dynamicUpdateSlice i32");
    pin(Lax.dynamicUpdateSlice(U, U.mul(-1.0), new int[] {0, 0}), DType.FLOAT64, new int[] {2, 2}, new double[] {-100.0, -200.0, -300.0, -400.0}, "dynamicUpdateSlice whole");
  }

  /** jax.grad of sum(w * op) with clamped starts: the cotangent lands where the clamped window is. */
  @Test
  void dynamicSliceAndUpdateGradients() {
    NDArray w = NDArray.of(new double[][] {{1.0, -2.0, 0.5}, {3.0, 0.25, -1.0}});
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w, Lax.dynamicSlice(xs[0], new int[] {1, 2}, 2, 3)))).apply(X), DType.FLOAT64, new int[] {3, 5}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, -2.0, 0.5, 0.0, 0.0, 3.0, 0.25, -1.0}, "grad of dynamicSlice (1, 2)");
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w, Lax.dynamicSlice(xs[0], new int[] {2, 4}, 2, 3)))).apply(X), DType.FLOAT64, new int[] {3, 5}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, -2.0, 0.5, 0.0, 0.0, 3.0, 0.25, -1.0}, "grad of dynamicSlice (2, 4)");
    // start -1 -> 2 -> clamped 1: the window is rows 1..2
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w, Lax.dynamicSlice(xs[0], new int[] {-1, 0}, 2, 3)))).apply(X), DType.FLOAT64, new int[] {3, 5}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 1.0, -2.0, 0.5, 0.0, 0.0, 3.0, 0.25, -1.0, 0.0, 0.0}, "grad of dynamicSlice (-1, 0)");
    NDArray w5 = Np.subtract(Np.multiply(Np.reshape(Np.arange(15), 3, 5), 0.1), 0.3);
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w5, Lax.dynamicUpdateSlice(xs[0], xs[1], new int[] {1, 3}))), 0).apply(X, U), DType.FLOAT64, new int[] {3, 5}, new double[] {-0.3, -0.19999999999999998, -0.09999999999999998, 5.551115123125783e-17, 0.10000000000000003, 0.2, 0.3000000000000001, 0.4000000000000001, 0.0, 0.0, 0.7, 0.8, 0.9000000000000001, 0.0, 0.0}, "grad wrt operand of dynamicUpdateSlice (1, 3)");
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w5, Lax.dynamicUpdateSlice(xs[0], xs[1], new int[] {1, 3}))), 1).apply(X, U), DType.FLOAT64, new int[] {2, 2}, new double[] {0.5, 0.6000000000000001, 1.0, 1.1}, "grad wrt update of dynamicUpdateSlice (1, 3)");
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w5, Lax.dynamicUpdateSlice(xs[0], xs[1], new int[] {2, 4}))), 0).apply(X, U), DType.FLOAT64, new int[] {3, 5}, new double[] {-0.3, -0.19999999999999998, -0.09999999999999998, 5.551115123125783e-17, 0.10000000000000003, 0.2, 0.3000000000000001, 0.4000000000000001, 0.0, 0.0, 0.7, 0.8, 0.9000000000000001, 0.0, 0.0}, "grad wrt operand of dynamicUpdateSlice (2, 4)");
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(w5, Lax.dynamicUpdateSlice(xs[0], xs[1], new int[] {2, 4}))), 1).apply(X, U), DType.FLOAT64, new int[] {2, 2}, new double[] {0.5, 0.6000000000000001, 1.0, 1.1}, "grad wrt update of dynamicUpdateSlice (2, 4)");
  }

  @Test
  void broadcastInDim() {
    pin(Lax.broadcastInDim(V, new int[] {2, 3}, new int[] {1}), DType.FLOAT64, new int[] {2, 3}, new double[] {1.0, -2.0, 3.0, 1.0, -2.0, 3.0}, "broadcastInDim [3] -> [2,3] dims [1]");
    pin(Lax.broadcastInDim(V, new int[] {3, 2}, new int[] {0}), DType.FLOAT64, new int[] {3, 2}, new double[] {1.0, 1.0, -2.0, -2.0, 3.0, 3.0}, "broadcastInDim [3] -> [3,2] dims [0]");
    pin(Lax.broadcastInDim(V.reshape(3, 1), new int[] {3, 4}, new int[] {0, 1}), DType.FLOAT64, new int[] {3, 4}, new double[] {1.0, 1.0, 1.0, 1.0, -2.0, -2.0, -2.0, -2.0, 3.0, 3.0, 3.0, 3.0}, "broadcastInDim [3,1] -> [3,4] dims [0,1]");
    pin(Lax.broadcastInDim(NDArray.scalar(1.5), new int[] {2, 2}, new int[] {}), DType.FLOAT64, new int[] {2, 2}, new double[] {1.5, 1.5, 1.5, 1.5}, "broadcastInDim 0-d -> [2,2]");
    pin(Lax.broadcastInDim(XI, new int[] {2, 4, 3}, new int[] {0, 2}), DType.INT32, new int[] {2, 4, 3}, new double[] {4.0, -2.0, 7.0, 4.0, -2.0, 7.0, 4.0, -2.0, 7.0, 4.0, -2.0, 7.0, 0.0, 9.0, -5.0, 0.0, 9.0, -5.0, 0.0, 9.0, -5.0, 0.0, 9.0, -5.0}, "broadcastInDim [2,3] -> [2,4,3] dims [0,2]");
    pin(Lax.broadcastInDim(V.reshape(1, 3), new int[] {2, 1, 3}, new int[] {1, 2}), DType.FLOAT64, new int[] {2, 1, 3}, new double[] {1.0, -2.0, 3.0, 1.0, -2.0, 3.0}, "broadcastInDim [1,3] -> [2,1,3] dims [1,2]");
  }

  /** Output axes: batch, lhs free, rhs free (as lax.dot_general). */
  @Test
  void dotGeneralWithAndWithoutBatchDims() {
    pin(Lax.dotGeneral(X.reshape(5, 3), R, new int[] {1}, new int[] {0}), DType.FLOAT64, new int[] {5, 4}, new double[] {2.375, 7.625, -2.875, -0.375, 0.875, 3.125, -1.75, -1.125, -0.625, -1.375, -0.625, -1.875, -2.125, -5.875, 0.5, -2.625, -3.625, -10.375, 1.625, -3.375}, "dotGeneral matmul");
    pin(Lax.dotGeneral(R, X.reshape(3, 5), new int[] {0}, new int[] {0}), DType.FLOAT64, new int[] {4, 5}, new double[] {-0.125, -0.625, -1.125, -1.625, -2.125, 2.125, 0.625, -0.875, -2.375, -3.875, -5.375, -5.0, -4.625, -4.25, -3.875, -7.875, -8.125, -8.375, -8.625, -8.875}, "dotGeneral contract axis 0 of both");
    pin(Lax.dotGeneral(X3, R.transpose(), new int[] {1, 2}, new int[] {1, 0}), DType.FLOAT64, new int[] {2}, new double[] {1.9375, -7.25}, "dotGeneral two contracting axes");
    pin(Lax.dotGeneral(V, V, new int[] {}, new int[] {}), DType.FLOAT64, new int[] {3, 3}, new double[] {1.0, -2.0, 3.0, -2.0, 4.0, -6.0, 3.0, -6.0, 9.0}, "dotGeneral outer (no contraction)");
    pin(Lax.dotGeneral(X3, X3.transpose(0, 2, 1), new int[] {2}, new int[] {1}, new int[] {0}, new int[] {0}), DType.FLOAT64, new int[] {2, 3, 3}, new double[] {6.0625, -0.25, 1.625, -0.25, 5.5, -4.75, 1.625, -4.75, 5.5625, 5.4375, -3.5, 0.875, -3.5, 9.25, -2.5, 0.875, -2.5, 4.75}, "dotGeneral batch 0, contract");
    pin(Lax.dotGeneral(X3.transpose(1, 0, 2), X3.transpose(2, 1, 0), new int[] {2}, new int[] {0}, new int[] {1}, new int[] {2}), DType.FLOAT64, new int[] {2, 3, 3}, new double[] {6.0625, -0.25, 1.625, -0.25, 5.5, -4.75, 1.625, -4.75, 5.5625, 5.4375, -3.5, 0.875, -3.5, 9.25, -2.5, 0.875, -2.5, 4.75}, "dotGeneral batch at axis 1 and 2");
    pin(Lax.dotGeneral(R, R, new int[] {}, new int[] {}, new int[] {0}, new int[] {0}), DType.FLOAT64, new int[] {3, 4, 4}, new double[] {0.25, -0.5, 1.0, 1.0, -0.5, 1.0, -2.0, -2.0, 1.0, -2.0, 4.0, 4.0, 1.0, -2.0, 4.0, 4.0, 3.0625, 2.1875, 2.1875, 2.1875, 2.1875, 1.5625, 1.5625, 1.5625, 2.1875, 1.5625, 1.5625, 1.5625, 2.1875, 1.5625, 1.5625, 1.5625, 0.0625, -0.1875, 0.0, -0.3125, -0.1875, 0.5625, -0.0, 0.9375, 0.0, -0.0, 0.0, -0.0, -0.3125, 0.9375, -0.0, 1.5625}, "dotGeneral batch only");
    pin(Lax.dotGeneral(XI, XI, new int[] {1}, new int[] {1}), DType.INT32, new int[] {2, 2}, new double[] {69.0, -53.0, -53.0, 106.0}, "dotGeneral i32");
  }

  @Test
  void stopGradientBlocksDerivatives() {
    pin(Lax.stopGradient(X), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, "stopGradient value");
    pin(Arrax.grad(xs -> Np.sum(Np.multiply(Lax.stopGradient(xs[0]), xs[0]))).apply(X), DType.FLOAT64, new int[] {3, 5}, new double[] {-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, "grad of sum(stopGradient(x) * x) is x");
    pin(Arrax.grad(xs -> Np.sum(Np.exp(Lax.stopGradient(xs[0])))).apply(X), DType.FLOAT64, new int[] {3, 5}, new double[] {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, "grad of sum(exp(stopGradient(x))) is 0");
    pin(Arrax.jvp(xs -> Lax.stopGradient(Np.sin(xs[0])), new NDArray[] {V}, new NDArray[] {Np.onesLike(V)}).tangentOut(), DType.FLOAT64, new int[] {3}, new double[] {0.0, 0.0, 0.0}, "jvp through stopGradient is 0");
  }

  @Test
  void selectChoosesElementwise() {
    NDArray pred = NDArray.ofBools(true, false, true, false, false, true).reshape(2, 3);
    pin(Lax.select(pred, X.reshape(5, 3).at(0).get().reshape(1, 3).add(Np.zeros(2, 3)), Np.full(new int[] {2, 3}, NaN)), DType.FLOAT64, new int[] {2, 3}, new double[] {-3.0, NaN, -2.0, NaN, NaN, -2.0}, "select f64 with nan in the other branch");
    pin(Lax.select(pred, XI, XI.neg()), DType.INT32, new int[] {2, 3}, new double[] {4.0, 2.0, 7.0, 0.0, -9.0, -5.0}, "select i32");
    pin(Lax.select(pred, pred, Np.logicalNot(pred)), DType.BOOL, new int[] {2, 3}, new double[] {1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, "select bool");
    pin(Arrax.grad(xs -> Np.sum(Lax.select(pred, Np.square(xs[0]), Np.sin(xs[0])))).apply(X.reshape(5, 3).at(1).get().reshape(1, 3).add(Np.zeros(2, 3))), DType.FLOAT64, new int[] {2, 3}, new double[] {-3.0, 0.5403023058681398, -1.0, 0.0707372016677029, 0.5403023058681398, -1.0}, "grad through select");
  }

  @Test
  void convertElementTypeRoundsWrapsAndSaturatesAsXla() {
    // XLA (JAX on CPU) saturates float -> int conversions and maps NaN to 0; f64 -> bool is x != 0
    pin(Lax.convertElementType(CV, DType.INT32), DType.INT32, new int[] {10}, new double[] {-1.0, 2.0, 0.0, 0.0, 7.0, 2147483647.0, -2147483648.0, 0.0, 2147483647.0, -2147483648.0}, "convert f64 -> INT32");
    pin(Lax.convertElementType(CV, DType.INT64), DType.INT64, new int[] {10}, new double[] {-1.0, 2.0, 0.0, 0.0, 7.0, 10000000000.0, -10000000000.0, 0.0, 9.223372036854776e+18, -9.223372036854776e+18}, "convert f64 -> INT64");
    pin(Lax.convertElementType(CV, DType.UINT32), DType.UINT32, new int[] {10}, new double[] {0.0, 2.0, 0.0, 0.0, 7.0, 4294967295.0, 0.0, 0.0, 4294967295.0, 0.0}, "convert f64 -> UINT32");
    pin(Lax.convertElementType(CV, DType.BOOL), DType.BOOL, new int[] {10}, new double[] {1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, "convert f64 -> BOOL");
    pin(Lax.convertElementType(CV, DType.FLOAT32), DType.FLOAT32, new int[] {10}, new double[] {-1.7000000476837158, 2.5, -0.5, 0.0, 7.900000095367432, 10000000000.0, -10000000000.0, NaN, INF, -INF}, "convert f64 -> FLOAT32");
    pin(Lax.convertElementType(L64, DType.INT32), DType.INT32, new int[] {4}, new double[] {5.0, -1.0, -2147483648.0, -7.0}, "convert i64 -> INT32 (wraps)");
    pin(Lax.convertElementType(L64, DType.UINT32), DType.UINT32, new int[] {4}, new double[] {5.0, 4294967295.0, 2147483648.0, 4294967289.0}, "convert i64 -> UINT32 (wraps)");
    pin(Lax.convertElementType(L64, DType.FLOAT64), DType.FLOAT64, new int[] {4}, new double[] {4294967301.0, -1.0, 2147483648.0, -7.0}, "convert i64 -> FLOAT64 (wraps)");
    pin(Lax.convertElementType(L64, DType.FLOAT32), DType.FLOAT32, new int[] {4}, new double[] {4294967296.0, -1.0, 2147483648.0, -7.0}, "convert i64 -> FLOAT32 (wraps)");
    pin(Lax.convertElementType(L64, DType.BOOL), DType.BOOL, new int[] {4}, new double[] {1.0, 1.0, 1.0, 1.0}, "convert i64 -> BOOL (wraps)");
    pin(Lax.convertElementType(XI, DType.UINT32), DType.UINT32, new int[] {2, 3}, new double[] {4.0, 4294967294.0, 7.0, 0.0, 9.0, 4294967291.0}, "convert i32 -> u32");
    pin(Lax.convertElementType(Lax.convertElementType(XI, DType.UINT32), DType.INT32), DType.INT32, new int[] {2, 3}, new double[] {4.0, -2.0, 7.0, 0.0, 9.0, -5.0}, "convert u32 -> i32");
    pin(Lax.convertElementType(NDArray.ofBools(true, false), DType.FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {1.0, 0.0}, "convert bool -> f32");
    pin(Lax.convertElementType(NDArray.of(0.1f, -2.5f), DType.FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {0.10000000149011612, -2.5}, "convert f32 -> f64 exact");
    pin(Lax.convertElementType(NDArray.of(3e9f, -5f), DType.INT32), DType.INT32, new int[] {2}, new double[] {2147483647.0, -5.0}, "convert f32 3e9 -> i32 saturates");
  }

  @Test
  void elementwiseLaxOps() {
    pin(Lax.div(NDArray.ofInts(-7, 7, -7, 7), NDArray.ofInts(2, -2, -2, 2)), DType.INT32, new int[] {4}, new double[] {-3.0, -3.0, 3.0, 3.0}, "Lax.div i32 truncates toward zero");
    pin(Lax.div(V, V.add(0.5)), DType.FLOAT64, new int[] {3}, new double[] {0.6666666666666666, 1.3333333333333333, 0.8571428571428571}, "Lax.div f64");
    pin(Lax.add(XI, XI), DType.INT32, new int[] {2, 3}, new double[] {8.0, -4.0, 14.0, 0.0, 18.0, -10.0}, "Lax.add i32");
    pin(Lax.sub(V, V.mul(3.0)), DType.FLOAT64, new int[] {3}, new double[] {-2.0, 4.0, -6.0}, "Lax.sub");
    pin(Lax.mul(L64, L64.astype(DType.INT64)), DType.INT64, new int[] {4}, new double[] {42949672985.0, 1.0, 4.611686018427388e+18, 49.0}, "Lax.mul i64");
    pin(Lax.erf(CV.at(5).set(3.0).at(6).set(-0.25)), DType.FLOAT64, new int[] {10}, new double[] {-0.9837904585907745, 0.999593047982555, -0.5204998778130465, 0.0, 1.0, 0.9999779095030014, -0.2763263901682369, NaN, 1.0, -1.0}, "Lax.erf");
    pin(Lax.iota(DType.INT32, 4), DType.INT32, new int[] {4}, new double[] {0.0, 1.0, 2.0, 3.0}, "Lax.iota i32");
    pin(Lax.iota(DType.FLOAT32, 3), DType.FLOAT32, new int[] {3}, new double[] {0.0, 1.0, 2.0}, "Lax.iota f32");
  }

  /**
   * Issue 13, bug 1: jax.lax.dynamic_slice's default ({@code allow_negative_indices=True}) first adds the
   * axis length to a negative start ({@code -1 -> n - 1}) and then clamps (jax/_src/lax/slicing.py,
   * {@code _dynamic_slice_indices}, JAX 0.10.2); the engine used to clamp it to 0. The example:
   * {@code dynamic_slice(arange(6), (-2,), (2,))} is [4, 5] in JAX, eagerly, under jit and under vmap
   * with per-example starts. Expected values: that rule applied by hand.
   */
  @Test
  void negativeDynamicStartsCountFromTheEndAsJaxDefault() {
    NDArray x = Np.arange(6);
    pin(Lax.dynamicSlice(x, new int[] {-2}, 2), DType.INT64, new int[] {2}, new double[] {4, 5}, "dynamicSlice(arange(6), -2, 2) int[]");
    NDArray start = NDArray.scalar(-2, DType.INT32);
    Fn f = xs -> Lax.dynamicSlice(xs[0], new NDArray[] {xs[1]}, 2);
    pin(f.apply(x, start), DType.INT64, new int[] {2}, new double[] {4, 5}, "dynamicSlice eager, traced-style start");
    pin(Arrax.jit(f).apply(x, start), DType.INT64, new int[] {2}, new double[] {4, 5}, "dynamicSlice under jit");
    pin(Arrax.jit(f).apply(x, NDArray.scalar(-9, DType.INT64)), DType.INT64, new int[] {2}, new double[] {0, 1}, "-9 -> -3 -> clamped 0");
    pin(Arrax.vmap(f, null, 0).apply(x, NDArray.ofInts(-2, -1, 0, 7, -6)), DType.INT64, new int[] {5, 2},
        new double[] {4, 5, 4, 5, 0, 1, 4, 5, 0, 1}, "vmap over per-example starts (-2, -1, 0, 7, -6)");
    pin(Arrax.jit(Arrax.vmap(f, null, 0)).apply(x, NDArray.ofInts(-2, -1, 0, 7, -6)), DType.INT64, new int[] {5, 2},
        new double[] {4, 5, 4, 5, 0, 1, 4, 5, 0, 1}, "jit(vmap) over per-example starts");
    pin(Lax.dynamicSlice(x, new NDArray[] {NDArray.ofInts(-2).astype(DType.UINT32).reshape()}, 2), DType.INT64, new int[] {2}, new double[] {4, 5},
        "u32 start 4294967294 is not negative: clamped to 4");
    Fn u = xs -> Lax.dynamicUpdateSlice(xs[0], xs[1], xs[2]);
    NDArray upd = NDArray.ofLongs(-1, -1);
    pin(u.apply(x, upd, start), DType.INT64, new int[] {6}, new double[] {0, 1, 2, 3, -1, -1}, "dynamicUpdateSlice at -2");
    pin(Arrax.jit(u).apply(x, upd, start), DType.INT64, new int[] {6}, new double[] {0, 1, 2, 3, -1, -1}, "dynamicUpdateSlice at -2 under jit");
    pin(Arrax.vmap(u, null, null, 0).apply(x, upd, NDArray.ofInts(-2, -6)), DType.INT64, new int[] {2, 6},
        new double[] {0, 1, 2, 3, -1, -1, -1, -1, 2, 3, 4, 5}, "vmap dynamicUpdateSlice over per-example starts");
  }

  @Test
  void invalidStaticSlicesThrow() {
    assertThrows(ShapeException.class, () -> Lax.sliceInDim(X, 2, 1, 1, 0), "start after limit");
    assertThrows(ShapeException.class, () -> Lax.sliceInDim(X, 0, 6, 1, 1), "limit past the end");
    assertThrows(ShapeException.class, () -> Lax.sliceInDim(X, 0, 2, 0, 1), "stride 0");
    assertThrows(ShapeException.class, () -> Lax.indexInDim(X, 3, 0, false), "index 3 of 3");
    assertThrows(ShapeException.class, () -> Lax.indexInDim(X, -4, 0, false), "index -4 of 3");
    assertThrows(RuntimeException.class, () -> Lax.dynamicSlice(X, new int[] {0, 0}, 4, 1), "window larger than the operand");
    assertThrows(RuntimeException.class, () -> Lax.select(NDArray.ofBools(true), V, V), "pred shape differs (lax.select needs equal shapes)");
    assertThrows(RuntimeException.class, () -> Lax.add(V, NDArray.ofInts(1, 2, 3)), "lax.add does not promote");
  }

  @Test
  void gradCheckAndVmapOfLaxOpsAtRandomPoints() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      NDArray x = r.normal(3, 5), u = r.normal(2, 2);
      int i = r.nextInt(5) - 1, j = r.nextInt(7) - 1;
      String d = r.describe() + " starts (" + i + ", " + j + ")";
      GradCheck.check(xs -> Lax.dynamicSlice(Np.sin(xs[0]), new int[] {i, j}, 2, 3), new NDArray[] {x}, 2, r, 1e-5, "dynamicSlice " + d);
      GradCheck.check(xs -> Lax.dynamicUpdateSlice(Np.sin(xs[0]), Np.square(xs[1]), new int[] {i, j}), new NDArray[] {x, u}, 2, r, 1e-5, "dynamicUpdateSlice " + d);
      GradCheck.check(xs -> Lax.dotGeneral(xs[0], Np.tanh(xs[0]), new int[] {1}, new int[] {1}), new NDArray[] {x}, 2, r, 1e-5, "dotGeneral " + d);
      GradCheck.check(xs -> Lax.broadcastInDim(Lax.sliceInDim(xs[0], -3, 5, 2, 1), new int[] {2, 3, 2}, new int[] {1, 2}), new NDArray[] {x}, 1, r, 1e-5, "broadcast/slice " + d);
      // per-example start indices (the batched-index path of dynamic_slice / dynamic_update_slice)
      NDArray xb = r.normal(4, 3, 5), ub = r.normal(4, 2, 2);
      NDArray starts = r.ints(-2, 6, DType.INT32, 4);
      VmapCheck.check(xs -> Lax.dynamicSlice(xs[0], new NDArray[] {xs[1], Lax.convertElementType(Np.zerosLike(xs[1]), DType.INT32)}, 2, 3),
          new NDArray[] {xb, starts}, new Integer[] {0, 0}, 0, "vmap dynamicSlice batched starts " + r.describe());
      VmapCheck.check(xs -> Lax.dynamicUpdateSlice(xs[0], xs[2], xs[1], xs[1]), new NDArray[] {xb, starts, ub}, new Integer[] {0, 0, 0}, 0,
          "vmap dynamicUpdateSlice batched starts " + r.describe());
      VmapCheck.check(xs -> Lax.dynamicSlice(xs[0], new NDArray[] {xs[1], xs[1]}, 1, 2), new NDArray[] {x, starts}, new Integer[] {null, 0}, 0,
          "vmap dynamicSlice unbatched operand " + r.describe());
      VmapCheck.check(xs -> Lax.dotGeneral(xs[0], xs[1], new int[] {1}, new int[] {0}), new NDArray[] {xb, r.normal(3, 2)}, new Integer[] {2, null}, 1e-13,
          "vmap dotGeneral over axis 2 " + r.describe());
    }
  }
}
