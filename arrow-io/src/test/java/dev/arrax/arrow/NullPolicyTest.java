package dev.arrax.arrow;

import static dev.arrax.arrow.ArrowTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.Np;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.Test;

/** Nulls under each {@link NullPolicy}, the validity mask, and the ragged-list error. */
class NullPolicyTest extends AllocatorTestBase {
  private static final long[] SEEDS = {11L, 12L, 13L, 14L};
  private static final String FIX =
      "NullPolicy.ERROR (the default) rejects nulls; pass NullPolicy.NULL_ROW or NullPolicy.fill(value) to convert them";

  private static int firstTrue(boolean[] b) {
    for (int i = 0; i < b.length; i++) if (b[i]) return i;
    return -1;
  }

  /** Random values with NaN at some non-null rows, so a NaN must survive as a value under every policy. */
  private static double[] valuesWithNaN(SplittableRandom r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.nextInt(5) == 0 ? Double.NaN : r.nextDouble() * 10 - 5;
    return v;
  }

  @Test
  void scalarColumnUnderEachPolicy() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int n = 1 + r.nextInt(400);
      double[] v = valuesWithNaN(r, n);
      boolean[] nulls = randomMask(r, n, 0.2);
      nulls[r.nextInt(n)] = true;
      String m = "seed=" + seed + " rows=" + n;
      try (Float8Vector x = float8("price", v, nulls, allocator)) {
        ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(x), m);
        assertEquals("column 'price': row " + firstTrue(nulls) + " is null; " + FIX, e.getMessage(), m);

        double[] filled = ArrowArrays.toArray(x, NullPolicy.fill(-1.5)).toDoubleArray();
        for (int i = 0; i < n; i++) {
          double expected = nulls[i] ? -1.5 : v[i];
          assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(filled[i]), m + " row " + i);
        }

        boolean[] valid = ArrowArrays.validity(List.of(x));
        NDArray a = ArrowArrays.toArray(x, NullPolicy.NULL_ROW);
        double[] placeholders = a.toDoubleArray();
        for (int i = 0; i < n; i++) {
          assertEquals(!nulls[i], valid[i], m + " row " + i);
          if (nulls[i]) assertEquals(0.0, placeholders[i], m + " row " + i);
          else assertEquals(Double.doubleToLongBits(v[i]), Double.doubleToLongBits(placeholders[i]), m + " row " + i);
        }
        // compute, then write back with the mask: null rows come out null, the rest carry 2x
        try (FieldVector out = ArrowArrays.fromArray(a.mul(2.0), "twice", allocator, valid)) {
          Float8Vector y = assertInstanceOf(Float8Vector.class, out, m);
          assertEquals(n, y.getValueCount(), m);
          int nullCount = 0;
          for (int i = 0; i < n; i++) {
            assertEquals(nulls[i], y.isNull(i), m + " row " + i);
            if (nulls[i]) nullCount++;
            else assertEquals(Double.doubleToLongBits(2 * v[i]), Double.doubleToLongBits(y.get(i)), m + " row " + i);
          }
          assertEquals(nullCount, y.getNullCount(), m);
        }
      }
    }
  }

  @Test
  void nanIsNotNull() {
    try (Float4Vector x = float4("x", new float[] {Float.NaN, 1f, Float.NaN}, null, allocator)) {
      assertArrayEquals(new boolean[] {true, true, true}, ArrowArrays.validity(List.of(x)));
      float[] got = ArrowArrays.toArray(x).toFloatArray(); // ERROR policy: no exception
      assertTrue(Float.isNaN(got[0]) && got[1] == 1f && Float.isNaN(got[2]));
      assertTrue(Float.isNaN(ArrowArrays.toArray(x, NullPolicy.fill(7)).toFloatArray()[0]));
    }
  }

  @Test
  void integerAndBoolFillValuesAreChecked() {
    try (IntVector i = int4("count", new int[] {5, 0, 7}, new boolean[] {false, true, false}, allocator);
         BitVector b = bits("flag", new boolean[] {true, false}, new boolean[] {false, true}, allocator)) {
      assertArrayEquals(new long[] {5, -3, 7}, ArrowArrays.toArray(i, NullPolicy.fill(-3)).toLongArray());
      ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(i, NullPolicy.fill(0.5)));
      assertEquals("column 'count': NullPolicy.fill(0.5) cannot fill a i32 column; use a whole number in range", e.getMessage());
      assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(i, NullPolicy.fill(3e9)));
      assertArrayEquals(new double[] {1, 1}, ArrowArrays.toArray(b, NullPolicy.fill(1)).toDoubleArray());
      ArrowConversionException eb = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(b, NullPolicy.fill(2)));
      assertEquals("column 'flag': NullPolicy.fill(2.0) cannot fill a bool column; use 0 or 1", eb.getMessage());
      assertArrayEquals(new double[] {1, 0}, ArrowArrays.toArray(b, NullPolicy.NULL_ROW).toDoubleArray());
    }
  }

  @Test
  void fixedSizeListRowAndElementNulls() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int rows = 2 + r.nextInt(100);
      int d = 1 + r.nextInt(5);
      double[] flat = valuesWithNaN(r, rows * d);
      boolean[] rowNulls = randomMask(r, rows, 0.15);
      boolean[] elemNulls = randomMask(r, rows * d, 0.05);
      rowNulls[r.nextInt(rows)] = true;
      elemNulls[r.nextInt(rows * d)] = true;
      String m = "seed=" + seed + " rows=" + rows + " d=" + d;
      boolean[] rowHasNull = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        rowHasNull[i] = rowNulls[i];
        for (int c = 0; c < d; c++) rowHasNull[i] |= elemNulls[i * d + c];
      }
      try (FixedSizeListVector x = fixedList("emb", d, true, flat, rows, rowNulls, elemNulls, allocator)) {
        // ERROR: the first row with either kind of null, described by its kind
        int first = firstTrue(rowHasNull);
        String expected = rowNulls[first] ? "column 'emb': row " + first + " is null; " + FIX
            : "column 'emb': row " + first + " holds a null at element " + firstElemNull(elemNulls, first, d) + "; " + FIX;
        ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(x), m);
        assertEquals(expected, e.getMessage(), m);

        // FILL: a null list fills its whole row, a null element only itself
        float[] filled = ArrowArrays.toArray(x, NullPolicy.fill(9)).toFloatArray();
        for (int i = 0; i < rows * d; i++) {
          float want = rowNulls[i / d] || elemNulls[i] ? 9f : (float) flat[i];
          assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(filled[i]), m + " element " + i);
        }

        // NULL_ROW: any null in a row makes the row a placeholder of zeros and false in the mask
        assertArrayEquals(not(rowHasNull), ArrowArrays.validity(List.of(x)), m);
        NDArray a = ArrowArrays.toArray(x, NullPolicy.NULL_ROW);
        assertArrayEquals(new int[] {rows, d}, a.shape(), m);
        float[] got = a.toFloatArray();
        for (int i = 0; i < rows * d; i++) {
          float want = rowHasNull[i / d] ? 0f : (float) flat[i];
          assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), m + " element " + i);
        }
        try (FieldVector out = ArrowArrays.fromArray(a, "out", allocator, not(rowHasNull))) {
          FixedSizeListVector y = assertInstanceOf(FixedSizeListVector.class, out, m);
          for (int i = 0; i < rows; i++) assertEquals(rowHasNull[i], y.isNull(i), m + " row " + i);
        }
      }
    }
  }

  private static int firstElemNull(boolean[] elemNulls, int row, int d) {
    for (int c = 0; c < d; c++) if (elemNulls[row * d + c]) return c;
    return -1;
  }

  private static boolean[] not(boolean[] b) {
    boolean[] out = new boolean[b.length];
    for (int i = 0; i < b.length; i++) out[i] = !b[i];
    return out;
  }

  @Test
  void listNullRowsMayHaveAnyLength() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int rows = 2 + r.nextInt(60);
      int d = 1 + r.nextInt(4);
      boolean[] rowNulls = randomMask(r, rows, 0.3);
      rowNulls[r.nextInt(rows)] = true;
      double[][] rowValues = new double[rows][];
      boolean[][] elemNulls = new boolean[rows][];
      boolean[] rowHasNull = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        // a null row spans 0..6 elements: its length must not count as ragged
        rowValues[i] = valuesWithNaN(r, rowNulls[i] ? r.nextInt(7) : d);
        elemNulls[i] = randomMask(r, rowValues[i].length, 0.05);
        rowHasNull[i] = rowNulls[i];
        for (boolean en : elemNulls[i]) rowHasNull[i] |= en;
      }
      String m = "seed=" + seed + " rows=" + rows + " d=" + d;
      try (ListVector x = list("tokens", false, rowValues, rowNulls, elemNulls, allocator)) {
        assertArrayEquals(not(rowHasNull), ArrowArrays.validity(List.of(x)), m);
        NDArray a = ArrowArrays.toArray(x, NullPolicy.NULL_ROW);
        assertEquals(DType.FLOAT64, a.dtype(), m);
        assertArrayEquals(new int[] {rows, d}, a.shape(), m);
        double[] got = a.toDoubleArray();
        for (int i = 0; i < rows; i++) {
          for (int c = 0; c < d; c++) {
            double want = rowHasNull[i] ? 0.0 : rowValues[i][c];
            assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got[i * d + c]), m + " row " + i + " element " + c);
          }
        }
        double[] filled = ArrowArrays.toArray(x, NullPolicy.fill(-2)).toDoubleArray();
        for (int i = 0; i < rows; i++) {
          for (int c = 0; c < d; c++) {
            double want = rowNulls[i] || elemNulls[i][c] ? -2.0 : rowValues[i][c];
            assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(filled[i * d + c]), m + " row " + i + " element " + c);
          }
        }
        ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(x), m);
        assertTrue(e.getMessage().startsWith("column 'tokens': row " + firstTrue(rowHasNull) + " "), m + ": " + e.getMessage());
      }
    }
  }

  @Test
  void raggedListNamesColumnAndFirstDifferingRow() {
    int checked = 0;
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int rows = 3 + r.nextInt(50);
      int d = 1 + r.nextInt(5);
      int bad = 1 + r.nextInt(rows - 1);
      double[][] rowValues = new double[rows][];
      for (int i = 0; i < rows; i++) rowValues[i] = new double[i >= bad ? d + 1 + r.nextInt(3) : d];
      // a null first row of another length does not set the expected length
      boolean[] rowNulls = new boolean[rows];
      rowNulls[0] = r.nextBoolean();
      if (rowNulls[0]) rowValues[0] = new double[d + 5];
      int reference = rowNulls[0] ? 1 : 0;
      if (bad == reference) continue; // that draw has no earlier row to differ from
      String m = "seed=" + seed + " rows=" + rows + " d=" + d + " bad=" + bad;
      try (ListVector x = list("tokens", true, rowValues, rowNulls, null, allocator)) {
        for (NullPolicy p : new NullPolicy[] {NullPolicy.ERROR, NullPolicy.NULL_ROW, NullPolicy.fill(0)}) {
          ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.toArray(x, p), m);
          assertEquals("column 'tokens': list row " + bad + " has " + rowValues[bad].length + " elements but row " + reference
              + " has " + d + "; a ListVector becomes a [rows, d] array only when all non-null rows have the same length "
              + "(pad or filter the rows, or write a FixedSizeListVector)", e.getMessage(), m + " " + p);
        }
      }
      checked++;
    }
    assertTrue(checked >= 2, "too few ragged cases drawn: " + checked);
  }

  @Test
  void stackNullsUnderEachPolicy() {
    for (long seed : SEEDS) {
      SplittableRandom r = new SplittableRandom(seed);
      int n = 1 + r.nextInt(300);
      double[] a = valuesWithNaN(r, n);
      int[] b = randomInts(r, n);
      boolean[] na = randomMask(r, n, 0.1);
      boolean[] nb = randomMask(r, n, 0.1);
      nb[r.nextInt(n)] = true;
      String m = "seed=" + seed + " rows=" + n;
      try (Float8Vector va = float8("a", a, na, allocator); IntVector vb = int4("b", b, nb, allocator)) {
        int firstA = firstTrue(na);
        int firstB = firstTrue(nb);
        boolean aFirst = firstA >= 0 && firstA <= firstB;
        ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.stack(List.of(va, vb)), m);
        assertEquals("stack: column '" + (aFirst ? "a" : "b") + "': row " + (aFirst ? firstA : firstB) + " is null; " + FIX,
            e.getMessage(), m);

        double[] filled = ArrowArrays.stack(List.of(va, vb), NullPolicy.fill(-1)).toDoubleArray();
        double[] zeroed = ArrowArrays.stack(List.of(va, vb), NullPolicy.NULL_ROW).toDoubleArray();
        boolean[] valid = ArrowArrays.validity(List.of(va, vb));
        for (int i = 0; i < n; i++) {
          String mi = m + " row " + i;
          assertEquals(!(na[i] || nb[i]), valid[i], mi);
          assertEquals(Double.doubleToLongBits(na[i] ? -1 : a[i]), Double.doubleToLongBits(filled[2 * i]), mi);
          assertEquals(nb[i] ? -1 : b[i], filled[2 * i + 1], mi);
          assertEquals(Double.doubleToLongBits(valid[i] ? a[i] : 0.0), Double.doubleToLongBits(zeroed[2 * i]), mi);
          assertEquals(valid[i] ? b[i] : 0.0, zeroed[2 * i + 1], mi);
        }
      }
    }
  }

  @Test
  void validityOfColumnsWithDifferentLengthsFails() {
    try (Float4Vector a = float4("a", new float[2], null, allocator); Float4Vector b = float4("b", new float[3], null, allocator)) {
      ArrowConversionException e = assertThrows(ArrowConversionException.class, () -> ArrowArrays.validity(List.of(a, b)));
      assertEquals("validity: column 'b' has 3 rows but column 'a' has 2", e.getMessage());
    }
  }

  @Test
  void maskLengthMustMatchRows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrowArrays.fromArray(Np.zeros(4), "y", allocator, new boolean[3]));
    assertEquals("fromArray: column 'y': validity mask has 3 entries but the array f64[4] has 4 rows", e.getMessage());
  }

  @Test
  void policyValues() {
    assertEquals(NullPolicy.Kind.ERROR, NullPolicy.ERROR.kind());
    assertEquals(NullPolicy.Kind.NULL_ROW, NullPolicy.NULL_ROW.kind());
    assertEquals(NullPolicy.fill(2.5), NullPolicy.fill(2.5));
    assertEquals(2.5, NullPolicy.fill(2.5).fillValue());
    assertEquals("NullPolicy.fill(2.5)", NullPolicy.fill(2.5).toString());
    assertEquals("NullPolicy.NULL_ROW", NullPolicy.NULL_ROW.toString());
  }
}
