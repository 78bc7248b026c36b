package dev.arrax.primitives;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.ShapeException;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/**
 * The primitives behind {@link dev.arrax.Prng}: threefry2x32, shift_left, shift_right_logical, xor, rem,
 * bitcast_convert_type, fma, erf_inv and sort. References: Random123's known answers for Threefry,
 * values printed by JAX 0.10.2 (lax.* on CPU) for edge cases, Java arithmetic written here for random
 * operands, finite differences for derivatives, and loops for vmap.
 */
class RandomBitsPrimitivesTest {

  static NDArray u32(long... v) { return Exact.ints(DType.UINT32, new int[] {v.length}, v); }

  static NDArray i32(long... v) { return Exact.ints(DType.INT32, new int[] {v.length}, v); }

  static NDArray i64(long... v) { return Exact.ints(DType.INT64, new int[] {v.length}, v); }

  // ---- threefry2x32 ----

  @Test
  void threefryMatchesRandom123KnownAnswers() {
    // Salmon et al.'s kat_vectors for threefry2x32_20, also JAX's random_test.testThreefry2x32
    NDArray[] y = Ops.threefry2x32(u32(0, 0xFFFFFFFFL, 0x13198a2eL), u32(0, 0xFFFFFFFFL, 0x03707344L),
        u32(0, 0xFFFFFFFFL, 0x243f6a88L), u32(0, 0xFFFFFFFFL, 0x85a308d3L));
    assertArrayEquals(new long[] {0x6b200159L, 0x1cb996fcL, 0xc4923a9cL}, y[0].toLongArray(), "first words");
    assertArrayEquals(new long[] {0x99ba4efeL, 0xbb002be7L, 0x483df7a0L}, y[1].toLongArray(), "second words");
  }

  @Test
  void threefryIsElementwiseAndBatchesOverAnyOperand() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(3, 4, true);
      NDArray[] a = new NDArray[4];
      for (int i = 0; i < 4; i++) a[i] = randomU32(r, shape);
      NDArray[] whole = Ops.threefry2x32(a[0], a[1], a[2], a[3]);
      int n = a[0].size();
      for (int e = 0; e < n; e++) {
        NDArray[] s = new NDArray[4];
        for (int i = 0; i < 4; i++) s[i] = u32(a[i].toLongArray()[e]);
        NDArray[] one = Ops.threefry2x32(s[0], s[1], s[2], s[3]);
        assertEquals(one[0].toLongArray()[0], whole[0].toLongArray()[e], r.describe() + " element " + e);
        assertEquals(one[1].toLongArray()[0], whole[1].toLongArray()[e], r.describe() + " element " + e);
      }
      if (shape.length == 0 || shape[0] == 0) continue;
      Fn second = x -> Ops.threefry2x32(x[0], x[1], x[2], x[3])[1];
      // keys batched, counters shared (and the reverse): vmap against the loop
      VmapCheck.check(second, new NDArray[] {a[0], a[1], Lax.indexInDim(a[2], 0, 0, false), Lax.indexInDim(a[3], 0, 0, false)},
          new Integer[] {0, 0, null, null}, 0, r.describe() + " keys batched");
      VmapCheck.check(second, new NDArray[] {Lax.indexInDim(a[0], 0, 0, false), Lax.indexInDim(a[1], 0, 0, false), a[2], a[3]},
          new Integer[] {null, null, 0, 0}, 0, r.describe() + " counters batched");
    }
  }

  @Test
  void threefryRejectsOtherDtypesAndShapes() {
    ShapeException e = assertThrows(ShapeException.class, () -> Ops.threefry2x32(i32(1), i32(1), i32(1), i32(1)));
    assertTrue(e.getMessage().contains("threefry2x32: operands must be u32, got i32[1]"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Ops.threefry2x32(u32(1), u32(1), u32(1, 2), u32(1, 2)));
    assertTrue(e.getMessage().startsWith("threefry2x32: operand shapes must be equal"), e.getMessage());
  }

  static NDArray randomU32(Rand r, int[] shape) {
    long[] v = new long[Arrays.stream(shape).reduce(1, (x, y) -> x * y)];
    for (int i = 0; i < v.length; i++) v[i] = r.random().nextInt() & 0xFFFFFFFFL;
    return Exact.ints(DType.UINT32, shape, v);
  }

  // ---- integer bit operations ----

  @Test
  void shiftsFollowXlaForLargeAndNegativeAmounts() {
    // JAX: lax.shift_left / shift_right_logical
    NDArray v = i32(1, -1, -8, 1 << 30, 3, 3), s = i32(3, 28, 1, 2, 32, -1);
    assertArrayEquals(new long[] {8, -268435456, -16, 0, 0, 0}, Ops.shiftLeft(v, s).toLongArray());
    assertArrayEquals(new long[] {0, 15, 2147483644, 268435456, 0, 0}, Ops.shiftRightLogical(v, s).toLongArray());
    NDArray vu = u32(1, 0xFFFFFFFFL, 0x80000000L, 5), su = u32(31, 4, 31, 33);
    assertArrayEquals(new long[] {2147483648L, 4294967280L, 0, 0}, Ops.shiftLeft(vu, su).toLongArray());
    assertArrayEquals(new long[] {0, 268435455, 1, 0}, Ops.shiftRightLogical(vu, su).toLongArray());
    NDArray vl = i64(1, -1, -8, 5), sl = i64(63, 60, 64, -1);
    assertArrayEquals(new long[] {Long.MIN_VALUE, -1152921504606846976L, 0, 0}, Ops.shiftLeft(vl, sl).toLongArray());
    assertArrayEquals(new long[] {0, 15, 0, 0}, Ops.shiftRightLogical(vl, sl).toLongArray());
  }

  @Test
  void shiftsAndXorAgreeWithJavaOnRandomOperands() {
    for (long seed = 0; seed < 6; seed++) {
      Rand r = new Rand(seed);
      int n = 50;
      long[] a = new long[n], b = new long[n], amt = new long[n];
      for (int i = 0; i < n; i++) {
        a[i] = r.random().nextLong();
        b[i] = r.random().nextLong();
        amt[i] = r.nextInt(70);
      }
      for (DType d : new DType[] {DType.INT32, DType.UINT32, DType.INT64}) {
        int[] sh = {n};
        NDArray x = Exact.ints(d, sh, a), y = Exact.ints(d, sh, b), k = Exact.ints(d, sh, amt);
        long[] shl = Ops.shiftLeft(x, k).toLongArray(), shr = Ops.shiftRightLogical(x, k).toLongArray(), xr = Ops.xor(x, y).toLongArray();
        for (int i = 0; i < n; i++) {
          String m = r.describe() + " " + d.shortName() + " " + a[i] + " by " + amt[i];
          if (d == DType.INT64) {
            assertEquals(amt[i] >= 64 ? 0 : a[i] << amt[i], shl[i], m);
            assertEquals(amt[i] >= 64 ? 0 : a[i] >>> amt[i], shr[i], m);
            assertEquals(a[i] ^ b[i], xr[i], m);
          } else {
            int ai = (int) a[i], bi = (int) b[i];
            long expShl = amt[i] >= 32 ? 0 : ai << amt[i], expShr = amt[i] >= 32 ? 0 : ai >>> amt[i], expXor = ai ^ bi;
            if (d == DType.UINT32) {
              expShl &= 0xFFFFFFFFL;
              expShr &= 0xFFFFFFFFL;
              expXor &= 0xFFFFFFFFL;
            }
            assertEquals(expShl, shl[i], m);
            assertEquals(expShr, shr[i], m);
            assertEquals(expXor, xr[i], m);
          }
        }
      }
    }
    assertArrayEquals(new long[] {0, 1, 1, 0},
        Ops.xor(NDArray.ofBools(false, false, true, true), NDArray.ofBools(false, true, false, true)).toLongArray(), "xor on bool");
    ShapeException e = assertThrows(ShapeException.class, () -> Ops.shiftLeft(NDArray.of(1.0), NDArray.of(1.0)));
    assertTrue(e.getMessage().contains("shift_left: requires integer operands"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Ops.xor(NDArray.of(1.0), NDArray.of(1.0)));
    assertTrue(e.getMessage().contains("xor: requires bool or integer operands"), e.getMessage());
  }

  @Test
  void remTruncatesWithTheDividendsSignAndKeepsTheDividendForZero() {
    // JAX: lax.rem
    assertArrayEquals(new long[] {1, -1, 1, -1, 0, 5, 0, 13},
        Ops.rem(i32(7, -7, 7, -7, Integer.MIN_VALUE, 5, 0, 13), i32(3, 3, -3, -3, -1, 0, 0, Integer.MAX_VALUE)).toLongArray());
    assertArrayEquals(new long[] {1, 5, 5, 0}, Ops.rem(u32(7, 0xFFFFFFFFL, 5, 0), u32(3, 10, 0, 0)).toLongArray());
    assertArrayEquals(new long[] {0, Long.MAX_VALUE, -1}, Ops.rem(i64(Long.MIN_VALUE, Long.MAX_VALUE, -9), i64(-1, 0, 4)).toLongArray());
    double[] f = Ops.rem(NDArray.of(5.5f, -5.5f, 1.0f, Float.POSITIVE_INFINITY, 7.25f), NDArray.of(2f, 2f, Float.POSITIVE_INFINITY, 2f, -0.5f)).toDoubleArray();
    assertEquals(1.5, f[0]);
    assertEquals(-1.5, f[1]);
    assertEquals(1.0, f[2]);
    assertTrue(Double.isNaN(f[3]));
    assertEquals(0.25, f[4]);
  }

  @Test
  void remDerivativesMatchFiniteDifferences() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(2, 4);
      // keep a / b away from integers, where rem jumps
      double[] b = r.uniform(0.5, 2.0, shape).toDoubleArray(), a = new double[b.length];
      for (int i = 0; i < a.length; i++) a[i] = b[i] * (r.nextInt(7) - 3 + 0.2 + 0.6 * r.random().nextDouble());
      NDArray[] args = {NDArray.fromFlat(a, shape), NDArray.fromFlat(b, shape)};
      GradCheck.check(x -> Ops.rem(x[0], x[1]), args, 1, r, 1e-6, "rem " + r.describe());
    }
  }

  @Test
  void bitcastReinterpretsBitsBothWays() {
    // JAX: lax.bitcast_convert_type
    assertArrayEquals(new long[] {0x3F800000L, 0x80000000L, 0xC0200000L},
        Ops.bitcastConvertType(NDArray.of(1.0f, -0.0f, -2.5f), DType.UINT32).toLongArray());
    assertArrayEquals(new long[] {0x3FF0000000000000L, Long.MIN_VALUE}, Ops.bitcastConvertType(NDArray.of(1.0, -0.0), DType.INT64).toLongArray());
    assertArrayEquals(new long[] {-1, Integer.MIN_VALUE}, Ops.bitcastConvertType(u32(0xFFFFFFFFL, 0x80000000L), DType.INT32).toLongArray());
    Rand r = new Rand(3);
    NDArray x = r.normal(DType.FLOAT32, 3, 4);
    Exact.sameBits(x, Ops.bitcastConvertType(Ops.bitcastConvertType(x, DType.INT32), DType.FLOAT32), "f32 -> i32 -> f32");
    NDArray d = r.normal(5);
    Exact.sameBits(d, Ops.bitcastConvertType(Ops.bitcastConvertType(d, DType.INT64), DType.FLOAT64), "f64 -> i64 -> f64");
    NDArray nanBits = Ops.bitcastConvertType(u32(0x7FC00001L), DType.FLOAT32);
    assertEquals(0x7FC00001L, Exact.bits(nanBits)[0] & 0xFFFFFFFFL, "NaN payload kept");
    VmapCheck.check(a -> Ops.bitcastConvertType(a[0], DType.UINT32), new NDArray[] {x}, new Integer[] {1}, 0, "bitcast vmap");
    NDArray g = Arrax.grad(a -> Np.sum(Ops.bitcastConvertType(Ops.bitcastConvertType(a[0], DType.INT32), DType.FLOAT32))).apply(x);
    assertArrayEquals(new double[12], g.toDoubleArray(), "zero derivative, as in JAX");
    ShapeException e = assertThrows(ShapeException.class, () -> Ops.bitcastConvertType(NDArray.of(1.0), DType.INT32));
    assertTrue(e.getMessage().contains("bitcast_convert_type: cannot reinterpret f64[1] as i32"), e.getMessage());
  }

  // ---- fma ----

  @Test
  void fmaRoundsOnceWhereMultiplyThenAddRoundsTwice() {
    float a = 1 + 0x1p-12f, c = -(1 + 0x1p-11f); // a*a = 1 + 2^-11 + 2^-24 exactly
    NDArray fa = NDArray.of(a);
    assertEquals(0x1p-24, Ops.fma(fa, fa, NDArray.of(c)).toDoubleArray()[0], "f32 fma keeps the 2^-24");
    assertEquals(0.0, Ops.add(Ops.mul(fa, fa), NDArray.of(c)).toDoubleArray()[0], "mul then add loses it");
    double b = 1 + 0x1p-27;
    assertEquals(0x1p-54, Ops.fma(NDArray.of(b), NDArray.of(b), NDArray.of(-(1 + 0x1p-26))).toDoubleArray()[0], "f64 fma");
    Rand r = new Rand(11);
    float[] x = r.normal(DType.FLOAT32, 200).toFloatArray(), y = r.normal(DType.FLOAT32, 200).toFloatArray(), z = r.normal(DType.FLOAT32, 200).toFloatArray();
    float[] got = Ops.fma(NDArray.of(x), NDArray.of(y), NDArray.of(z)).toFloatArray();
    for (int i = 0; i < x.length; i++) {
      // x*y is exact in double (24 + 24 bits); adding z and rounding is one rounding except in double-rounding ties, absent here
      assertEquals((float) ((double) x[i] * y[i] + z[i]), got[i], "element " + i);
    }
  }

  @Test
  void fmaDerivativesTransposeAndVmap() {
    for (long seed = 0; seed < 3; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(3, 3);
      NDArray[] args = {r.normal(shape), r.normal(shape), r.normal(shape)};
      GradCheck.check(x -> Ops.fma(x[0], x[1], x[2]), args, 2, r, 1e-6, "fma " + r.describe());
      NDArray[] batch = {r.normal(Shapes3.prepend(3, shape)), r.normal(shape), r.normal(Shapes3.append(shape, 3))};
      VmapCheck.check(x -> Ops.fma(x[0], x[1], x[2]), batch, new Integer[] {0, null, shape.length}, 0, "fma vmap " + r.describe());
    }
  }

  // ---- erf_inv ----

  @Test
  void erfInvIsXlaCpusToTheLastBit() {
    // JAX: lax.erf_inv on CPU
    NDArray f = Ops.erfInv(NDArray.of(0.5f, -0.9f, 0.999f, 1e-3f, 0.3f, -0.99999994f, 0.0f, 1.0f, -1.0f, 1e-30f));
    Exact.sameBits(Exact.ints(DType.UINT32, new int[] {10}, new long[] {0x3EF430FEL, 0xBF94E009L, 0x4014E999L, 0x3A6851B2L, 0x3E8B803DL,
        0xC07547CAL, 0, 0x7F800000L, 0xFF800000L, 0x0D8FCC6CL}), Ops.bitcastConvertType(f, DType.UINT32), "erf_inv f32");
    NDArray d = Ops.erfInv(NDArray.of(0.5, -0.9, 0.999, 1e-3, 0.3, -0.9999999999999999, 0.0, 1.0, -1.0, 1e-300, 0.99999999));
    Exact.sameBits(Exact.ints(DType.INT64, new int[] {11}, new long[] {0x3FDE861FBB24C008L, 0xBFF29C0146770650L, 0x40029D311405CDBAL,
        0x3F4D0A36543E1FD4L, 0x3FD1700774485ED3L, 0xC017744F8F74E949L, 0, 0x7FF0000000000000L, 0xFFF0000000000000L, 0x01A2FDF36BF69BA0L,
        0x4010357DAE0F0693L}), Ops.bitcastConvertType(d, DType.INT64), "erf_inv f64");
    assertTrue(Double.isNaN(Ops.erfInv(NDArray.of(1.5f)).toDoubleArray()[0]), "outside [-1, 1]");
    assertTrue(Double.isNaN(Ops.erfInv(NDArray.of(-1.0000001)).toDoubleArray()[0]), "outside [-1, 1]");
  }

  @Test
  void erfInvInvertsErfAndDifferentiates() {
    Rand r = new Rand(5);
    NDArray x = r.uniform(-0.999, 0.999, 300);
    Check.close(x, Ops.erf(Ops.erfInv(x)), 1e-14, 1e-15, "erf(erf_inv(x)) f64");
    NDArray y = r.uniform(-3, 3, 300);
    Check.close(y, Ops.erfInv(Ops.erf(y)), 1e-9, 1e-12, "erf_inv(erf(y)) f64");
    NDArray xf = x.astype(DType.FLOAT32);
    Check.close(Ops.erfInv(xf.astype(DType.FLOAT64)), Ops.erfInv(xf).astype(DType.FLOAT64), 1e-5, 1e-6, "f32 close to f64");
    GradCheck.check(a -> Ops.erfInv(a[0]), new NDArray[] {r.uniform(-0.9, 0.9, 2, 3)}, 2, r, 1e-6, "erf_inv");
    VmapCheck.check(a -> Ops.erfInv(a[0]), new NDArray[] {r.uniform(-0.9, 0.9, 3, 2)}, new Integer[] {1}, 0, "erf_inv vmap");
  }

  // ---- sort ----

  @Test
  void sortOrdersLikeLax() {
    // JAX: lax.sort_key_val / lax.sort with num_keys=2
    NDArray keys = NDArray.of(3.0f, -0.0f, Float.NaN, 1.0f, 0.0f, Float.NEGATIVE_INFINITY, 1.0f, -1.0f);
    assertArrayEquals(new long[] {5, 7, 1, 4, 3, 6, 0, 2}, Ops.sort(new NDArray[] {keys, i32(0, 1, 2, 3, 4, 5, 6, 7)}, 0, 1)[1].toLongArray(),
        "f32 keys: -0 == 0, NaN last, stable");
    assertArrayEquals(new long[] {4, 1, 3, 2, 0}, Ops.sort(new NDArray[] {u32(0xFFFFFFFFL, 1, 0x80000000L, 1, 0), i32(0, 1, 2, 3, 4)}, 0, 1)[1].toLongArray(),
        "u32 keys unsigned");
    NDArray[] two = Ops.sort(new NDArray[] {i32(1, 0, 1, 0, 1), i32(2, 5, 1, 5, 2), i32(0, 1, 2, 3, 4)}, 0, 2);
    assertArrayEquals(new long[] {0, 0, 1, 1, 1}, two[0].toLongArray());
    assertArrayEquals(new long[] {5, 5, 1, 2, 2}, two[1].toLongArray());
    assertArrayEquals(new long[] {1, 3, 2, 0, 4}, two[2].toLongArray());
  }

  @Test
  void sortAgreesWithAStableJavaSortAlongAnyAxis() {
    for (long seed = 0; seed < 8; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(3, 5, true);
      if (shape.length == 0) shape = new int[] {4};
      int axis = r.nextInt(shape.length);
      NDArray k = r.ints(0, 4, DType.INT32, shape); // many ties
      NDArray v = r.normal(shape);
      NDArray[] out = Ops.sort(new NDArray[] {k, v}, axis, 1);
      long[] ks = k.toLongArray();
      double[] vs = v.toDoubleArray();
      long[] gotK = out[0].toLongArray();
      double[] gotV = out[1].toDoubleArray();
      int[] strides = new int[shape.length];
      for (int i = shape.length - 1, s = 1; i >= 0; s *= shape[i], i--) strides[i] = s;
      int len = shape[axis];
      for (int base = 0; base < ks.length; base++) {
        if ((base / strides[axis]) % len != 0) continue; // lines start where the axis index is 0
        final int b = base;
        Integer[] order = new Integer[len];
        for (int j = 0; j < len; j++) order[j] = j;
        Arrays.sort(order, Comparator.comparingLong(j -> ks[b + j * strides[axis]]));
        for (int j = 0; j < len; j++) {
          String m = r.describe() + " shape " + Arrays.toString(shape) + " axis " + axis + " line " + base + " position " + j;
          assertEquals(ks[b + order[j] * strides[axis]], gotK[b + j * strides[axis]], m);
          assertEquals(vs[b + order[j] * strides[axis]], gotV[b + j * strides[axis]], m);
        }
      }
    }
  }

  @Test
  void sortDifferentiatesBatchesAndPrints() {
    Rand r = new Rand(21);
    NDArray x = r.normal(3, 5);
    for (int axis = 0; axis < 2; axis++) {
      final int a = axis;
      GradCheck.check(xs -> Ops.sort(new NDArray[] {xs[0]}, a, 1)[0], new NDArray[] {x}, 2, r, 1e-6, "sort(x) axis " + a);
      GradCheck.check(xs -> Ops.sort(new NDArray[] {xs[0], xs[1]}, a, 1)[1], new NDArray[] {x, r.normal(3, 5)}, 1, r, 1e-6, "sort_key_val axis " + a);
      VmapCheck.check(xs -> Ops.sort(new NDArray[] {xs[0], xs[1]}, 0, 1)[1], new NDArray[] {x, r.normal(x.shape()[1 - a])}, new Integer[] {a, null}, 0,
          "sort vmap over axis " + a);
    }
    Program p = Arrax.makeJaxpr(xs -> Ops.sort(new NDArray[] {xs[0], xs[1]}, 1, 1)[1], x, x);
    assertTrue(p.toText().contains("sort") && p.toText().contains("dimension=1 is_stable=true num_keys=1"), p.toText());
    Exact.sameBits(p.call(x, x.neg())[0], Program.parse(p.toText()).call(x, x.neg())[0], "sort program round trip");
  }

  /** Shapes with one more axis in front or at the back. */
  static final class Shapes3 {
    static int[] prepend(int n, int[] s) {
      int[] o = new int[s.length + 1];
      o[0] = n;
      System.arraycopy(s, 0, o, 1, s.length);
      return o;
    }

    static int[] append(int[] s, int n) {
      int[] o = Arrays.copyOf(s, s.length + 1);
      o[s.length] = n;
      return o;
    }
  }
}
