package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.ir.Program;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shapes that overflow and program texts that try to allocate or misread: clear errors, no allocation. */
class HostileInputsTest {
  private static final String HUGE = "shape [65536, 65536, 65536, 65536] has 18446744073709551616 elements; an Arrax array holds at most"
      + " 2147483647 (2^31 - 1): split the data into batches (in Spark, a smaller batchRows)";

  @Test void shapesWhoseElementCountOverflowsAreRejected() {
    int[] s = {65536, 65536, 65536, 65536};
    assertEquals(HUGE, assertThrows(ShapeException.class, () -> NDArray.fromFlat(new double[0], s)).getMessage());
    assertEquals(HUGE, assertThrows(ShapeException.class, () -> Np.zeros(s)).getMessage());
    assertTrue(assertThrows(ShapeException.class, () -> Np.zeros(new int[] {46341, 46341})).getMessage()
        .startsWith("shape [46341, 46341] has 2147488281 elements;"));
    // An empty array may have huge other axes: it holds nothing.
    assertEquals(0, Np.zeros(new int[] {0, 65536, 65536, 65536}).size());
    assertEquals(Integer.MAX_VALUE, dev.arrax.core.ArrayType.of(DType.BOOL, Integer.MAX_VALUE).size());
  }

  @Test void programTextWithAnOverflowingTypeIsAParseError() {
    String text = "{ lambda ; a:f32[65536,65536,65536,65536] . let\n    b:f32[65536,65536,65536,65536] = neg a\n  in (b) }";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(text));
    assertTrue(e.getMessage().contains("18446744073709551616 elements"), e.getMessage());
  }

  @Test void boolLiteralsAreTrueOrFalseOnly() {
    String ok = "{ lambda ; a:bool[] . let\n    b:bool[] = and a true:bool[]\n  in (b) }";
    assertEquals(ok, Program.parse(ok).toText());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(ok.replace("true:bool[]", "yes:bool[]")));
    assertTrue(e.getMessage().contains("bool literal must be true or false, got 'yes'"), e.getMessage());
  }

  /** A 30-byte literal or constant line must not make the parser allocate a 12.8 GB array first. */
  @Test void hugeLiteralsAndConstantsFailBeforeAllocating() {
    String literal = "{ lambda ; a:f64[2] . let\n    b:f64[2] = add a 1.0:f64[40000,40000]\n  in (b) }";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Program.parse(literal));
    assertTrue(e.getMessage().contains("a literal is a scalar, got type f64[40000,40000]"), e.getMessage());
    String constant = "{ lambda a:f64[40000,40000] ; b:f64[2] . let\n    c:f64[2] = neg b\n  in (c) }\nconsts\n  a = 1.0\nend";
    IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> Program.parse(constant));
    assertTrue(c.getMessage().contains("expected 1600000000 values for f64[40000,40000], got 1"), c.getMessage());
  }

  // ---- integer overflow wraps (two's complement), as XLA and so JAX do; eager and jitted alike ----

  private static long[] eagerAndJit(Fn f, NDArray... args) {
    long[] eager = f.apply(args).toLongArray();
    long[] jitted = Arrax.jit(f).apply(args).toLongArray();
    assertArrayEquals(eager, jitted, "jit must agree with eager evaluation");
    return eager;
  }

  @Test void integerOverflowWraps() {
    NDArray i = NDArray.ofInts(Integer.MAX_VALUE, Integer.MIN_VALUE, 46341);
    NDArray j = NDArray.ofInts(1, -1, 46341);
    assertArrayEquals(new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 92682}, eagerAndJit(a -> Np.add(a[0], a[1]), i, j));
    // 46341^2 = 2147488281 = 2^31 + 4633 wraps to -2^31 + 4633
    assertArrayEquals(new long[] {Integer.MAX_VALUE, Integer.MIN_VALUE, -2147479015L}, eagerAndJit(a -> Np.multiply(a[0], a[1]), i, j));
    assertArrayEquals(new long[] {-Integer.MAX_VALUE, Integer.MIN_VALUE, -46341}, eagerAndJit(a -> Np.negative(a[0]), i));
    assertArrayEquals(new long[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 46341}, eagerAndJit(a -> Np.abs(a[0]), i), "abs(MIN) = MIN");
    assertArrayEquals(new long[] {Integer.MIN_VALUE}, eagerAndJit(a -> Np.floorDivide(a[0], a[1]), NDArray.ofInts(Integer.MIN_VALUE), NDArray.ofInts(-1)));
    NDArray l = NDArray.ofLongs(Long.MAX_VALUE, Long.MIN_VALUE);
    assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, eagerAndJit(a -> Np.add(a[0], a[1]), l, NDArray.ofLongs(1, -1)));
    assertArrayEquals(new long[] {-2, 0}, eagerAndJit(a -> Np.multiply(a[0], a[1]), l, NDArray.ofLongs(2, 2)));
    assertArrayEquals(new long[] {-Long.MAX_VALUE, Long.MIN_VALUE}, eagerAndJit(a -> Np.negative(a[0]), l));
    // jnp.sum of i32 accumulates in the default int (i64 with 64-bit types): no wrap at 2^31
    NDArray sum = Np.sum(NDArray.ofInts(Integer.MAX_VALUE, Integer.MAX_VALUE));
    assertEquals(DType.INT64, sum.dtype());
    assertEquals(2L * Integer.MAX_VALUE, sum.toLongArray()[0]);
  }

  // ---- shapes: negative, over 2^31 - 1 elements, 0-d where a vector is needed ----

  @Test void negativeShapesAreRejectedByEveryFactory() {
    String zeros = "zeros/ones/full: negative dimension in shape [2, -3]";
    assertTrue(assertThrows(ShapeException.class, () -> Np.zeros(2, -3)).getMessage().startsWith(zeros));
    assertTrue(assertThrows(ShapeException.class, () -> Np.ones(2, -3)).getMessage().startsWith(zeros));
    assertTrue(assertThrows(ShapeException.class, () -> Np.full(new int[] {2, -3}, 1.0)).getMessage().startsWith(zeros));
    assertTrue(assertThrows(ShapeException.class, () -> Np.zeros(new int[] {2, -3}, DType.INT32)).getMessage().startsWith(zeros));
    assertEquals("fromFlat: negative dimension in shape [-1, 0]", assertThrows(ShapeException.class, () -> NDArray.fromFlat(new double[0], -1, 0)).getMessage());
    assertEquals("fromFlat: negative dimension in shape [-1, 0]", assertThrows(ShapeException.class, () -> NDArray.fromFlat(new float[0], -1, 0)).getMessage());
    assertEquals("fromFlat: negative dimension in shape [-1, 0]",
        assertThrows(ShapeException.class, () -> NDArray.fromFlat(new double[0], DType.INT32, -1, 0)).getMessage());
    NDArray v = NDArray.of(1.0, 2.0);
    assertTrue(assertThrows(ShapeException.class, () -> Np.reshape(v, -2, -1)).getMessage().startsWith("reshape: negative size in [-2, -1]"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.reshape(v, -1, -1)).getMessage().startsWith("reshape: only one dimension can be -1"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.broadcastTo(v, -1, 2)).getMessage().startsWith("broadcastTo: negative dimension in shape [-1, 2]"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.broadcastTo(v, 65536, 65536, 2)).getMessage()
        .startsWith("shape [65536, 65536, 2] has 8589934592 elements; an Arrax array holds at most 2147483647"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.reshape(v, 65536, 65536, 0)).getMessage()
        .startsWith("reshape: cannot reshape f64[2] (2 elements) to [65536, 65536, 0] (0 elements)"));
  }

  @Test void zeroDimensionalWhereAVectorIsNeeded() {
    NDArray s = NDArray.scalar(2.0), v = NDArray.of(1.0, 2.0);
    assertTrue(assertThrows(ShapeException.class, () -> Np.matmul(s, v)).getMessage().startsWith("matmul: operands must be at least 1-d, got f64[] and f64[2]"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.cumsum(s, 0)).getMessage().startsWith("cumsum: axis 0 is out of bounds for an array of rank 0"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.argmax(s, 0)).getMessage().startsWith("argmax: axis 0 is out of bounds for an array of rank 0"));
    // as in JAX: dot with a scalar is a product, sort and argmax of a scalar are the scalar and 0
    assertEquals(List.of(2.0, 4.0), list(Np.dot(s, v)));
    assertEquals(2.0, Np.sort(s).item());
    assertEquals(0, Np.argmax(s).toLongArray()[0]);
  }

  // ---- NaN and infinities: JAX's rules, eager and jitted (f32 arrays long enough for the vector loops) ----

  private static List<Double> list(NDArray x) {
    List<Double> r = new java.util.ArrayList<>();
    for (double d : x.toDoubleArray()) r.add(d);
    return r;
  }

  private static List<Double> both(Fn f, NDArray... args) {
    List<Double> eager = list(f.apply(args)), jitted = list(Arrax.jit(f).apply(args));
    assertEquals(eager, jitted, "jit must agree with eager evaluation");
    return eager;
  }

  @Test void nanAndInfinityFollowJaxRules() {
    double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
    for (DType d : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      double[] xs = new double[37];
      java.util.Arrays.fill(xs, 1.0);
      xs[5] = nan;
      xs[9] = nan;
      xs[20] = 7.0;
      xs[30] = -3.0;
      NDArray x = NDArray.fromFlat(xs, d, 37);
      // max/min propagate NaN (jnp.max, not nanmax); argmax/argmin return the first NaN
      assertEquals(List.of(nan), both(a -> Np.max(a[0]), x), d + " max");
      assertEquals(List.of(nan), both(a -> Np.min(a[0]), x), d + " min");
      assertEquals(List.of(5.0), both(a -> Np.argmax(a[0]), x), d + " argmax");
      assertEquals(List.of(5.0), both(a -> Np.argmin(a[0]), x), d + " argmin");
      List<Double> mx = both(a -> Np.maximum(a[0], a[1]), x, Np.zeros(new int[] {37}, d));
      assertTrue(mx.get(5).isNaN() && mx.get(9).isNaN() && mx.get(30) == 0.0 && mx.get(20) == 7.0, d + " maximum " + mx);
      List<Double> mn = both(a -> Np.minimum(a[0], a[1]), x, Np.zeros(new int[] {37}, d));
      assertTrue(mn.get(5).isNaN() && mn.get(30) == -3.0 && mn.get(20) == 0.0, d + " minimum " + mn);
      // NaN in a row of a 2-d max over the last axis poisons that row only
      NDArray m = Np.reshape(Np.concatenate(x, Np.ones(new int[] {37}, d)), 2, 37);
      assertEquals(List.of(nan, 1.0), both(a -> Np.max(a[0], 1), m), d + " row max");
      // sum/prod: NaN propagates, inf - inf and 0 * inf are NaN
      assertEquals(List.of(nan), both(a -> Np.sum(a[0]), x), d + " sum");
      assertEquals(List.of(nan), both(a -> Np.sum(a[0]), NDArray.fromFlat(new double[] {inf, -inf, 1}, d, 3)));
      assertEquals(List.of(nan), both(a -> Np.prod(a[0]), NDArray.fromFlat(new double[] {0, inf}, d, 2)));
    }
    // sort: NaNs last, infinities in order
    assertEquals(List.of(-inf, -1.0, 1.0, 3.0, inf, nan, nan), both(a -> Np.sort(a[0]), NDArray.of(3.0, nan, -inf, 1.0, nan, inf, -1.0)));
    // elementwise: closed forms of IEEE and the C math library, as XLA computes them
    NDArray y = NDArray.of(-inf, -1.0, -0.0, 0.0, inf, nan);
    assertEquals(List.of(0.0, Math.exp(-1), 1.0, 1.0, inf, nan), both(a -> Np.exp(a[0]), y));
    assertEquals(List.of(nan, nan, -inf, -inf, inf, nan), both(a -> Np.log(a[0]), y));
    assertEquals(List.of(nan, nan, -0.0, 0.0, inf, nan), both(a -> Np.sqrt(a[0]), y));
    assertEquals(List.of(-1.0, Math.tanh(-1), -0.0, 0.0, 1.0, nan), both(a -> Np.tanh(a[0]), y));
    assertEquals(List.of(inf, 1.0, 0.0, 0.0, inf, nan), both(a -> Np.abs(a[0]), y));
    assertEquals(List.of(-1.0, -1.0, -0.0, 0.0, 1.0, nan), both(a -> Np.sign(a[0]), y));
    assertEquals(List.of(inf, -inf, nan), both(a -> Np.divide(a[0], a[1]), NDArray.of(1.0, -1.0, 0.0), NDArray.of(0.0, 0.0, 0.0)));
  }

  // ---- empty arrays through reductions: identities where they exist, JAX's error where they do not ----

  @Test void emptyReductions() {
    NDArray e = Np.zeros(0);
    assertEquals(List.of(0.0), both(a -> Np.sum(a[0]), e));
    assertEquals(List.of(1.0), both(a -> Np.prod(a[0]), e));
    assertTrue(Np.mean(e).item() != Np.mean(e).item(), "mean of nothing is NaN (0/0), as in JAX");
    assertEquals("max: zero-size array to reduction operation max which has no identity, got f64[0] (reduced axes [0])",
        assertThrows(ShapeException.class, () -> Np.max(e)).getMessage().split(" \\(at ")[0]);
    assertEquals("max: zero-size array to reduction operation max which has no identity, got f64[0] (reduced axes [0])",
        assertThrows(ShapeException.class, () -> Arrax.jit(a -> Np.max(a[0])).apply(e)).getMessage().split(" \\(at ")[0]);
    assertTrue(assertThrows(ShapeException.class, () -> Np.min(e)).getMessage().startsWith("min: zero-size array to reduction operation min"));
    assertTrue(assertThrows(ShapeException.class, () -> Np.argmax(e)).getMessage().startsWith("argmax: cannot reduce an empty axis 0 of f64[0]"));
    NDArray e2 = Np.zeros(new int[] {0, 3}, DType.FLOAT32);
    assertEquals(List.of(0.0, 0.0, 0.0), both(a -> Np.sum(a[0], 0), e2));
    assertArrayEquals(new int[] {0}, Np.max(e2, 1).shape(), "max over a non-empty axis of an empty array is empty, not an error");
    assertEquals(0, Np.sort(e).size());
    assertEquals(0, Np.cumsum(e).size());
  }
}
