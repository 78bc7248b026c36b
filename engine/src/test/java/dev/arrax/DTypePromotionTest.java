package dev.arrax;

import static dev.arrax.testing.Pinned.arr;
import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * JAX's dtype rules (64-bit mode) as the public API applies them. Every expected dtype and value was
 * generated with JAX 0.10.2 ({@code jax.config.update("jax_enable_x64", True)}) and pinned here.
 * Where the engine deliberately differs from JAX, {@link #knownDeviationsFromJax()} lists both answers.
 */
class DTypePromotionTest {
  static final DType[] ORDER = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT32, DType.BOOL};

  // jnp.promote_types(row, col) in x64 mode, JAX 0.10.2; order FLOAT32, FLOAT64, INT32, INT64, UINT32, BOOL
  static final DType[][] JAX_PROMOTE = {
    {DType.FLOAT32, DType.FLOAT64, DType.FLOAT32, DType.FLOAT32, DType.FLOAT32, DType.FLOAT32},
    {DType.FLOAT64, DType.FLOAT64, DType.FLOAT64, DType.FLOAT64, DType.FLOAT64, DType.FLOAT64},
    {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.INT64, DType.INT32},
    {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT64, DType.INT64, DType.INT64},
    {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT64, DType.UINT32, DType.UINT32},
    {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT32, DType.BOOL},
  };
  static final NDArray S_FLOAT32 = arr(DType.FLOAT32, new int[] {2}, new double[] {1.5, -2.25});
  static final NDArray S_FLOAT64 = arr(DType.FLOAT64, new int[] {2}, new double[] {0.1, -3.0});
  static final NDArray S_INT32 = arr(DType.INT32, new int[] {2}, new double[] {-7.0, 3.0});
  static final NDArray S_INT64 = arr(DType.INT64, new int[] {2}, new double[] {5000000000.0, -1.0});
  static final NDArray S_UINT32 = arr(DType.UINT32, new int[] {2}, new double[] {4294967295.0, 2.0});
  static final NDArray S_BOOL = arr(DType.BOOL, new int[] {2}, new double[] {1.0, 0.0});


  @Test
  void promoteTableMatchesJaxPromoteTypes() {
    for (int i = 0; i < ORDER.length; i++) {
      for (int j = 0; j < ORDER.length; j++) {
        assertEquals(JAX_PROMOTE[i][j], DType.promote(ORDER[i], ORDER[j]), "DType.promote(" + ORDER[i] + ", " + ORDER[j] + ")");
      }
    }
  }

  @Test
  void binaryOpsOnRealArraysHaveThePromotedDtype() {
    NDArray[] samples = {S_FLOAT32, S_FLOAT64, S_INT32, S_INT64, S_UINT32, S_BOOL};
    for (int i = 0; i < ORDER.length; i++) {
      for (int j = 0; j < ORDER.length; j++) {
        NDArray a = samples[i], b = samples[j];
        String pair = ORDER[i] + ", " + ORDER[j];
        assertEquals(JAX_PROMOTE[i][j], Np.add(a, b).dtype(), "Np.add(" + pair + ")");
        assertEquals(JAX_PROMOTE[i][j], Np.maximum(a, b).dtype(), "Np.maximum(" + pair + ")");
        assertEquals(JAX_PROMOTE[i][j], Np.concatenate(a, b).dtype(), "Np.concatenate(" + pair + ")");
        assertEquals(JAX_PROMOTE[i][j], Np.where(NDArray.ofBools(true, false), a, b).dtype(), "Np.where(c, " + pair + ")");
        // scalar (0-d) operands promote like arrays: only Java doubles are weak
        assertEquals(JAX_PROMOTE[i][j], Np.multiply(Np.sum(a).astype(ORDER[i]), b).dtype(), "Np.multiply(0-d " + pair + ")");
        assertEquals(DType.BOOL, Np.less(a, b).dtype(), "Np.less(" + pair + ")");
      }
    }
  }

  @Test
  void addOfEveryPairMatchesJax() {
    pin(Np.add(S_FLOAT32, S_FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {3.0, -4.5}, "add FLOAT32 FLOAT32");
    pin(Np.add(S_FLOAT32, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {1.6, -5.25}, "add FLOAT32 FLOAT64");
    pin(Np.add(S_FLOAT32, S_INT32), DType.FLOAT32, new int[] {2}, new double[] {-5.5, 0.75}, "add FLOAT32 INT32");
    pin(Np.add(S_FLOAT32, S_INT64), DType.FLOAT32, new int[] {2}, new double[] {5000000000.0, -3.25}, "add FLOAT32 INT64");
    pin(Np.add(S_FLOAT32, S_UINT32), DType.FLOAT32, new int[] {2}, new double[] {4294967296.0, -0.25}, "add FLOAT32 UINT32");
    pin(Np.add(S_FLOAT32, S_BOOL), DType.FLOAT32, new int[] {2}, new double[] {2.5, -2.25}, "add FLOAT32 BOOL");
    pin(Np.add(S_FLOAT64, S_FLOAT32), DType.FLOAT64, new int[] {2}, new double[] {1.6, -5.25}, "add FLOAT64 FLOAT32");
    pin(Np.add(S_FLOAT64, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {0.2, -6.0}, "add FLOAT64 FLOAT64");
    pin(Np.add(S_FLOAT64, S_INT32), DType.FLOAT64, new int[] {2}, new double[] {-6.9, 0.0}, "add FLOAT64 INT32");
    pin(Np.add(S_FLOAT64, S_INT64), DType.FLOAT64, new int[] {2}, new double[] {5000000000.1, -4.0}, "add FLOAT64 INT64");
    pin(Np.add(S_FLOAT64, S_UINT32), DType.FLOAT64, new int[] {2}, new double[] {4294967295.1, -1.0}, "add FLOAT64 UINT32");
    pin(Np.add(S_FLOAT64, S_BOOL), DType.FLOAT64, new int[] {2}, new double[] {1.1, -3.0}, "add FLOAT64 BOOL");
    pin(Np.add(S_INT32, S_FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {-5.5, 0.75}, "add INT32 FLOAT32");
    pin(Np.add(S_INT32, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {-6.9, 0.0}, "add INT32 FLOAT64");
    pin(Np.add(S_INT32, S_INT32), DType.INT32, new int[] {2}, new double[] {-14.0, 6.0}, "add INT32 INT32");
    pin(Np.add(S_INT32, S_INT64), DType.INT64, new int[] {2}, new double[] {4999999993.0, 2.0}, "add INT32 INT64");
    pin(Np.add(S_INT32, S_UINT32), DType.INT64, new int[] {2}, new double[] {4294967288.0, 5.0}, "add INT32 UINT32");
    pin(Np.add(S_INT32, S_BOOL), DType.INT32, new int[] {2}, new double[] {-6.0, 3.0}, "add INT32 BOOL");
    pin(Np.add(S_INT64, S_FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {5000000000.0, -3.25}, "add INT64 FLOAT32");
    pin(Np.add(S_INT64, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {5000000000.1, -4.0}, "add INT64 FLOAT64");
    pin(Np.add(S_INT64, S_INT32), DType.INT64, new int[] {2}, new double[] {4999999993.0, 2.0}, "add INT64 INT32");
    pin(Np.add(S_INT64, S_INT64), DType.INT64, new int[] {2}, new double[] {10000000000.0, -2.0}, "add INT64 INT64");
    pin(Np.add(S_INT64, S_UINT32), DType.INT64, new int[] {2}, new double[] {9294967295.0, 1.0}, "add INT64 UINT32");
    pin(Np.add(S_INT64, S_BOOL), DType.INT64, new int[] {2}, new double[] {5000000001.0, -1.0}, "add INT64 BOOL");
    pin(Np.add(S_UINT32, S_FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {4294967296.0, -0.25}, "add UINT32 FLOAT32");
    pin(Np.add(S_UINT32, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {4294967295.1, -1.0}, "add UINT32 FLOAT64");
    pin(Np.add(S_UINT32, S_INT32), DType.INT64, new int[] {2}, new double[] {4294967288.0, 5.0}, "add UINT32 INT32");
    pin(Np.add(S_UINT32, S_INT64), DType.INT64, new int[] {2}, new double[] {9294967295.0, 1.0}, "add UINT32 INT64");
    pin(Np.add(S_UINT32, S_UINT32), DType.UINT32, new int[] {2}, new double[] {4294967294.0, 4.0}, "add UINT32 UINT32");
    pin(Np.add(S_UINT32, S_BOOL), DType.UINT32, new int[] {2}, new double[] {0.0, 2.0}, "add UINT32 BOOL");
    pin(Np.add(S_BOOL, S_FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {2.5, -2.25}, "add BOOL FLOAT32");
    pin(Np.add(S_BOOL, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {1.1, -3.0}, "add BOOL FLOAT64");
    pin(Np.add(S_BOOL, S_INT32), DType.INT32, new int[] {2}, new double[] {-6.0, 3.0}, "add BOOL INT32");
    pin(Np.add(S_BOOL, S_INT64), DType.INT64, new int[] {2}, new double[] {5000000001.0, -1.0}, "add BOOL INT64");
    pin(Np.add(S_BOOL, S_UINT32), DType.UINT32, new int[] {2}, new double[] {0.0, 2.0}, "add BOOL UINT32");
    pin(Np.add(S_BOOL, S_BOOL), DType.BOOL, new int[] {2}, new double[] {1.0, 0.0}, "add BOOL BOOL");
  }

  @Test
  void weakJavaDoubleMatchesJax() {
    pin(Np.add(S_FLOAT32, 0.1), DType.FLOAT32, new int[] {2}, new double[] {1.600000023841858, -2.1500000953674316}, "FLOAT32 + 0.1");
    pin(Np.subtract(2.5, S_FLOAT32), DType.FLOAT32, new int[] {2}, new double[] {1.0, 4.75}, "2.5 - FLOAT32");
    pin(Np.multiply(S_FLOAT32, -1.5), DType.FLOAT32, new int[] {2}, new double[] {-2.25, 3.375}, "FLOAT32 * -1.5");
    pin(Np.divide(S_FLOAT32, 4.0), DType.FLOAT32, new int[] {2}, new double[] {0.375, -0.5625}, "FLOAT32 / 4.0");
    pin(Np.maximum(S_FLOAT32, 0.5), DType.FLOAT32, new int[] {2}, new double[] {1.5, 0.5}, "maximum(FLOAT32, 0.5)");
    pin(S_FLOAT32.add(0.1), DType.FLOAT32, new int[] {2}, new double[] {1.600000023841858, -2.1500000953674316}, "FLOAT32.add(0.1)");
    pin(Np.add(S_FLOAT64, 0.1), DType.FLOAT64, new int[] {2}, new double[] {0.2, -2.9}, "FLOAT64 + 0.1");
    pin(Np.subtract(2.5, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {2.4, 5.5}, "2.5 - FLOAT64");
    pin(Np.multiply(S_FLOAT64, -1.5), DType.FLOAT64, new int[] {2}, new double[] {-0.15000000000000002, 4.5}, "FLOAT64 * -1.5");
    pin(Np.divide(S_FLOAT64, 4.0), DType.FLOAT64, new int[] {2}, new double[] {0.025, -0.75}, "FLOAT64 / 4.0");
    pin(Np.maximum(S_FLOAT64, 0.5), DType.FLOAT64, new int[] {2}, new double[] {0.5, 0.5}, "maximum(FLOAT64, 0.5)");
    pin(S_FLOAT64.add(0.1), DType.FLOAT64, new int[] {2}, new double[] {0.2, -2.9}, "FLOAT64.add(0.1)");
    pin(Np.add(S_INT32, 0.1), DType.FLOAT64, new int[] {2}, new double[] {-6.9, 3.1}, "INT32 + 0.1");
    pin(Np.subtract(2.5, S_INT32), DType.FLOAT64, new int[] {2}, new double[] {9.5, -0.5}, "2.5 - INT32");
    pin(Np.multiply(S_INT32, -1.5), DType.FLOAT64, new int[] {2}, new double[] {10.5, -4.5}, "INT32 * -1.5");
    pin(Np.divide(S_INT32, 4.0), DType.FLOAT64, new int[] {2}, new double[] {-1.75, 0.75}, "INT32 / 4.0");
    pin(Np.maximum(S_INT32, 0.5), DType.FLOAT64, new int[] {2}, new double[] {0.5, 3.0}, "maximum(INT32, 0.5)");
    pin(S_INT32.add(0.1), DType.FLOAT64, new int[] {2}, new double[] {-6.9, 3.1}, "INT32.add(0.1)");
    pin(Np.add(S_INT64, 0.1), DType.FLOAT64, new int[] {2}, new double[] {5000000000.1, -0.9}, "INT64 + 0.1");
    pin(Np.subtract(2.5, S_INT64), DType.FLOAT64, new int[] {2}, new double[] {-4999999997.5, 3.5}, "2.5 - INT64");
    pin(Np.multiply(S_INT64, -1.5), DType.FLOAT64, new int[] {2}, new double[] {-7500000000.0, 1.5}, "INT64 * -1.5");
    pin(Np.divide(S_INT64, 4.0), DType.FLOAT64, new int[] {2}, new double[] {1250000000.0, -0.25}, "INT64 / 4.0");
    pin(Np.maximum(S_INT64, 0.5), DType.FLOAT64, new int[] {2}, new double[] {5000000000.0, 0.5}, "maximum(INT64, 0.5)");
    pin(S_INT64.add(0.1), DType.FLOAT64, new int[] {2}, new double[] {5000000000.1, -0.9}, "INT64.add(0.1)");
    pin(Np.add(S_UINT32, 0.1), DType.FLOAT64, new int[] {2}, new double[] {4294967295.1, 2.1}, "UINT32 + 0.1");
    pin(Np.subtract(2.5, S_UINT32), DType.FLOAT64, new int[] {2}, new double[] {-4294967292.5, 0.5}, "2.5 - UINT32");
    pin(Np.multiply(S_UINT32, -1.5), DType.FLOAT64, new int[] {2}, new double[] {-6442450942.5, -3.0}, "UINT32 * -1.5");
    pin(Np.divide(S_UINT32, 4.0), DType.FLOAT64, new int[] {2}, new double[] {1073741823.75, 0.5}, "UINT32 / 4.0");
    pin(Np.maximum(S_UINT32, 0.5), DType.FLOAT64, new int[] {2}, new double[] {4294967295.0, 2.0}, "maximum(UINT32, 0.5)");
    pin(S_UINT32.add(0.1), DType.FLOAT64, new int[] {2}, new double[] {4294967295.1, 2.1}, "UINT32.add(0.1)");
    pin(Np.add(S_BOOL, 0.1), DType.FLOAT64, new int[] {2}, new double[] {1.1, 0.1}, "BOOL + 0.1");
    pin(Np.subtract(2.5, S_BOOL), DType.FLOAT64, new int[] {2}, new double[] {1.5, 2.5}, "2.5 - BOOL");
    pin(Np.multiply(S_BOOL, -1.5), DType.FLOAT64, new int[] {2}, new double[] {-1.5, 0.0}, "BOOL * -1.5");
    pin(Np.divide(S_BOOL, 4.0), DType.FLOAT64, new int[] {2}, new double[] {0.25, 0.0}, "BOOL / 4.0");
    pin(Np.maximum(S_BOOL, 0.5), DType.FLOAT64, new int[] {2}, new double[] {1.0, 0.5}, "maximum(BOOL, 0.5)");
    pin(S_BOOL.add(0.1), DType.FLOAT64, new int[] {2}, new double[] {1.1, 0.1}, "BOOL.add(0.1)");
  }

  // JAX 0.10.2 x64, dtype of jnp.divide(x, x) / sum / prod / cumsum / exp / mean:
  //   FLOAT32: float32, float32, float32, float32, float32, float32
  //   FLOAT64: float64, float64, float64, float64, float64, float64
  //   INT32: float32, int64, int64, int32, float32, float32
  //   INT64: float64, int64, int64, int64, float64, float64
  //   UINT32: float32, uint64, uint64, uint32, float32, float32
  //   BOOL: float32, int64, int64, int64, float32, float32
  @Test
  void divisionAndReductionDtypesThatAgreeWithJax() {
    pin(Np.divide(S_INT64, S_INT64), DType.FLOAT64, new int[] {2}, new double[] {1.0, 1.0}, "divide i64 i64");
    pin(Np.divide(S_INT64, S_INT32), DType.FLOAT64, new int[] {2}, new double[] {-714285714.2857143, -0.3333333333333333}, "divide i64 by i32");
    pin(Np.divide(S_INT32, S_FLOAT64), DType.FLOAT64, new int[] {2}, new double[] {-70.0, -1.0}, "divide i32 by f64");
    pin(Np.sum(S_BOOL), DType.INT64, new int[] {}, new double[] {1.0}, "sum BOOL");
    pin(Np.prod(S_BOOL), DType.INT64, new int[] {}, new double[] {0.0}, "prod BOOL");
    pin(Np.sum(S_INT32), DType.INT64, new int[] {}, new double[] {-4.0}, "sum INT32");
    pin(Np.prod(S_INT32), DType.INT64, new int[] {}, new double[] {-21.0}, "prod INT32");
    pin(Np.sum(S_INT64), DType.INT64, new int[] {}, new double[] {4999999999.0}, "sum INT64");
    pin(Np.prod(S_INT64), DType.INT64, new int[] {}, new double[] {-5000000000.0}, "prod INT64");
    pin(Np.sum(S_FLOAT32), DType.FLOAT32, new int[] {}, new double[] {-0.75}, "sum FLOAT32");
    pin(Np.prod(S_FLOAT32), DType.FLOAT32, new int[] {}, new double[] {-3.375}, "prod FLOAT32");
    pin(Np.cumsum(S_BOOL), DType.INT64, new int[] {2}, new double[] {1.0, 1.0}, "cumsum BOOL");
    pin(Np.cumsum(S_INT64), DType.INT64, new int[] {2}, new double[] {5000000000.0, 4999999999.0}, "cumsum INT64");
    // argmax/argmin are i64, as jnp.argmax in x64 mode
    pin(Np.argmax(S_UINT32), DType.INT64, new int[] {}, new double[] {0}, "argmax u32");
    pin(Np.argmin(S_INT64), DType.INT64, new int[] {}, new double[] {1}, "argmin i64");
  }

  /**
   * Where the engine's dtype differs from JAX 0.10.2's. JAX's answers (pinned in the messages) were
   * checked with the installed JAX; the engine's are its documented choices (f64 for inexact results
   * of 32-bit integers, i64 accumulators, no u64 dtype). If the engine is changed to follow JAX, update
   * the table: this test fails on purpose so that the change is deliberate.
   */
  @Test
  void inexactAndAccumulatorDtypesMatchJax() {
    // jnp.divide(i32, i32) -> f32 [1., 1.]: JAX's to_inexact_dtype maps 32-bit ints and bool to f32, even in x64 mode.
    pin(Np.divide(S_INT32, S_INT32), DType.FLOAT32, new int[] {2}, new double[] {1, 1}, "divide(i32, i32)");
    pin(Np.divide(S_UINT32, S_UINT32), DType.FLOAT32, new int[] {2}, new double[] {1, 1}, "divide(u32, u32)");
    pin(Np.divide(S_BOOL, NDArray.ofBools(true, true)), DType.FLOAT32, new int[] {2}, new double[] {1, 0}, "divide(bool, bool)");
    pin(Np.divide(S_INT32, S_INT64), DType.FLOAT64, new int[] {2}, new double[] {-7.0 / 5000000000.0, -3}, "divide(i32, i64)");
    // jnp.exp(i32) -> f32 [9.1188197e-04, 2.0085537e+01]; jnp.mean(i32) -> f32 -2.0
    pin(Np.exp(S_INT32), DType.FLOAT32, new int[] {2}, new double[] {(float) Math.exp(-7), (float) Math.exp(3)}, "exp(i32)");
    pin(Np.mean(S_INT32), DType.FLOAT32, new int[] {}, new double[] {-2}, "mean(i32)");
    // jnp.cumsum does not widen 32-bit integers: i32 -> i32 [-7, -4], u32 -> u32 [4294967295, 1] (wraps)
    pin(Np.cumsum(S_INT32), DType.INT32, new int[] {2}, new double[] {-7, -4}, "cumsum(i32)");
    pin(Np.cumsum(S_UINT32), DType.UINT32, new int[] {2}, new double[] {4294967295.0, 1}, "cumsum(u32)");
  }

  @Test
  void knownDeviationsFromJax() {
    // jnp.sum / jnp.prod of u32 -> u64 (4294967297, 8589934590); the engine has no u64 and accumulates in i64
    deviation("sum(u32)", Np.sum(S_UINT32), "u64", DType.INT64, new double[] {4294967297.0});
    deviation("prod(u32)", Np.prod(S_UINT32), "u64", DType.INT64, new double[] {8589934590.0});
  }

  private static void deviation(String what, NDArray actual, String jax, DType engine, double[] values) {
    String msg = what + ": the engine gives " + engine.shortName() + " where JAX 0.10.2 gives " + jax;
    pin(actual, engine, actual.shape(), values, msg);
  }

  @Test
  void constructorsAndCreationDtypes() {
    pin(NDArray.of(0.1, 2.0), DType.FLOAT64, new int[] {2}, new double[] {0.1, 2.0}, "NDArray.of(double...)");
    pin(NDArray.of(0.1f, 2.0f), DType.FLOAT32, new int[] {2}, new double[] {(double) 0.1f, 2.0}, "NDArray.of(float...)");
    pin(NDArray.ofInts(-1, 2), DType.INT32, new int[] {2}, new double[] {-1, 2}, "NDArray.ofInts");
    pin(NDArray.ofLongs(5_000_000_000L), DType.INT64, new int[] {1}, new double[] {5e9}, "NDArray.ofLongs");
    pin(NDArray.ofBools(true, false), DType.BOOL, new int[] {2}, new double[] {1, 0}, "NDArray.ofBools");
    pin(NDArray.scalar(2.5), DType.FLOAT64, new int[] {}, new double[] {2.5}, "NDArray.scalar");
    pin(NDArray.of(new double[][] {{1, 2}, {3, 4}}), DType.FLOAT64, new int[] {2, 2}, new double[] {1, 2, 3, 4}, "NDArray.of(double[][])");
    // jnp.arange(4) is i64 with 64-bit types (issue 13, bug 2: it was f64 here); jnp.arange(4.0) is f64
    pin(Np.arange(4), DType.INT64, new int[] {4}, new double[] {0, 1, 2, 3}, "Np.arange(int)");
    pin(Np.arange(4.0), DType.FLOAT64, new int[] {4}, new double[] {0, 1, 2, 3}, "Np.arange(double)");
    pin(Np.linspace(0, 1, 3), DType.FLOAT64, new int[] {3}, new double[] {0, 0.5, 1}, "Np.linspace");
    pin(Np.zeros(2), DType.FLOAT64, new int[] {2}, new double[] {0, 0}, "Np.zeros");
    pin(Np.eye(2), DType.FLOAT64, new int[] {2, 2}, new double[] {1, 0, 0, 1}, "Np.eye");
  }
}
