package dev.arrax.compile.cpu;

/**
 * The fixed summation order every CPU kernel uses, so that a float32 sum is accurate (blocked partial
 * sums, as XLA's CPU reductions do) and bit-identical whatever the SIMD width, the presence of the
 * Vector API, the thread count and the row-block size.
 *
 * <ul>
 *   <li><b>Along a row</b> (a fused last-axis reduction, a dot product): {@value #LANES} logical lanes,
 *       lane l summing elements l, l+16, l+32, ...; lanes accumulate within blocks of
 *       {@value #BLOCK} elements, block lanes are added up per super-block of {@value #SUPER_BLOCK}
 *       elements and those to the row's running lanes (each float32 chain is at most 256 long below a
 *       billion elements); the 16 lanes are then combined by the fixed tree {@link #tree(float[])} and the
 *       last {@code n mod 16} elements are added in order. A 16-lane AVX-512 vector is one set of lanes,
 *       8-lane AVX2 vectors two, the scalar code a 16-element array: the same additions in the same order.
 *       A matrix product's single-column dot uses the 16 FMA lanes and the tree without blocks (its K is a
 *       feature dimension); its other outputs are one FMA chain over K each.
 *   <li><b>Over rows</b> (a gradient summed over a batch, any contraction over the leading axis):
 *       chunks of {@value #CHUNK_ROWS} rows summed in the operands' dtype (with fused multiply-adds, the
 *       same in the SIMD and scalar code), each chunk's partial added in float64 to its segment's total,
 *       segments of {@link #segmentRows(long)} rows (a function of the row count only) owned by one thread
 *       each, and the segment totals added in segment order in float64, rounded once.
 * </ul>
 * The error of a float32 sum of N terms is then about 16 eps over a chunk plus float64 rounding, instead
 * of N eps for one running float32 sum.
 */
public final class Summation {
  private Summation() {}

  /** Logical lanes of a sum along a row: partial sums of elements l, l + 16, ... */
  public static final int LANES = 16;
  /** Elements of a row per block of lane partial sums (256 per lane). */
  public static final int BLOCK = 4096;
  /** Elements of a row per super-block: 256 blocks, whose lane sums are added to the row's running lanes. */
  public static final int SUPER_BLOCK = 256 * BLOCK;
  /** Rows per chunk of a sum over rows, summed in the operands' dtype before the float64 total. */
  static final int CHUNK_ROWS = 64;
  private static final int MIN_SEGMENT = 256, MAX_SEGMENT = 65536;

  /**
   * Combines 16 lane partial sums by a fixed tree: lanes i and i + 8, then i + 4, i + 2, i + 1
   * (in place; returns the total, left in {@code lanes[0]}).
   */
  public static float tree(float[] lanes) {
    for (int h = LANES / 2; h >= 1; h >>= 1) {
      for (int i = 0; i < h; i++) lanes[i] = lanes[i] + lanes[i + h];
    }
    return lanes[0];
  }

  /** {@link #tree(float[])} for float64 lanes. */
  public static double tree(double[] lanes) {
    for (int h = LANES / 2; h >= 1; h >>= 1) {
      for (int i = 0; i < h; i++) lanes[i] = lanes[i] + lanes[i + h];
    }
    return lanes[0];
  }

  /**
   * Rows per segment of a sum over {@code rows} rows: the smallest power of two at least rows / 64,
   * clamped to [256, 65536]; always a multiple of {@value #CHUNK_ROWS}. A function of the row count
   * only, so the summation tree does not depend on threads or blocks.
   */
  static int segmentRows(long rows) {
    long want = (rows + 63) / 64;
    int s = MIN_SEGMENT;
    while (s < want && s < MAX_SEGMENT) s <<= 1;
    return s;
  }

  /** Number of segments of {@code rows} rows. */
  static int segments(long rows) {
    int s = segmentRows(rows);
    return (int) Math.max(1, (rows + s - 1) / s);
  }

  /**
   * The first row of part {@code part} of {@code parts} when parts take whole segments of {@code rows} (part
   * {@code parts} gives the end): sums over rows then add in the same order whatever the thread count.
   */
  static int partStart(int rows, int part, int parts) {
    return (int) Math.min(rows, (long) segmentRows(rows) * (segments(rows) * (long) part / parts));
  }

  /** Element {@code i} of {@code size} summed over the first {@code nSeg} segment totals, in segment order. */
  static double segmentTotal(double[] seg, int nSeg, int size, int i) {
    double s = 0;
    for (int g = 0; g < nSeg; g++) s += seg[g * size + i];
    return s;
  }

  /**
   * The 16-lane dot product of a[aOff, aOff + k) and b[bOff, bOff + k), scalar: FMA lanes, {@link #tree},
   * FMA tail; {@code lanes} is scratch of 16 floats.
   */
  static float dot(float[] a, int aOff, float[] b, int bOff, int k, float[] lanes) {
    java.util.Arrays.fill(lanes, 0f);
    int kk = 0;
    for (; kk + LANES <= k; kk += LANES) {
      for (int l = 0; l < LANES; l++) lanes[l] = Math.fma(a[aOff + kk + l], b[bOff + kk + l], lanes[l]);
    }
    float s = tree(lanes);
    for (; kk < k; kk++) s = Math.fma(a[aOff + kk], b[bOff + kk], s);
    return s;
  }

  /** c[cOff, cOff + n) = fma(x, b[bOff, bOff + n), c[...]) element by element, scalar. */
  static void axpy(float x, float[] b, int bOff, float[] c, int cOff, int n) {
    for (int j = 0; j < n; j++) c[cOff + j] = Math.fma(x, b[bOff + j], c[cOff + j]);
  }
}
