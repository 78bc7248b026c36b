package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Bad inputs to the functions added for issue 13 fail with messages that name the function, the shapes and the fix. */
class Issue13ErrorsTest {

  private static void expect(Class<? extends RuntimeException> type, Supplier<?> body, String prefix, String... contains) {
    RuntimeException e = assertThrows(type, body::get);
    String m = e.getMessage();
    assertTrue(m.startsWith(prefix), "message should start with \"" + prefix + "\" but is: " + m);
    for (String c : contains) assertTrue(m.contains(c), "message should contain \"" + c + "\": " + m);
    assertTrue(m.contains("Issue13ErrorsTest.java:"), "message names the caller's line: " + m);
  }

  @Test
  void numpyErrors() {
    NDArray m = Np.ones(2, 3);
    expect(ShapeException.class, () -> Np.einsum("ij,jk->ik", m), "einsum: 'ij,jk->ik' names 2 operands but 1 were given");
    expect(ShapeException.class, () -> Np.einsum("ijk->i", m), "einsum: operand 0 is f64[2,3] but its subscripts 'ijk' name 3 axes");
    expect(ShapeException.class, () -> Np.einsum("ij->ix", m), "einsum: output label 'x' does not appear in any operand");
    expect(ShapeException.class, () -> Np.take(m, NDArray.of(1.0), 0), "take: indices must be integers, got f64[1]", "astype(DType.INT32)");
    expect(ShapeException.class, () -> Np.take(m, NDArray.ofInts(0), 0, "raise"), "take: invalid mode 'raise'; use fill, clip or wrap");
    expect(ShapeException.class, () -> Np.takeAlongAxis(m, NDArray.ofInts(0), 1), "takeAlongAxis: indices and x must have the same number of dimensions, got i32[1] and f64[2,3]");
    expect(ShapeException.class, () -> Np.repeat(m, new int[] {1, 2}, 1), "repeat: 2 repeat counts for axis 1 of size 3 of f64[2,3]");
    expect(ShapeException.class, () -> Np.pad(m, new int[][] {{1, 1}, {1}}), "pad: padWidth must be {before, after} pairs");
    expect(ShapeException.class, () -> Np.tril(Np.ones(3)), "tril: needs an array of rank >= 2, got f64[3]");
    expect(ShapeException.class, () -> Np.median(Np.zeros(0)), "median: cannot take the median of an empty axis 0 of f64[0]");
    expect(ShapeException.class, () -> Np.roll(m, NDArray.of(1.0), 0), "roll: shift must be an integer scalar, got f64[1]");
    expect(ShapeException.class, () -> Np.tensordot(m, m, new int[] {1}, new int[] {0}), "tensordot: axis 1 of f64[2,3] (size 3) does not match axis 0 of f64[2,3] (size 2)");
    expect(ShapeException.class, () -> m.at(NDArray.ofInts(0)).add(Np.ones(4)), "at(...).add: the value f64[4] cannot be broadcast to the selected elements' shape [1, 3]");
    expect(ShapeException.class, () -> Np.arange(0.0, 1.0, 0.0), "arange: step must not be zero");
  }

  @Test
  void linalgNnSpecialErrors() {
    expect(ShapeException.class, () -> Linalg.det(Np.ones(2, 3)), "det: needs square matrices in the last two axes, got f64[2,3]");
    expect(ShapeException.class, () -> Linalg.solve(Np.eye(3), Np.ones(2)), "solve: the right-hand side f64[2,1] does not fit f64[3,3]");
    expect(ShapeException.class, () -> Linalg.norm(Np.ones(2, 2, 2), 1), "norm: with an ord, x must be 1-d or 2-d (or give the axes), got f64[2,2,2]");
    expect(ShapeException.class, () -> Nn.oneHot(NDArray.ofInts(1), -1), "oneHot: numClasses must be >= 0, got -1");
    expect(ShapeException.class, () -> Special.ndtri(NDArray.ofInts(1)), "ndtri: x.dtype=i32 is not supported (f32 and f64 only, as in JAX)");
  }

  @Test
  void laxAndPrngErrors() {
    NDArray x = Np.ones(1, 2, 5, 5);
    expect(ShapeException.class, () -> Lax.conv(x, Np.ones(3, 2, 2, 2), new int[] {1}, "VALID"), "convGeneralDilated: windowStrides needs one entry per spatial axis (2), got [1]");
    expect(ShapeException.class, () -> Lax.conv(x, Np.ones(3, 2, 2, 2), new int[] {1, 1}, "FULL"), "convGeneralDilated: padding must be \"SAME\", \"SAME_LOWER\", \"VALID\"");
    expect(ShapeException.class, () -> Lax.convGeneralDilated(x, Np.ones(3, 2, 2, 2), new int[] {1, 1}, "VALID", null, null, new String[] {"NCHW", "OIHW"}, 1),
        "convGeneralDilated: dimensionNumbers must be three layout strings of length 4");
    expect(ShapeException.class, () -> Lax.reduceWindow(Np.ones(4), 0.0, Lax::add, new int[] {2, 2}, new int[] {1}, "VALID"),
        "reduceWindow: windowDimensions and windowStrides need one entry per axis of f64[4]");
    expect(ShapeException.class, () -> Lax.selectN(NDArray.ofInts(0), Np.ones(2), Np.ones(3)), "selectN: all cases must have one shape and dtype, got f64[2] and f64[3]");
    expect(ShapeException.class, () -> Lax.clamp(Np.ones(2), Np.ones(3), Np.ones(3)), "clamp: min and max must be scalars or have the operand's shape and dtype f64[3]");
    expect(ShapeException.class, () -> Lax.pad(Np.ones(3), NDArray.scalar(0.0), new int[][] {{-4, 0, 0}}), "pad: negative padding");
    expect(ShapeException.class, () -> Lax.lgamma(NDArray.ofInts(2)), "lgamma: requires a floating operand (lax does not promote), got i32[1]");
    expect(ShapeException.class, () -> Prng.choice(Prng.key(0), NDArray.scalar(2.5), new int[] {1}, true, null, 0), "Prng.choice: a scalar a must be an integer");
    expect(ShapeException.class, () -> Prng.truncatedNormal(Prng.key(0), DType.FLOAT32, Np.ones(2), Np.ones(3)), "Prng.truncatedNormal: bounds f64[2] and f64[3] cannot be broadcast together");
    expect(ShapeException.class, () -> Prng.exponential(Prng.key(0), DType.INT32, 2), "Prng.exponential: dtype must be f32 or f64, got i32");
  }
}
