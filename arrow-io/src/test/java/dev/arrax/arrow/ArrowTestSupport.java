package dev.arrax.arrow;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Builds Arrow vectors element by element through Arrow's own setters (an independent path from the bulk
 * copies under test), and random values that include the awkward ones (NaN, infinities, -0.0, extremes).
 */
final class ArrowTestSupport {
  private ArrowTestSupport() {}

  /** Sizes around the bit-packing and chunk boundaries, plus a few random ones. */
  static int[] sizes(SplittableRandom r) {
    return new int[] {0, 1, 7, 8, 9, 64, 1 + r.nextInt(200), r.nextInt(5000)};
  }

  static float[] randomFloats(SplittableRandom r, int n) {
    float[] v = new float[n];
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE};
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(10) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextDouble() * 200 - 100);
    }
    return v;
  }

  static double[] randomDoubles(SplittableRandom r, int n) {
    double[] v = new double[n];
    double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE};
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(10) == 0 ? special[r.nextInt(special.length)] : r.nextDouble() * 2e6 - 1e6;
    }
    return v;
  }

  static int[] randomInts(SplittableRandom r, int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(10);
      v[i] = k == 0 ? Integer.MIN_VALUE : k == 1 ? Integer.MAX_VALUE : r.nextInt();
    }
    return v;
  }

  static long[] randomLongs(SplittableRandom r, int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(10);
      v[i] = k == 0 ? Long.MIN_VALUE : k == 1 ? Long.MAX_VALUE : r.nextLong();
    }
    return v;
  }

  static boolean[] randomBools(SplittableRandom r, int n) {
    boolean[] v = new boolean[n];
    for (int i = 0; i < n; i++) v[i] = r.nextBoolean();
    return v;
  }

  /** {@code n} flags, each true with probability {@code p}. */
  static boolean[] randomMask(SplittableRandom r, int n, double p) {
    boolean[] v = new boolean[n];
    for (int i = 0; i < n; i++) v[i] = r.nextDouble() < p;
    return v;
  }

  static boolean isNull(boolean[] nulls, int i) {
    return nulls != null && nulls[i];
  }

  static Float4Vector float4(String name, float[] v, boolean[] nulls, BufferAllocator a) {
    Float4Vector out = new Float4Vector(name, a);
    out.allocateNew(v.length);
    for (int i = 0; i < v.length; i++) {
      if (isNull(nulls, i)) out.setNull(i); else out.setSafe(i, v[i]);
    }
    out.setValueCount(v.length);
    return out;
  }

  static Float8Vector float8(String name, double[] v, boolean[] nulls, BufferAllocator a) {
    Float8Vector out = new Float8Vector(name, a);
    out.allocateNew(v.length);
    for (int i = 0; i < v.length; i++) {
      if (isNull(nulls, i)) out.setNull(i); else out.setSafe(i, v[i]);
    }
    out.setValueCount(v.length);
    return out;
  }

  static IntVector int4(String name, int[] v, boolean[] nulls, BufferAllocator a) {
    IntVector out = new IntVector(name, a);
    out.allocateNew(v.length);
    for (int i = 0; i < v.length; i++) {
      if (isNull(nulls, i)) out.setNull(i); else out.setSafe(i, v[i]);
    }
    out.setValueCount(v.length);
    return out;
  }

  static BigIntVector int8(String name, long[] v, boolean[] nulls, BufferAllocator a) {
    BigIntVector out = new BigIntVector(name, a);
    out.allocateNew(v.length);
    for (int i = 0; i < v.length; i++) {
      if (isNull(nulls, i)) out.setNull(i); else out.setSafe(i, v[i]);
    }
    out.setValueCount(v.length);
    return out;
  }

  static BitVector bits(String name, boolean[] v, boolean[] nulls, BufferAllocator a) {
    BitVector out = new BitVector(name, a);
    out.allocateNew(v.length);
    for (int i = 0; i < v.length; i++) {
      if (isNull(nulls, i)) out.setNull(i); else out.setSafe(i, v[i] ? 1 : 0);
    }
    out.setValueCount(v.length);
    return out;
  }

  static ArrowType f32() { return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE); }

  static ArrowType f64() { return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE); }

  /** Sets child element {@code i} of a Float4/Float8 child from a double (null when {@code isNull}). */
  static void setChild(ValueVector child, int i, double value, boolean isNull) {
    if (child instanceof Float4Vector f) {
      if (isNull) f.setNull(i); else f.setSafe(i, (float) value);
    } else {
      Float8Vector f = (Float8Vector) child;
      if (isNull) f.setNull(i); else f.setSafe(i, value);
    }
  }

  /**
   * A fixed-size-list column of {@code rows = flat.length / d} rows over a Float4 ({@code single}) or Float8
   * child; {@code rowNulls} marks null lists, {@code elemNulls} null elements (either may be null).
   */
  static FixedSizeListVector fixedList(String name, int d, boolean single, double[] flat, int rows, boolean[] rowNulls,
      boolean[] elemNulls, BufferAllocator a) {
    FixedSizeListVector f = FixedSizeListVector.empty(name, d, a);
    f.addOrGetVector(FieldType.nullable(single ? f32() : f64()));
    f.setInitialCapacity(rows);
    f.allocateNew();
    FieldVector child = f.getDataVector();
    for (int r = 0; r < rows; r++) {
      if (isNull(rowNulls, r)) f.setNull(r); else f.setNotNull(r);
      for (int c = 0; c < d; c++) setChild(child, r * d + c, flat[r * d + c], isNull(elemNulls, r * d + c));
    }
    f.setValueCount(rows);
    return f;
  }

  /**
   * A list column: row {@code r} holds {@code rowValues[r]} (Float4 child when {@code single}); a row with
   * {@code rowNulls[r]} is null yet still spans its elements in the child, as Arrow allows. Null elements are
   * NaN-free placeholders marked in {@code elemNulls[r]}.
   */
  static ListVector list(String name, boolean single, double[][] rowValues, boolean[] rowNulls, boolean[][] elemNulls,
      BufferAllocator a) {
    ListVector l = ListVector.empty(name, a);
    l.addOrGetVector(FieldType.nullable(single ? f32() : f64()));
    l.allocateNew();
    FieldVector child = l.getDataVector();
    int pos = 0;
    for (int r = 0; r < rowValues.length; r++) {
      l.startNewValue(r);
      for (int c = 0; c < rowValues[r].length; c++) {
        setChild(child, pos++, rowValues[r][c], elemNulls != null && elemNulls[r] != null && elemNulls[r][c]);
      }
      l.endValue(r, rowValues[r].length);
      if (isNull(rowNulls, r)) org.apache.arrow.vector.BitVectorHelper.unsetBit(l.getValidityBuffer(), r);
    }
    child.setValueCount(pos);
    l.setValueCount(rowValues.length);
    return l;
  }
}
