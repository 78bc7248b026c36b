package dev.arrax.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Program;
import dev.arrax.testing.Exact;
import dev.arrax.testing.Rand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Random programs, traced from random compositions of Np/Nn functions and from their gradients, batched
 * versions and batched gradients (full of broadcast ones and zeros), are optimized; the optimized
 * program must verify, have no more equations, read back from its text, and return the original
 * program's results bit for bit on fresh random inputs (every rewrite is exact, so no tolerance is
 * needed, in f64, f32 and integers alike).
 */
class PassesPropertyTest {

  /** One step of a random composition: {@code (x, y) -> new x}, where y is a second input of x's shape. */
  record Step(String name, BiFunction<NDArray, NDArray, NDArray> f) {}

  static final Step[] FLOAT_STEPS = {
      new Step("tanh", (x, y) -> Np.tanh(x)),
      new Step("sin", (x, y) -> Np.sin(x)),
      new Step("sigmoid", (x, y) -> Nn.sigmoid(x)),
      new Step("relu", (x, y) -> Nn.relu(x)),
      new Step("softplus", (x, y) -> Nn.softplus(x)),
      new Step("square", (x, y) -> Np.square(x)),
      new Step("times 2.5", (x, y) -> Np.multiply(x, 2.5)),
      new Step("times 1", (x, y) -> Np.multiply(1.0, x)),
      new Step("plus 0", (x, y) -> Np.add(x, 0.0)),
      new Step("minus 0", (x, y) -> Np.subtract(x, 0.0)),
      new Step("over 1", (x, y) -> Np.divide(x, 1.0)),
      new Step("times ones", (x, y) -> Np.multiply(x, Np.onesLike(x))),
      new Step("plus zeros", (x, y) -> Np.add(Np.zerosLike(x), x)),
      new Step("neg neg", (x, y) -> Np.negative(Np.negative(x))),
      new Step("transpose twice", (x, y) -> Np.transpose(Np.transpose(x))),
      new Step("permute and back", PassesPropertyTest::permuteAndBack),
      new Step("reshape flat and back", (x, y) -> Np.reshape(Np.reshape(x, x.size()), x.shape())),
      new Step("sum keepdims", (x, y) -> x.ndim() == 0 ? x : Np.add(x, Np.sum(x, x.ndim() - 1, true))),
      new Step("mean keepdims", (x, y) -> x.ndim() == 0 ? x : Np.subtract(x, Np.mean(x, 0, true))),
      new Step("softmax", (x, y) -> x.ndim() == 0 || x.size() == 0 ? x : Nn.softmax(x)),
      new Step("where", (x, y) -> Np.where(Np.greater(x, y), x, 0.5)),
      new Step("maximum", (x, y) -> Np.maximum(x, y)),
      new Step("add y", (x, y) -> Np.add(x, y)),
      new Step("mul y", (x, y) -> Np.multiply(x, y)),
      new Step("sub y twice", (x, y) -> Np.subtract(Np.multiply(x, y), Np.multiply(y, x))),
      new Step("stop_gradient", (x, y) -> Np.add(x, Lax.stopGradient(Np.sin(y)))),
      new Step("exp clipped", (x, y) -> Np.exp(Np.clip(x, -3.0, 3.0))),
      new Step("captured constant", (x, y) -> Np.multiply(x, Np.exp(new Rand(99).normal(x.dtype(), x.shape())))),
      new Step("ones times three", (x, y) -> Np.add(x, Np.multiply(Np.ones(x.shape(), x.dtype()), 3.0))),
      new Step("arange", (x, y) -> Np.add(x, Np.reshape(Np.arange(x.size()), x.shape()).astype(x.dtype()))),
      new Step("broadcast and sum", (x, y) -> Np.sum(Np.broadcastTo(x, prepend(2, x.shape())), 0)),
      new Step("same-dtype convert", (x, y) -> Lax.convertElementType(x, x.dtype())),
  };

  static final Step[] INT_STEPS = {
      new Step("add y", (x, y) -> Np.add(x, y)),
      new Step("mul y", (x, y) -> Np.multiply(x, y)),
      new Step("sub y", (x, y) -> Np.subtract(y, x)),
      new Step("neg neg", (x, y) -> Np.negative(Np.negative(x))),
      new Step("times ones", (x, y) -> Np.multiply(Np.ones(x.shape(), x.dtype()), x)),
      new Step("plus zeros", (x, y) -> Np.add(x, Np.zeros(x.shape(), x.dtype()))),
      new Step("maximum", (x, y) -> Np.maximum(x, y)),
      new Step("where", (x, y) -> Np.where(Np.less(x, y), x, y)),
      new Step("abs", (x, y) -> Np.abs(x)),
      new Step("transpose twice", (x, y) -> Np.transpose(Np.transpose(x))),
      new Step("reshape flat and back", (x, y) -> Np.reshape(Np.reshape(x, x.size()), x.shape())),
      new Step("div by ones", (x, y) -> Lax.div(x, Np.ones(x.shape(), x.dtype()))),
      new Step("arange", (x, y) -> Np.add(x, Np.reshape(Np.arange(x.size()), x.shape()).astype(x.dtype()))),
      new Step("sum keepdims", (x, y) -> x.ndim() == 0 ? x : Np.add(x, Np.sum(x, 0, true).astype(x.dtype()))),
      new Step("same-dtype convert", (x, y) -> Lax.convertElementType(x, x.dtype())),
  };

  /** A random composition of 2 to 6 steps of {@code f(x, y)}, with the steps' names for failure messages. */
  static Fn compose(Step[] steps, Rand r, List<String> names) {
    int n = 2 + r.nextInt(5);
    List<Step> chosen = new ArrayList<>();
    for (int i = 0; i < n; i++) chosen.add(steps[r.nextInt(steps.length)]);
    for (Step s : chosen) names.add(s.name());
    return a -> {
      NDArray x = a[0];
      for (Step s : chosen) x = s.f().apply(x, a[1]);
      return x;
    };
  }

  /**
   * Transposes by a rotation A, then a swap B of the first two axes, then by the inverse of their composition: shape and
   * values come back, and composing the transposes in the wrong order would not.
   */
  static NDArray permuteAndBack(NDArray x, NDArray y) {
    int n = x.ndim();
    if (n < 2) return x;
    int[] a = new int[n], b = new int[n], m = new int[n], c = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = (i + 1) % n;
      b[i] = i;
    }
    b[0] = 1;
    b[1] = 0;
    for (int i = 0; i < n; i++) m[i] = a[b[i]];
    for (int i = 0; i < n; i++) c[m[i]] = i;
    return Np.transpose(Np.transpose(Np.transpose(x, a), b), c);
  }

  /** A shape of the given rank with dimensions 1..3, or 0 one time in eight. */
  static int[] shapeOfRank(Rand r, int rank) {
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) s[i] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(3);
    return s;
  }

  static int[] prepend(int n, int[] shape) {
    int[] r = new int[shape.length + 1];
    r[0] = n;
    System.arraycopy(shape, 0, r, 1, shape.length);
    return r;
  }

  static final double[] SPECIAL = {-0.0, 0.0, 1.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

  /** Random floats where about a quarter of the elements are -0.0, 0.0, +-1, NaN or +-inf: where inexact rewrites would show. */
  static NDArray special(Rand r, DType dt, int[] shape) {
    double[] v = r.normal(shape).toDoubleArray();
    for (int i = 0; i < v.length; i++) if (r.nextInt(4) == 0) v[i] = SPECIAL[r.nextInt(SPECIAL.length)];
    return NDArray.fromFlat(v, dt, shape);
  }

  /**
   * Traces {@code f} at {@code args}, optimizes, and checks the optimized program on {@code args} and two
   * inputs from {@code fresh}; adds the equation counts before and after to {@code totals}.
   */
  static void check(Fn f, NDArray[] args, java.util.function.Supplier<NDArray[]> fresh, String msg, int[] totals) {
    Program p = Arrax.makeJaxpr(f, args);
    Program q;
    try {
      q = Passes.optimize(p);
    } catch (RuntimeException e) {
      throw new AssertionError(msg + ": optimize fails on\n" + p, e);
    }
    try {
      IrVerifier.verify(q);
    } catch (RuntimeException e) {
      throw new AssertionError(msg + ": IrVerifier fails on the optimized program\n" + q + "\nfrom\n" + p, e);
    }
    assertTrue(q.eqns().size() <= p.eqns().size(), msg + ": more equations after optimizing\n" + p + "\n==>\n" + q);
    assertEquals(q.toText(), Passes.optimize(q).toText(), msg + ": optimize did not reach a fixed point");
    Program reparsed = Program.parse(q.toText());
    totals[0] += p.eqns().size();
    totals[1] += q.eqns().size();
    for (int trial = 0; trial < 3; trial++) {
      NDArray[] in = trial == 0 ? args : fresh.get();
      NDArray expected = p.call(in)[0];
      String where = msg + " (input " + trial + ")\n" + p + "\n==>\n" + q;
      Exact.sameBits(expected, q.call(in)[0], where);
      Exact.sameBits(expected, reparsed.call(in)[0], where + "\n(parsed from its text)");
    }
  }

  @Test
  void randomFloatProgramsAndTheirDerivativesKeepTheirResults() {
    int[] totals = new int[2];
    for (long seed = 0; seed < 80; seed++) {
      Rand r = new Rand(seed);
      DType dt = seed % 3 == 2 ? DType.FLOAT32 : DType.FLOAT64;
      int[] shape = shapeOfRank(r, (int) (seed % 4));
      int batch = 1 + r.nextInt(3);
      int[] bshape = prepend(batch, shape);
      List<String> names = new ArrayList<>();
      Fn f = compose(FLOAT_STEPS, r, names);
      Fn loss = a -> Np.sum(f.apply(a));
      String msg = r.describe() + " " + dt + Arrays.toString(shape) + " steps " + names;
      check(f, new NDArray[] {r.normal(dt, shape), r.normal(dt, shape)}, () -> new NDArray[] {special(r, dt, shape), special(r, dt, shape)}, msg + " f", totals);
      check(Arrax.grad(loss), new NDArray[] {r.normal(dt, shape), r.normal(dt, shape)},
          () -> new NDArray[] {special(r, dt, shape), special(r, dt, shape)}, msg + " grad", totals);
      check(Arrax.vmap(f), new NDArray[] {r.normal(dt, bshape), r.normal(dt, bshape)},
          () -> new NDArray[] {special(r, dt, bshape), special(r, dt, bshape)}, msg + " vmap", totals);
      check(Arrax.vmap(Arrax.grad(loss)), new NDArray[] {r.normal(dt, bshape), r.normal(dt, bshape)},
          () -> new NDArray[] {special(r, dt, bshape), special(r, dt, bshape)}, msg + " vmap(grad)", totals);
      if (seed % 5 == 0) {
        Fn second = Arrax.grad(a -> Np.sum(Arrax.grad(loss).apply(a)));
        check(second, new NDArray[] {r.normal(dt, shape), r.normal(dt, shape)},
            () -> new NDArray[] {special(r, dt, shape), special(r, dt, shape)}, msg + " grad(sum(grad))", totals);
      }
    }
    // The property above holds for the identity too; make sure the optimizer did work on these programs.
    assertTrue(totals[1] < 0.8 * totals[0], "optimization removed too little: " + totals[0] + " -> " + totals[1] + " equations");
  }

  @Test
  void randomIntegerProgramsKeepTheirResults() {
    int[] totals = new int[2];
    DType[] dtypes = {DType.INT32, DType.INT64, DType.UINT32};
    for (long seed = 100; seed < 160; seed++) {
      Rand r = new Rand(seed);
      DType dt = dtypes[(int) (seed % 3)];
      int[] shape = shapeOfRank(r, (int) (seed % 4));
      int[] bshape = prepend(2, shape);
      List<String> names = new ArrayList<>();
      Fn f = compose(INT_STEPS, r, names);
      String msg = r.describe() + " " + dt + Arrays.toString(shape) + " steps " + names;
      check(f, new NDArray[] {r.ints(-50, 50, dt, shape), r.ints(-50, 50, dt, shape)},
          () -> new NDArray[] {r.ints(-1000, 1000, dt, shape), r.ints(-1000, 1000, dt, shape)}, msg + " f", totals);
      check(Arrax.vmap(f), new NDArray[] {r.ints(-50, 50, dt, bshape), r.ints(-50, 50, dt, bshape)},
          () -> new NDArray[] {r.ints(-1000, 1000, dt, bshape), r.ints(-1000, 1000, dt, bshape)}, msg + " vmap", totals);
    }
    assertTrue(totals[1] < totals[0], "optimization removed nothing: " + totals[0] + " -> " + totals[1] + " equations");
  }
}
