package dev.arrax.arrow;

import static dev.arrax.arrow.ArrowTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.Test;

/**
 * Arrow vector -> array -> Arrow vector for every supported type over random sizes (0 rows included). The
 * reference is the Java array each vector was built from element by element with Arrow's own setters.
 */
class ArrowArraysRoundTripTest extends AllocatorTestBase {
  private static final long[] SEEDS = {1L, 2L, 3L};

  private static String ctx(long seed, int n) { return "seed=" + seed + " rows=" + n; }

  @Test
  void float4RoundTrip() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int n : sizes(r)) {
        float[] v = randomFloats(r, n);
        String m = ctx(seed, n);
        try (Float4Vector in = float4("x", v, null, allocator)) {
          NDArray a = ArrowArrays.toArray(in);
          assertEquals(DType.FLOAT32, a.dtype(), m);
          assertArrayEquals(new int[] {n}, a.shape(), m);
          assertBits(v, a.toFloatArray(), m);
          try (FieldVector out = ArrowArrays.fromArray(a, "y", allocator)) {
            Float4Vector f = assertInstanceOf(Float4Vector.class, out, m);
            assertEquals("y", f.getName(), m);
            assertEquals(n, f.getValueCount(), m);
            assertEquals(0, f.getNullCount(), m);
            float[] back = new float[n];
            for (int i = 0; i < n; i++) back[i] = f.get(i);
            assertBits(v, back, m);
          }
        }
      }
    }
  }

  private static void assertBits(float[] expected, float[] actual, String m) {
    assertEquals(expected.length, actual.length, m);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), m + " element " + i);
    }
  }

  private static void assertBits(double[] expected, double[] actual, String m) {
    assertEquals(expected.length, actual.length, m);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]), m + " element " + i);
    }
  }

  @Test
  void float8RoundTrip() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int n : sizes(r)) {
        double[] v = randomDoubles(r, n);
        String m = ctx(seed, n);
        try (Float8Vector in = float8("x", v, null, allocator)) {
          NDArray a = ArrowArrays.toArray(in);
          assertEquals(DType.FLOAT64, a.dtype(), m);
          assertArrayEquals(new int[] {n}, a.shape(), m);
          assertBits(v, a.toDoubleArray(), m);
          try (FieldVector out = ArrowArrays.fromArray(a, "y", allocator)) {
            Float8Vector f = assertInstanceOf(Float8Vector.class, out, m);
            assertEquals(n, f.getValueCount(), m);
            assertEquals(0, f.getNullCount(), m);
            double[] back = new double[n];
            for (int i = 0; i < n; i++) back[i] = f.get(i);
            assertBits(v, back, m);
          }
        }
      }
    }
  }

  @Test
  void intRoundTrip() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int n : sizes(r)) {
        int[] v = randomInts(r, n);
        String m = ctx(seed, n);
        try (IntVector in = int4("x", v, null, allocator)) {
          NDArray a = ArrowArrays.toArray(in);
          assertEquals(DType.INT32, a.dtype(), m);
          assertArrayEquals(new int[] {n}, a.shape(), m);
          long[] got = a.toLongArray();
          for (int i = 0; i < n; i++) assertEquals(v[i], got[i], m + " element " + i);
          try (FieldVector out = ArrowArrays.fromArray(a, "y", allocator)) {
            IntVector f = assertInstanceOf(IntVector.class, out, m);
            assertEquals(n, f.getValueCount(), m);
            assertEquals(0, f.getNullCount(), m);
            for (int i = 0; i < n; i++) assertEquals(v[i], f.get(i), m + " element " + i);
          }
        }
      }
    }
  }

  @Test
  void bigIntRoundTrip() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int n : sizes(r)) {
        long[] v = randomLongs(r, n);
        String m = ctx(seed, n);
        try (BigIntVector in = int8("x", v, null, allocator)) {
          NDArray a = ArrowArrays.toArray(in);
          assertEquals(DType.INT64, a.dtype(), m);
          assertArrayEquals(new int[] {n}, a.shape(), m);
          assertArrayEquals(v, a.toLongArray(), m);
          try (FieldVector out = ArrowArrays.fromArray(a, "y", allocator)) {
            BigIntVector f = assertInstanceOf(BigIntVector.class, out, m);
            assertEquals(n, f.getValueCount(), m);
            assertEquals(0, f.getNullCount(), m);
            for (int i = 0; i < n; i++) assertEquals(v[i], f.get(i), m + " element " + i);
          }
        }
      }
    }
  }

  @Test
  void bitRoundTrip() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int n : sizes(r)) {
        boolean[] v = randomBools(r, n);
        String m = ctx(seed, n);
        try (BitVector in = bits("x", v, null, allocator)) {
          NDArray a = ArrowArrays.toArray(in);
          assertEquals(DType.BOOL, a.dtype(), m);
          assertArrayEquals(new int[] {n}, a.shape(), m);
          double[] got = a.toDoubleArray();
          for (int i = 0; i < n; i++) assertEquals(v[i] ? 1.0 : 0.0, got[i], m + " element " + i);
          try (FieldVector out = ArrowArrays.fromArray(a, "y", allocator)) {
            BitVector f = assertInstanceOf(BitVector.class, out, m);
            assertEquals(n, f.getValueCount(), m);
            assertEquals(0, f.getNullCount(), m);
            for (int i = 0; i < n; i++) assertEquals(v[i] ? 1 : 0, f.get(i), m + " element " + i);
          }
        }
      }
    }
  }

  /** Bool [rows, d] through a FixedSizeList of bits, where rows of d bits straddle byte boundaries. */
  @Test
  void boolMatrixRoundTrip() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int rows = r.nextInt(50);
      int d = 1 + r.nextInt(11);
      boolean[] v = randomBools(r, rows * d);
      String m = ctx(seed, rows) + " d=" + d;
      NDArray a = Np.reshape(NDArray.ofBools(v), rows, d);
      try (FieldVector out = ArrowArrays.fromArray(a, "b", allocator)) {
        FixedSizeListVector f = assertInstanceOf(FixedSizeListVector.class, out, m);
        BitVector child = assertInstanceOf(BitVector.class, f.getDataVector(), m);
        for (int i = 0; i < rows * d; i++) assertEquals(v[i] ? 1 : 0, child.get(i), m + " element " + i);
        NDArray back = ArrowArrays.toArray(f);
        assertArrayEquals(new int[] {rows, d}, back.shape(), m);
        double[] got = back.toDoubleArray();
        for (int i = 0; i < rows * d; i++) assertEquals(v[i] ? 1.0 : 0.0, got[i], m + " element " + i);
      }
    }
  }

  @Test
  void fixedSizeListFloat4AndFloat8() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (boolean single : new boolean[] {true, false}) {
        for (int rows : new int[] {0, 1, r.nextInt(300)}) {
          int d = 1 + r.nextInt(9);
          double[] flat = single ? toDoubles(randomFloats(r, rows * d)) : randomDoubles(r, rows * d);
          String m = ctx(seed, rows) + " d=" + d + (single ? " f32" : " f64");
          try (FixedSizeListVector in = fixedList("emb", d, single, flat, rows, null, null, allocator)) {
            NDArray a = ArrowArrays.toArray(in);
            assertEquals(single ? DType.FLOAT32 : DType.FLOAT64, a.dtype(), m);
            assertArrayEquals(new int[] {rows, d}, a.shape(), m);
            assertBits(flat, a.toDoubleArray(), m);
            try (FieldVector out = ArrowArrays.fromArray(a, "out", allocator)) {
              FixedSizeListVector f = assertInstanceOf(FixedSizeListVector.class, out, m);
              assertEquals(d, f.getListSize(), m);
              assertEquals(rows, f.getValueCount(), m);
              assertEquals(0, f.getNullCount(), m);
              assertEquals(single ? f32() : f64(), f.getField().getChildren().get(0).getType(), m);
              FieldVector child = f.getDataVector();
              assertEquals(single ? Float4Vector.class : Float8Vector.class, child.getClass(), m);
              double[] back = new double[rows * d];
              for (int i = 0; i < back.length; i++) {
                back[i] = single ? ((Float4Vector) child).get(i) : ((Float8Vector) child).get(i);
              }
              assertBits(flat, back, m);
            }
          }
        }
      }
    }
  }

  private static double[] toDoubles(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) out[i] = v[i];
    return out;
  }

  @Test
  void listOfEqualLengthsBecomesMatrix() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      for (boolean single : new boolean[] {true, false}) {
        for (int rows : new int[] {1, 2, r.nextInt(200)}) {
          int d = r.nextInt(6);
          double[] flat = single ? toDoubles(randomFloats(r, rows * d)) : randomDoubles(r, rows * d);
          double[][] rowValues = new double[rows][];
          for (int i = 0; i < rows; i++) rowValues[i] = java.util.Arrays.copyOfRange(flat, i * d, i * d + d);
          String m = ctx(seed, rows) + " d=" + d + (single ? " f32" : " f64");
          try (ListVector in = list("tokens", single, rowValues, null, null, allocator)) {
            NDArray a = ArrowArrays.toArray(in);
            assertEquals(single ? DType.FLOAT32 : DType.FLOAT64, a.dtype(), m);
            assertArrayEquals(new int[] {rows, rows == 0 ? 0 : d}, a.shape(), m);
            assertBits(flat, a.toDoubleArray(), m);
          }
        }
      }
    }
  }

  @Test
  void zeroWidthMatrixRoundTrip() {
    NDArray x = Np.zeros(new int[] {3, 0}, DType.FLOAT32);
    try (FieldVector out = ArrowArrays.fromArray(x, "w", allocator)) {
      FixedSizeListVector f = assertInstanceOf(FixedSizeListVector.class, out);
      assertEquals(0, f.getListSize());
      assertEquals(3, f.getValueCount());
      NDArray back = ArrowArrays.toArray(f);
      assertArrayEquals(new int[] {3, 0}, back.shape());
      assertEquals(DType.FLOAT32, back.dtype());
    }
  }

  @Test
  void emptyListColumnIsZeroByZero() {
    try (ListVector in = list("tokens", true, new double[0][], null, null, allocator)) {
      NDArray a = ArrowArrays.toArray(in);
      assertArrayEquals(new int[] {0, 0}, a.shape());
      assertEquals(DType.FLOAT32, a.dtype());
    }
  }

  @Test
  void stackSameDtype() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      // 20000 rows crosses the 8192-row chunks the stack copies through
      for (int n : new int[] {0, 1, r.nextInt(100), 20000}) {
        float[] a = randomFloats(r, n);
        float[] b = randomFloats(r, n);
        float[] c = randomFloats(r, n);
        String m = ctx(seed, n);
        try (Float4Vector va = float4("a", a, null, allocator);
             Float4Vector vb = float4("b", b, null, allocator);
             Float4Vector vc = float4("c", c, null, allocator)) {
          NDArray s = ArrowArrays.stack(List.of(va, vb, vc));
          assertEquals(DType.FLOAT32, s.dtype(), m);
          assertArrayEquals(new int[] {n, 3}, s.shape(), m);
          float[] got = s.toFloatArray();
          float[] expected = new float[3 * n];
          for (int i = 0; i < n; i++) {
            expected[3 * i] = a[i];
            expected[3 * i + 1] = b[i];
            expected[3 * i + 2] = c[i];
          }
          assertBits(expected, got, m);
        }
      }
    }
  }

  @Test
  void stackPromotesMixedDtypes() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int n = r.nextInt(300);
      String m = ctx(seed, n);
      float[] f = randomFloats(r, n);
      int[] i32 = randomInts(r, n);
      long[] i64 = randomLongs(r, n);
      boolean[] b = randomBools(r, n);
      double[] f64 = randomDoubles(r, n);
      try (Float4Vector vf = float4("f", f, null, allocator);
           IntVector vi = int4("i", i32, null, allocator);
           BigIntVector vl = int8("l", i64, null, allocator);
           BitVector vb = bits("b", b, null, allocator);
           Float8Vector vd = float8("d", f64, null, allocator)) {
        // f32, i32, f64 -> f64
        NDArray s = ArrowArrays.stack(List.of(vf, vi, vd));
        assertEquals(DType.FLOAT64, s.dtype(), m);
        double[] got = s.toDoubleArray();
        for (int k = 0; k < n; k++) {
          assertEquals(Double.doubleToLongBits(f[k]), Double.doubleToLongBits(got[3 * k]), m + " row " + k);
          assertEquals(i32[k], got[3 * k + 1], m + " row " + k);
          assertEquals(Double.doubleToLongBits(f64[k]), Double.doubleToLongBits(got[3 * k + 2]), m + " row " + k);
        }
        // bool, i32, i64 -> i64
        NDArray t = ArrowArrays.stack(List.of(vb, vi, vl));
        assertEquals(DType.INT64, t.dtype(), m);
        long[] lt = t.toLongArray();
        for (int k = 0; k < n; k++) {
          assertEquals(b[k] ? 1L : 0L, lt[3 * k], m + " row " + k);
          assertEquals(i32[k], lt[3 * k + 1], m + " row " + k);
          assertEquals(i64[k], lt[3 * k + 2], m + " row " + k);
        }
        // i64 with f32 -> f32 (JAX's lattice): one rounding of the long
        NDArray u = ArrowArrays.stack(List.of(vl, vf));
        assertEquals(DType.FLOAT32, u.dtype(), m);
        float[] fu = u.toFloatArray();
        for (int k = 0; k < n; k++) assertEquals((float) i64[k], fu[2 * k], m + " row " + k);
      }
    }
  }

  @Test
  void stackRejectsBadInputsByName() {
    try (Float4Vector a = float4("a", new float[3], null, allocator);
         Float4Vector b = float4("b", new float[4], null, allocator);
         FixedSizeListVector l = fixedList("emb", 2, true, new double[6], 3, null, null, allocator)) {
      ArrowConversionException e1 = assertThrows(ArrowConversionException.class, () -> ArrowArrays.stack(List.of(a, b)));
      assertEquals("stack: column 'b' has 4 rows but column 'a' has 3; all columns must have the same number of rows", e1.getMessage());
      ArrowConversionException e2 = assertThrows(ArrowConversionException.class, () -> ArrowArrays.stack(List.of(a, l)));
      assertEquals(true, e2.getMessage().startsWith("stack: column 'emb' (FixedSizeList(2)) is not a scalar column"), e2.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ArrowArrays.stack(List.of()));
    }
  }

  @Test
  void fromArrayRejectsOtherRanksAndU32() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrowArrays.fromArray(Np.zeros(new int[] {2, 3, 4}), "t", allocator));
    assertEquals("fromArray: column 't' needs a [rows] or [rows, d] array, got f64[2,3,4]; reshape it to [rows, d] first",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ArrowArrays.fromArray(NDArray.scalar(1.0), "s", allocator));
    IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
        () -> ArrowArrays.fromArray(NDArray.ofInts(1, 2).astype(DType.UINT32), "u", allocator));
    assertEquals(true, u.getMessage().contains("u32"), u.getMessage());
  }

  @Test
  void unsupportedVectorNamesColumnAndType() {
    try (org.apache.arrow.vector.VarCharVector s = new org.apache.arrow.vector.VarCharVector("name", allocator)) {
      s.allocateNew();
      s.setValueCount(0);
      ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(s));
      assertEquals(true, e.getMessage().startsWith("column 'name': Arrow type Utf8 (VarCharVector) is not supported"), e.getMessage());
    }
  }

  /** An array computed by Arrax (not wrapped from Arrow) goes out as the vector of its dtype. */
  @Test
  void computedArraysGoOut() {
    NDArray x = Np.arange(6).astype(DType.FLOAT32).reshape(2, 3).mul(0.5);
    try (FieldVector out = ArrowArrays.fromArray(x, "h", allocator)) {
      FixedSizeListVector f = assertInstanceOf(FixedSizeListVector.class, out);
      Float4Vector c = assertInstanceOf(Float4Vector.class, f.getDataVector());
      for (int i = 0; i < 6; i++) assertEquals(0.5f * i, c.get(i));
    }
  }
}
