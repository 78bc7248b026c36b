package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.ir.Program;
import dev.arrax.primitives.Ops;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.ProgramCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Control flow as primitives with sub-programs (issue 5): {@code Lax.cond}, {@code whileLoop},
 * {@code foriLoop}, {@code scan}. Values against plain Java loops, derivatives against finite
 * differences and pinned JAX 0.10.2 values (float64), vmap against per-example loops, printed
 * programs against their parsed text. Loops that a bug could make endless fail by the timeout instead of hanging.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ControlFlowTest {

  // ---------------------------------------------------------------------------------------------
  // Reference functions, shared by several tests.

  /** {@code sum(x) > 0 ? sin(x) * y : x^3 - y}. */
  static NDArray piecewise(NDArray x, NDArray y) {
    return Lax.cond(Np.greater(Np.sum(x), 0.0), a -> Np.sin(a[0]).mul(y), a -> Np.power(a[0], 3.0).sub(y), x);
  }

  /** An RNN cell scanned over the rows of xs: {@code h = tanh(W h + x)}, outputs every h. */
  static ScanResult rnn(NDArray w, NDArray h0, NDArray xs, boolean reverse) {
    return Lax.scan((h, x) -> {
      NDArray h2 = Np.tanh(Np.matmul(w, h).add(x));
      return new ScanBody.Step(h2, reverse ? h2.mul(x) : h2);
    }, h0, xs, reverse);
  }

  static double[] javaRnn(double[] w, double[] h0, double[] xs, int steps, int n, double[] ysOut, boolean reverse) {
    double[] h = h0.clone();
    for (int s = 0; s < steps; s++) {
      int t = reverse ? steps - 1 - s : s;
      double[] h2 = new double[n];
      for (int i = 0; i < n; i++) {
        double acc = xs[t * n + i];
        for (int j = 0; j < n; j++) acc += w[i * n + j] * h[j];
        h2[i] = Math.tanh(acc);
      }
      for (int i = 0; i < n; i++) ysOut[t * n + i] = reverse ? h2[i] * xs[t * n + i] : h2[i];
      h = h2;
    }
    return h;
  }

  static final NDArray W = NDArray.of(new double[][] {{0.5, -0.3}, {0.2, 0.1}});
  static final NDArray XS = NDArray.of(new double[][] {{1.0, 2.0}, {0.5, -1.0}, {0.3, 0.3}});
  static final NDArray H0 = NDArray.of(0.1, -0.2);

  // ---------------------------------------------------------------------------------------------
  // cond

  @Test
  void condValuesMatchJavaForEveryPredicateKind() {
    for (long seed = 0; seed < 8; seed++) {
      Rand r = new Rand(seed);
      int[] shape = r.shape(3, 4, true);
      NDArray x = r.normal(shape), y = r.normal(shape);
      double s = Np.sum(x).item();
      NDArray got = piecewise(x, y);
      double[] xv = x.toDoubleArray(), yv = y.toDoubleArray(), expected = new double[xv.length];
      for (int i = 0; i < xv.length; i++) expected[i] = s > 0 ? Math.sin(xv[i]) * yv[i] : xv[i] * xv[i] * xv[i] - yv[i];
      Check.close(expected, got, 1e-15, 0, "piecewise " + r.describe());
      assertArrayEquals(shape, got.shape(), r.describe());
    }
    NDArray x = NDArray.of(1.0, 2.0);
    Fn plus = a -> a[0].add(1.0), minus = a -> a[0].sub(1.0);
    // bool, integer and float predicates: nonzero is true
    Check.same(NDArray.of(2.0, 3.0), Lax.cond(NDArray.ofBools(true).reshape(), plus, minus, x), "bool true");
    Check.same(NDArray.of(0.0, 1.0), Lax.cond(NDArray.ofBools(false).reshape(), plus, minus, x), "bool false");
    Check.same(NDArray.of(2.0, 3.0), Lax.cond(NDArray.scalar(-3, DType.INT32), plus, minus, x), "int -3");
    Check.same(NDArray.of(0.0, 1.0), Lax.cond(NDArray.scalar(0, DType.INT64), plus, minus, x), "int 0");
    Check.same(NDArray.of(2.0, 3.0), Lax.cond(NDArray.scalar(0.25), plus, minus, x), "float 0.25");
    Check.same(NDArray.of(0.0, 1.0), Lax.cond(NDArray.scalar(-0.0), plus, minus, x), "float -0.0");
    // several operands, and none
    NDArray two = Lax.cond(NDArray.scalar(1.0), a -> a[0].mul(a[1]), a -> a[0].add(a[1]), NDArray.of(3.0), NDArray.of(4.0));
    Check.same(NDArray.of(12.0), two, "two operands");
    Check.same(NDArray.scalar(7.0), Lax.cond(NDArray.scalar(0.0), a -> NDArray.scalar(5.0), a -> NDArray.scalar(7.0)), "no operands");
  }

  @Test
  void switchCaseClampsTheIndex() {
    Fn[] branches = {a -> a[0].add(10.0), a -> a[0].mul(2.0), a -> Np.negative(a[0])};
    NDArray x = NDArray.of(1.5, -2.0);
    double[][] expected = {{11.5, 8.0}, {11.5, 8.0}, {3.0, -4.0}, {-1.5, 2.0}, {-1.5, 2.0}};
    int[] index = {-4, 0, 1, 2, 9};
    for (int k = 0; k < index.length; k++) {
      Check.same(NDArray.of(expected[k]), Lax.switchCase(NDArray.scalar(index[k], DType.INT32), branches, x), "index " + index[k]);
    }
    // vmap with a batched index picks per element
    NDArray idx = NDArray.fromFlat(new double[] {-1, 1, 2, 5, 0}, DType.INT32, 5);
    NDArray xs = new Rand(3).normal(5, 2);
    VmapCheck.check(a -> Lax.switchCase(a[0], branches, a[1]), new NDArray[] {idx, xs}, new Integer[] {0, 0}, 0, "switch vmap");
  }

  @Test
  void condEvaluatesOnlyTheChosenBranch() {
    // The other branch never terminates: evaluating it would time out.
    Fn spin = a -> Lax.whileLoop(c -> NDArray.ofBools(true).reshape(), c -> c[0].add(1.0), a[0]);
    NDArray x = NDArray.of(2.0, 3.0);
    NDArray got = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Lax.cond(NDArray.scalar(1.0), a -> a[0].mul(2.0), spin, x));
    Check.same(NDArray.of(4.0, 6.0), got, "true branch");
    NDArray jitted = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> Arrax.jit(a -> Lax.cond(Np.less(Np.sum(a[0]), 0.0), spin, b -> b[0].sub(1.0), a[0])).apply(x));
    Check.same(NDArray.of(1.0, 2.0), jitted, "false branch under jit");
  }

  @Test
  void condBranchesOfDifferentTypesFailNamingBothTypes() {
    NDArray x = NDArray.of(1.0, 2.0);
    ShapeException e = assertThrows(ShapeException.class, () -> Lax.cond(NDArray.scalar(1.0), a -> Np.sum(a[0]), a -> a[0], x));
    assertTrue(e.getMessage().startsWith("cond: the branches must return the same shapes and dtypes, but branch falseFn returns f64[2] and branch trueFn returns f64[]"),
        e.getMessage());
    ShapeException d = assertThrows(ShapeException.class, () -> Lax.cond(NDArray.scalar(1.0), a -> a[0], a -> a[0].astype(DType.FLOAT32), x));
    assertTrue(d.getMessage().contains("branch falseFn returns f32[2] and branch trueFn returns f64[2]"), d.getMessage());
    ShapeException p = assertThrows(ShapeException.class, () -> Lax.cond(NDArray.of(1.0, 0.0), a -> a[0], a -> a[0], x));
    assertTrue(p.getMessage().startsWith("cond: the predicate must be a scalar, got f64[2]"), p.getMessage());
  }

  @Test
  void condDerivativesMatchJaxAndFiniteDifferences() {
    NDArray x = NDArray.of(0.3, -0.7, 1.1), y = NDArray.of(2.0, 0.5, -1.0);
    Check.close(new double[] {0.5910404133226791, -0.3221088436188455, -0.8912073600614354}, piecewise(x, y), 1e-15, 0, "value (JAX)");
    Fn f = a -> piecewise(a[0], a[1]);
    NDArray jx = Arrax.jacrev(f).apply(x, y), jy = Arrax.jacrev(b -> piecewise(b[1], b[0])).apply(y, x);
    Check.close(new double[] {1.910672978251212, 0, 0, 0, 0.38242109364224425, 0, 0, 0, -0.4535961214255773}, jx, 1e-14, 1e-15, "d/dx (JAX)");
    Check.close(new double[] {0.29552020666133955, 0, 0, 0, -0.644217687237691, 0, 0, 0, 0.8912073600614354}, jy, 1e-14, 1e-15, "d/dy (JAX)");
    Check.close(jx, Arrax.jacfwd(f).apply(x, y), 1e-14, 1e-15, "jacfwd vs jacrev");
    boolean[] taken = new boolean[2];
    for (long seed = 0; seed < 6; seed++) {
      Rand r = new Rand(100 + seed);
      int[] shape = r.shape(2, 4);
      NDArray a = r.normal(shape), b = r.normal(shape);
      taken[Np.sum(a).item() > 0 ? 1 : 0] = true;
      // second order: jvp of jvp, jvp of vjp, vjp of vjp
      GradCheck.check(xs -> Np.sum(Np.tanh(piecewise(xs[0], xs[1]))), new NDArray[] {a, b}, 2, r, 1e-6, "cond " + r.describe());
      // a predicate that is an argument (held fixed), operands and a captured value all differentiated
      NDArray pred = NDArray.scalar(seed % 2, DType.INT32);
      GradCheck.check(xs -> Lax.cond(xs[2], o -> Np.exp(o[0]).mul(xs[1]), o -> Np.sin(o[0].mul(xs[1])), xs[0]),
          new NDArray[] {a, b, pred}, 2, r, 1e-6, "cond with a fixed predicate " + r.describe());
      // a branch returning its operand unchanged, the other a constant (zero tangent)
      GradCheck.check(xs -> Lax.cond(xs[1], o -> o[0], o -> Np.onesLike(o[0]).mul(3.0), xs[0]), new NDArray[] {a, pred}, 2, r, 1e-6,
          "identity / constant branches " + r.describe());
    }
    assertTrue(taken[0] && taken[1], "the seeds exercise both branches of piecewise");
  }

  @Test
  void condUnderVmapWithBatchedAndUnbatchedPredicates() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(200 + seed);
      int n = 1 + r.nextInt(5);
      NDArray xs = r.normal(n, 3), ys = r.normal(n, 3), y = r.normal(3);
      // batched predicate (depends on the mapped x): both branches run, select picks
      VmapCheck.check(a -> piecewise(a[0], a[1]), new NDArray[] {xs, ys}, new Integer[] {0, 0}, 1e-15, "batched pred " + r.describe());
      VmapCheck.check(a -> piecewise(a[0], a[1]), new NDArray[] {xs, y}, new Integer[] {0, null}, 1e-15, "batched pred, y shared " + r.describe());
      // unbatched predicate, batched operand
      NDArray p = NDArray.scalar(seed % 2 == 0 ? 1.0 : -1.0);
      Fn byArg = a -> Lax.cond(a[0], o -> Np.sin(o[0]).mul(a[2]), o -> o[0].mul(o[0]), a[1]);
      VmapCheck.check(byArg, new NDArray[] {p, xs, y}, new Integer[] {null, 0, null}, 1e-15, "unbatched pred " + r.describe());
      VmapCheck.check(byArg, new NDArray[] {p, y, ys}, new Integer[] {null, null, 0}, 1e-15, "unbatched pred, captured batched " + r.describe());
      // vmap of grad and grad of vmap
      VmapCheck.check(Arrax.grad(a -> Np.sum(piecewise(a[0], a[1]))), new NDArray[] {xs, ys}, new Integer[] {0, 0}, 1e-14, "vmap of grad " + r.describe());
    }
    NDArray xs = new Rand(9).normal(4, 3);
    Program batched = Arrax.makeJaxpr(Arrax.vmap(a -> piecewise(a[0], a[1])), xs, xs);
    assertFalse(batched.primitiveCounts().containsKey("cond"), "a batched predicate becomes select_n:\n" + batched);
    assertTrue(batched.primitiveCounts().containsKey("select_n"), batched.toString());
    Program unbatched = Arrax.makeJaxpr(Arrax.vmap(a -> Lax.cond(NDArray.scalar(1.0), o -> Np.sin(o[0]), o -> o[0], a[0])), xs);
    assertEquals(1, unbatched.primitiveCounts().get("cond"), "an unbatched predicate keeps the cond:\n" + unbatched);
    ProgramCheck.verify(batched, "vmap of cond");
    ProgramCheck.verify(unbatched, "vmap of cond");
  }

  @Test
  void condPrintsNestedProgramsAndRoundTrips() {
    NDArray x = NDArray.of(0.3, -0.7, 1.1), y = NDArray.of(2.0, 0.5, -1.0);
    Program p = ProgramCheck.roundTrip(a -> piecewise(a[0], a[1]), new NDArray[] {x, y}, "cond");
    assertEquals(String.join("\n",
        "{ lambda ; a:f64[3] b:f64[3] . let",
        "    c:f64[] = reduce_sum[axes=(0,)] a",
        "    d:bool[] = gt c 0.0:f64[]",
        "    e:f64[3] = cond[branches=(",
        "      { lambda ; f:f64[3] g:f64[3] . let",
        "          h:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 3.0:f64[]",
        "          i:f64[3] = pow g h",
        "          j:f64[3] = sub i f",
        "        in (j) }",
        "      { lambda ; k:f64[3] l:f64[3] . let",
        "          m:f64[3] = sin l",
        "          n:f64[3] = mul m k",
        "        in (n) }",
        "    )] d b a",
        "  in (e) }"), p.toText());
    // differentiated, batched and jitted programs with nested programs verify and round-trip too
    ProgramCheck.roundTrip(Arrax.grad(a -> Np.sum(piecewise(a[0], a[1]))), new NDArray[] {x, y}, "grad of cond");
    ProgramCheck.roundTrip(a -> Arrax.jvp(b -> piecewise(b[0], y), new NDArray[] {a[0]}, new NDArray[] {a[1]}).tangentOut(),
        new NDArray[] {x, y}, "jvp of cond");
    ProgramCheck.roundTrip(Arrax.vmap(a -> Lax.cond(NDArray.scalar(1.0), o -> Np.sin(o[0]), o -> o[0], a[0])), new NDArray[] {XS}, "vmap of cond");
    ProgramCheck.roundTrip(a -> Lax.cond(NDArray.scalar(1.0), o -> Lax.cond(o[0].sum(), q -> q[0].mul(2.0), q -> q[0], o[0]), o -> o[0], a[0]),
        new NDArray[] {x}, "nested cond");
  }

  @Test
  void condUnderJit() {
    Fn f = a -> piecewise(a[0], a[1]);
    Fn jf = Arrax.jit(f);
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(300 + seed);
      NDArray x = r.normal(4), y = r.normal(4);
      Exact.sameBits(f.apply(x, y), jf.apply(x, y), "jit of cond " + r.describe());
      Check.close(Arrax.grad(a -> Np.sum(f.apply(a))).apply(x, y), Arrax.jit(Arrax.grad(a -> Np.sum(f.apply(a)))).apply(x, y), 1e-15, 0,
          "jit of grad of cond " + r.describe());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // whileLoop

  /** Collatz steps on an INT32 carry [n, steps]. */
  static NDArray collatz(NDArray start) {
    NDArray init = Np.stack(new NDArray[] {start, Np.zeros(new int[0], DType.INT32)}, 0);
    return Lax.whileLoop(c -> Np.notEqual(Lax.indexInDim(c[0], 0, 0, false), 1.0), c -> {
      NDArray n = Lax.indexInDim(c[0], 0, 0, false), steps = Lax.indexInDim(c[0], 1, 0, false);
      NDArray one = NDArray.scalar(1, DType.INT32), two = NDArray.scalar(2, DType.INT32), three = NDArray.scalar(3, DType.INT32);
      NDArray even = Np.equal(Ops.rem(n, two), NDArray.scalar(0, DType.INT32));
      NDArray next = Np.where(even, Ops.div(n, two), n.mul(three).add(one));
      return Np.stack(new NDArray[] {next, steps.add(one)}, 0);
    }, init);
  }

  static int javaCollatz(int n) {
    int steps = 0;
    while (n != 1) {
      n = n % 2 == 0 ? n / 2 : 3 * n + 1;
      steps++;
    }
    return steps;
  }

  /** Newton's iteration for sqrt(a) from x = a until |x^2 - a| <= 1e-12 a, counting steps: carry [x, steps]. */
  static NDArray newton(NDArray a) {
    NDArray init = Np.stack(new NDArray[] {a, Np.zeros(new int[0], a.dtype())}, 0);
    return Lax.whileLoop(c -> {
      NDArray x = Lax.indexInDim(c[0], 0, 0, false);
      return Np.greater(Np.abs(x.mul(x).sub(a)), a.mul(1e-12));
    }, c -> {
      NDArray x = Lax.indexInDim(c[0], 0, 0, false), k = Lax.indexInDim(c[0], 1, 0, false);
      return Np.stack(new NDArray[] {x.add(a.div(x)).mul(0.5), k.add(1.0)}, 0);
    }, init);
  }

  static double[] javaNewton(double a) {
    double x = a;
    int k = 0;
    while (Math.abs(x * x - a) > a * 1e-12) {
      x = (x + a / x) * 0.5;
      k++;
    }
    return new double[] {x, k};
  }

  @Test
  void whileLoopValuesMatchJava() {
    for (int n : new int[] {1, 2, 6, 7, 27, 97}) {
      NDArray got = collatz(NDArray.scalar(n, DType.INT32));
      assertEquals(DType.INT32, got.dtype());
      assertArrayEquals(new long[] {1, javaCollatz(n)}, got.toLongArray(), "collatz " + n);
    }
    for (double a : new double[] {2.0, 0.5, 10.0, 1234.5}) {
      Check.same(NDArray.of(javaNewton(a)), newton(NDArray.scalar(a)), "newton " + a);
    }
    ShapeException e = assertThrows(ShapeException.class, () -> Lax.whileLoop(c -> Np.less(c[0], 3.0), c -> c[0].astype(DType.FLOAT32), NDArray.scalar(1.0)));
    assertTrue(e.getMessage().startsWith("whileLoop: the body must return the carry's shape and dtype f64[] but returns f32[]"), e.getMessage());
    ShapeException c2 = assertThrows(ShapeException.class, () -> Lax.whileLoop(c -> c[0], c -> c[0], NDArray.of(1.0, 2.0)));
    assertTrue(c2.getMessage().startsWith("whileLoop: the condition must return one scalar, got f64[2]"), c2.getMessage());
    // a condition that is false at once returns the initial carry; a numeric condition counts as nonzero
    Check.same(NDArray.of(5.0), Lax.whileLoop(c -> Np.less(Np.sum(c[0]), 0.0), c -> c[0].mul(2.0), NDArray.of(5.0)), "no iteration");
    Check.same(NDArray.scalar(0, DType.INT32), Lax.whileLoop(c -> c[0], c -> c[0].sub(NDArray.scalar(1, DType.INT32)), NDArray.scalar(9, DType.INT32)),
        "count down to 0");
  }

  @Test
  void whileLoopUnderVmapRunsEachElementToItsOwnEnd() {
    int[] starts = {1, 6, 7, 27, 2, 97, 3};
    double[] s = new double[starts.length];
    for (int i = 0; i < s.length; i++) s[i] = starts[i];
    NDArray batch = NDArray.fromFlat(s, DType.INT32, starts.length);
    NDArray got = Arrax.vmap(a -> collatz(a[0])).apply(batch);
    for (int i = 0; i < starts.length; i++) {
      assertArrayEquals(new long[] {1, javaCollatz(starts[i])}, Lax.indexInDim(got, i, 0, false).toLongArray(), "collatz " + starts[i]);
    }
    VmapCheck.check(a -> collatz(a[0]), new NDArray[] {batch}, new Integer[] {0}, 0, "collatz vmap");
    // Newton: trip counts differ per element (the number of steps is part of the carry); `a` is captured by cond and body
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(400 + seed);
      NDArray as = r.uniform(0.01, 500.0, 1 + r.nextInt(6));
      NDArray res = Arrax.vmap(a -> newton(a[0])).apply(as);
      double[] av = as.toDoubleArray();
      for (int i = 0; i < av.length; i++) {
        Check.same(NDArray.of(javaNewton(av[i])), Lax.indexInDim(res, i, 0, false), "newton row " + i + " " + r.describe());
      }
      VmapCheck.check(a -> newton(a[0]), new NDArray[] {as}, new Integer[] {0}, 0, "newton vmap " + r.describe());
    }
    // an empty batch
    NDArray empty = Arrax.vmap(a -> newton(a[0])).apply(Np.zeros(0));
    assertArrayEquals(new int[] {0, 2}, empty.shape());
  }

  @Test
  void whileLoopForwardModeMatchesJaxAndFiniteDifferences() {
    // d sqrt(a) / da = 1 / (2 sqrt a), through Newton's iteration (JAX: jvp of the same while_loop)
    Fn root = a -> Lax.indexInDim(newton(a[0]), 0, 0, false);
    Arrax.JvpResult r = Arrax.jvp(root, new NDArray[] {NDArray.scalar(2.0)}, new NDArray[] {NDArray.scalar(1.0)});
    Check.close(new double[] {1.414213562373095}, r.primalOut(), 1e-15, 0, "sqrt 2 (JAX)");
    Check.close(new double[] {0.35355339059327373}, r.tangentOut(), 1e-13, 0, "d sqrt (JAX)");
    // y = x * 1.5^n with n the first step where sum(y) >= 100: dy/dx = 1.5^n, n locally constant
    Fn grow = a -> Lax.whileLoop(c -> Np.less(Np.sum(c[0]), 100.0), c -> c[0].mul(1.5).add(Np.sin(c[0]).mul(a[1])), a[0]);
    for (long seed = 0; seed < 4; seed++) {
      Rand rng = new Rand(500 + seed);
      NDArray x = rng.uniform(0.5, 2.0, 3), c = rng.uniform(-0.1, 0.1, 3);
      GradCheck.checkJvp(grow, new NDArray[] {x, c}, GradCheck.randomTangents(new NDArray[] {x, c}, rng), 1e-6, "while jvp " + rng.describe());
      // jacfwd batches the tangents only: the predicate stays unbatched
      NDArray jac = Arrax.jacfwd(grow).apply(x, c);
      NDArray jacFd = finiteDifferenceJacobian(a -> grow.apply(a[0], c), x);
      Check.close(jacFd, jac, 1e-6, 1e-8, "jacfwd of while " + rng.describe());
      // the predicate depends on the primal only: no masking
      Program p = Arrax.makeJaxpr(Arrax.jacfwd(grow), x, c);
      ProgramCheck.verify(p, "jacfwd of while");
      assertEquals(1, p.primitiveCounts().get("while"), p.toString());
      assertFalse(p.toString().contains("select_n"), "an unbatched predicate needs no masking:\n" + p);
      // a tangent only through the captured constant
      GradCheck.checkJvp(a -> grow.apply(x, a[0]), new NDArray[] {c}, new NDArray[] {rng.normal(3)}, 1e-6, "while jvp wrt captured " + rng.describe());
    }
  }

  @Test
  void whileLoopReverseModeIsAClearError() {
    String expected = "reverse-mode differentiation of whileLoop with a dynamic trip count is not supported; use foriLoop with static bounds or scan";
    Fn f = a -> Np.sum(Np.sin(Lax.whileLoop(c -> Np.less(Np.sum(c[0]), 10.0), c -> c[0].mul(2.0), a[0])));
    NDArray x = NDArray.of(1.0, 2.0);
    assertEquals(expected, assertThrows(ArraxException.class, () -> Arrax.grad(f).apply(x)).getMessage());
    assertEquals(expected, assertThrows(ArraxException.class, () -> Arrax.vjp(f, x)).getMessage());
    assertEquals(expected, assertThrows(ArraxException.class, () -> Arrax.jit(Arrax.grad(f)).apply(x)).getMessage());
    // inside a cond branch the error comes from transposing the branch
    Fn g = a -> Np.sum(Lax.cond(NDArray.scalar(1.0), o -> Lax.whileLoop(c -> Np.less(Np.sum(c[0]), 10.0), c -> c[0].mul(2.0), o[0]), o -> o[0], a[0]));
    assertEquals(expected, assertThrows(ArraxException.class, () -> Arrax.grad(g).apply(x)).getMessage());
    // a loop that does not depend on the differentiated input is fine
    Fn h = a -> Np.sum(a[0].mul(Lax.whileLoop(c -> Np.less(c[0], 10.0), c -> c[0].mul(2.0), NDArray.scalar(1.0))));
    Check.same(NDArray.of(16.0, 16.0), Arrax.grad(h).apply(x), "gradient through a constant loop");
  }

  @Test
  void whileLoopUnderJitAndPrinted() {
    Fn f = a -> newton(a[0]);
    Fn jf = Arrax.jit(f);
    for (double a : new double[] {2.0, 77.0}) Exact.sameBits(f.apply(NDArray.scalar(a)), jf.apply(NDArray.scalar(a)), "jit of while " + a);
    Exact.sameBits(Arrax.vmap(f).apply(NDArray.of(2.0, 77.0, 0.1)), Arrax.jit(Arrax.vmap(f)).apply(NDArray.of(2.0, 77.0, 0.1)), "jit of vmap of while");
    Program p = ProgramCheck.roundTrip(f, new NDArray[] {NDArray.scalar(3.0)}, "while");
    assertEquals(1, p.primitiveCounts().get("while"));
    ProgramCheck.roundTrip(a -> collatz(a[0]), new NDArray[] {NDArray.scalar(27, DType.INT32)}, "collatz");
    ProgramCheck.roundTrip(Arrax.vmap(f), new NDArray[] {NDArray.of(2.0, 77.0)}, "vmap of while");
    ProgramCheck.roundTrip(a -> Arrax.jvp(f, new NDArray[] {a[0]}, new NDArray[] {a[1]}).tangentOut(),
        new NDArray[] {NDArray.scalar(3.0), NDArray.scalar(1.0)}, "jvp of while");
  }

  // ---------------------------------------------------------------------------------------------
  // foriLoop

  @Test
  void foriLoopValuesMatchJava() {
    Rand r = new Rand(600);
    NDArray x = r.normal(4);
    LoopBody body = (i, c) -> c.mul(Np.sin(c.add(i.astype(DType.FLOAT64))));
    for (int[] bounds : new int[][] {{0, 5}, {2, 7}, {-3, 1}, {4, 4}, {5, 2}}) {
      double[] v = x.toDoubleArray();
      for (int i = bounds[0]; i < bounds[1]; i++) for (int k = 0; k < v.length; k++) v[k] = v[k] * Math.sin(v[k] + i);
      Check.close(v, Lax.foriLoop(bounds[0], bounds[1], body, x), 1e-15, 0, "fori " + bounds[0] + ".." + bounds[1]);
    }
    ShapeException e = assertThrows(ShapeException.class, () -> Lax.foriLoop(0, 3, (i, c) -> Np.sum(c), x));
    assertTrue(e.getMessage().startsWith("foriLoop: the body must return the carry's shape and dtype f64[4] but returns f64[]"), e.getMessage());
    // i is an INT32 scalar
    AtomicInteger seen = new AtomicInteger();
    Lax.foriLoop(0, 3, (i, c) -> {
      assertEquals(DType.INT32, i.dtype());
      assertEquals(0, i.ndim());
      seen.incrementAndGet();
      return c;
    }, x);
    assertEquals(1, seen.get(), "the body is traced once, not run per iteration");
  }

  @Test
  void foriLoopDerivativesBothModes() {
    Fn f = a -> Np.sum(Lax.foriLoop(0, 5, (i, c) -> c.mul(Np.sin(c.add(i.astype(DType.FLOAT64)))), a[0]));
    NDArray x = NDArray.of(0.3, -0.7, 1.1);
    Check.close(new double[] {0.03824693046307811}, f.apply(x), 1e-14, 0, "value (JAX)");
    Check.close(new double[] {-0.001525359403862463, -0.1092797406214943, -0.09869551402304277}, Arrax.grad(f).apply(x), 1e-13, 1e-16, "grad (JAX)");
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(700 + seed);
      NDArray a = r.normal(r.shape(2, 3)), w = r.normal(a.shape());
      GradCheck.check(xs -> Lax.foriLoop(1, 4, (i, c) -> Np.tanh(c.mul(xs[1]).add(i.astype(DType.FLOAT64).mul(0.1))), xs[0]),
          new NDArray[] {a, w}, 2, r, 1e-6, "fori " + r.describe());
    }
    // zero iterations: the identity
    Check.same(NDArray.of(1.0, 1.0), Arrax.grad(a -> Np.sum(Lax.foriLoop(3, 3, (i, c) -> c.mul(c), a[0]))).apply(NDArray.of(2.0, 5.0)), "empty loop");
  }

  @Test
  void foriLoopUnderVmapAndJit() {
    for (long seed = 0; seed < 3; seed++) {
      Rand r = new Rand(800 + seed);
      NDArray xs = r.normal(1 + r.nextInt(4), 3), w = r.normal(3);
      Fn f = a -> Lax.foriLoop(0, 3, (i, c) -> Np.sin(c.mul(a[1])).add(c), a[0]);
      VmapCheck.check(f, new NDArray[] {xs, w}, new Integer[] {0, null}, 1e-15, "fori vmap carry " + r.describe());
      VmapCheck.check(f, new NDArray[] {w, xs}, new Integer[] {null, 0}, 1e-15, "fori vmap captured " + r.describe());
      Exact.sameBits(f.apply(w, w), Arrax.jit(f).apply(w, w), "fori jit " + r.describe());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // scan

  @Test
  void scanValuesMatchJava() {
    for (long seed = 0; seed < 6; seed++) {
      Rand r = new Rand(900 + seed);
      int n = 1 + r.nextInt(3), steps = r.nextInt(5);
      NDArray w = r.normal(n, n), h0 = r.normal(n), xs = r.normal(steps, n);
      for (boolean reverse : new boolean[] {false, true}) {
        double[] ys = new double[steps * n];
        double[] hT = javaRnn(w.toDoubleArray(), h0.toDoubleArray(), xs.toDoubleArray(), steps, n, ys, reverse);
        ScanResult got = rnn(w, h0, xs, reverse);
        Check.close(hT, got.carry(), 1e-14, 1e-15, "carry reverse=" + reverse + " " + r.describe());
        Check.close(ys, got.ys(), 1e-14, 1e-15, "ys reverse=" + reverse + " " + r.describe());
        assertArrayEquals(new int[] {steps, n}, got.ys().shape(), r.describe());
      }
    }
    // running sum with an integer carry and a scalar output per step
    ScanResult cum = Lax.scan((c, x) -> new ScanBody.Step(c.add(x), Np.sum(c)), NDArray.scalar(0, DType.INT64).astype(DType.INT32),
        NDArray.fromFlat(new double[] {3, 1, 4, 1, 5}, DType.INT32, 5));
    assertArrayEquals(new long[] {14}, cum.carry().toLongArray());
    assertArrayEquals(new long[] {0, 3, 4, 8, 9}, cum.ys().toLongArray());
    ShapeException e = assertThrows(ShapeException.class, () -> Lax.scan((c, x) -> new ScanBody.Step(Np.sum(c), c), NDArray.of(1.0, 2.0), XS));
    assertTrue(e.getMessage().startsWith("scan: the body must return a new carry of the carry's shape and dtype f64[2] but returns f64[]"), e.getMessage());
  }

  @Test
  void scanGradientsMatchJax() {
    Fn loss = a -> {
      ScanResult s = rnn(a[0], a[1], a[2], false);
      return Np.sum(Np.square(s.ys())).add(Np.sum(s.carry()));
    };
    Check.close(new double[] {3.770994185382244}, loss.apply(W, H0, XS), 1e-14, 0, "rnn value (JAX)");
    NDArray[] g = Arrax.valueAndGrad(loss, 0, 1, 2).apply(W, H0, XS);
    Check.close(new double[] {1.9707751546153105, 0.3948733970628288, 0.0848993942719957, -1.8341597638240925}, g[1], 1e-13, 1e-15, "dW (JAX)");
    Check.close(new double[] {0.39949981287864683, -0.21788945375252447}, g[2], 1e-13, 1e-15, "dh0 (JAX)");
    Check.close(new double[] {0.7593442912579053, 0.09913833624847104, 1.4452073063629371, -0.9127741549424616, 1.3418584323900953, 1.4812239161429437},
        g[3], 1e-13, 1e-15, "dxs (JAX)");
    Fn lossRev = a -> {
      ScanResult s = rnn(a[0], a[1], a[2], true);
      return Np.sum(s.ys()).add(Np.sum(Np.square(s.carry())));
    };
    Check.close(new double[] {5.771829477645029}, lossRev.apply(W, H0, XS), 1e-14, 0, "reverse rnn value (JAX)");
    NDArray[] gr = Arrax.valueAndGrad(lossRev, 0, 1, 2).apply(W, H0, XS);
    Check.close(new double[] {0.5455376781422789, -0.28504912300056023, -0.06912190225457457, -0.3595766920222678}, gr[1], 1e-13, 1e-15, "reverse dW (JAX)");
    Check.close(new double[] {0.21518332315660946, -0.1145513405412927}, gr[2], 1e-13, 1e-15, "reverse dh0 (JAX)");
    Check.close(new double[] {1.4232882699205032, 1.2252343792916036, 1.115589170945718, -1.2687690855749827, 0.7923690477062382, 0.35748830950919525},
        gr[3], 1e-13, 1e-15, "reverse dxs (JAX)");
  }

  @Test
  void scanDerivativesBothModesToSecondOrder() {
    for (long seed = 0; seed < 5; seed++) {
      Rand r = new Rand(1000 + seed);
      int n = 1 + r.nextInt(3), steps = r.nextInt(4);
      NDArray w = r.normal(n, n).mul(0.5), h0 = r.normal(n), xs = r.normal(steps, n);
      boolean reverse = seed % 2 == 1;
      GradCheck.check(a -> {
        ScanResult s = rnn(a[0], a[1], a[2], reverse);
        return Np.concatenate(new NDArray[] {Np.reshape(s.ys(), -1), s.carry()}, 0);
      }, new NDArray[] {w, h0, xs}, 2, r, 1e-6, "rnn scan reverse=" + reverse + " " + r.describe());
      // an integer carry alongside (no tangent) and a scalar per-step output
      GradCheck.check(a -> Lax.scan((c, x) -> new ScanBody.Step(c.mul(Np.cos(x)).add(x), Np.sum(c.mul(x))), a[0], a[1]).ys(),
          new NDArray[] {h0, xs}, 2, r, 1e-6, "scalar ys " + r.describe());
    }
  }

  @Test
  void scanUnderVmap() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(1100 + seed);
      int b = 1 + r.nextInt(4), n = 2, steps = 1 + r.nextInt(3);
      NDArray ws = r.normal(b, n, n), h0s = r.normal(b, n), xss = r.normal(b, steps, n);
      Fn ys = a -> rnn(a[0], a[1], a[2], false).ys();
      boolean reverse = seed % 2 == 1;
      Fn carry = a -> rnn(a[0], a[1], a[2], reverse).carry();
      VmapCheck.check(ys, new NDArray[] {ws, h0s, xss}, new Integer[] {0, 0, 0}, 1e-14, "all batched " + r.describe());
      VmapCheck.check(ys, new NDArray[] {W, h0s, XS}, new Integer[] {null, 0, null}, 1e-14, "init batched " + r.describe());
      VmapCheck.check(carry, new NDArray[] {ws, H0, XS}, new Integer[] {0, null, null}, 1e-14, "captured const batched " + r.describe());
      // xs batched along its second axis
      NDArray xsT = r.normal(3, b, n);
      VmapCheck.check(ys, new NDArray[] {W, H0, xsT}, new Integer[] {null, null, 1}, 1e-14, "xs batched on axis 1 " + r.describe());
      // per-example gradients
      Fn lossGrad = Arrax.grad(a -> Np.sum(rnn(a[0], a[1], a[2], false).ys()));
      VmapCheck.check(lossGrad, new NDArray[] {W, h0s, xss}, new Integer[] {null, 0, 0}, 1e-13, "vmap of grad " + r.describe());
    }
    // an output that does not depend on the batch stays unbatched inside the scan
    Program p = Arrax.makeJaxpr(Arrax.vmapOut(a -> Lax.scan((c, x) -> new ScanBody.Step(c.add(x), Np.sum(c)), a[0], XS).ys(), 0, 0),
        Np.zeros(4, 2));
    ProgramCheck.verify(p, "vmap of scan");
  }

  @Test
  void scanUnderJitAndPrinted() {
    Fn f = a -> rnn(a[0], a[1], a[2], false).ys();
    Exact.sameBits(f.apply(W, H0, XS), Arrax.jit(f).apply(W, H0, XS), "jit of scan");
    Fn g = Arrax.grad(a -> Np.sum(rnn(a[0], a[1], a[2], false).ys()), 0);
    Check.close(g.apply(W, H0, XS), Arrax.jit(g).apply(W, H0, XS), 1e-15, 0, "jit of grad of scan");
    Program p = ProgramCheck.roundTrip(f, new NDArray[] {W, H0, XS}, "scan");
    assertEquals(1, p.primitiveCounts().get("scan"));
    assertTrue(p.toText().contains("scan[reverse=false length=3 num_consts=1 num_carry=1 jaxpr={ lambda ;"), p.toText());
    Program grad = ProgramCheck.roundTrip(g, new NDArray[] {W, H0, XS}, "grad of scan");
    assertEquals(2, grad.primitiveCounts().get("scan"), "forward scan and its transpose:\n" + grad);
    assertTrue(grad.toText().contains("scan[reverse=true"), grad.toText());
    ProgramCheck.roundTrip(a -> Lax.foriLoop(0, 3, (i, c) -> c.mul(2.0).add(i.astype(DType.FLOAT64)), a[0]), new NDArray[] {H0}, "fori");
  }

  @Test
  void emptyScanReturnsTheInitialCarry() {
    NDArray h0 = NDArray.of(0.5, -1.0), xs = Np.zeros(0, 2);
    ScanResult s = rnn(W, h0, xs, false);
    Check.same(h0, s.carry(), "carry");
    assertArrayEquals(new int[] {0, 2}, s.ys().shape());
    NDArray[] g = Arrax.valueAndGrad(a -> Np.sum(rnn(a[0], a[1], a[2], false).carry()), 0, 1, 2).apply(W, h0, xs);
    Check.same(Np.zeros(2, 2), g[1], "dW");
    Check.same(NDArray.of(1.0, 1.0), g[2], "dh0");
    assertArrayEquals(new int[] {0, 2}, g[3].shape());
  }

  // ---------------------------------------------------------------------------------------------
  // composition and the IR

  /** A scan whose step branches on the data and runs a fixed inner loop. */
  static NDArray nested(NDArray w, NDArray h0, NDArray xs) {
    return Lax.scan((h, x) -> {
      NDArray pre = Np.matmul(w, h).add(x);
      NDArray h2 = Lax.cond(Np.greater(Np.sum(pre), 0.0), o -> Np.tanh(o[0]), o -> Lax.foriLoop(0, 2, (i, q) -> Np.sin(q).mul(0.9), o[0]), pre);
      return new ScanBody.Step(h2, Np.sum(h2.mul(h)));
    }, h0, xs).ys();
  }

  static double[] javaNested(double[] w, double[] h0, double[] xs, int steps, int n) {
    double[] h = h0.clone(), ys = new double[steps];
    for (int t = 0; t < steps; t++) {
      double[] pre = new double[n];
      double s = 0;
      for (int i = 0; i < n; i++) {
        pre[i] = xs[t * n + i];
        for (int j = 0; j < n; j++) pre[i] += w[i * n + j] * h[j];
        s += pre[i];
      }
      double[] h2 = new double[n];
      for (int i = 0; i < n; i++) {
        if (s > 0) {
          h2[i] = Math.tanh(pre[i]);
        } else {
          h2[i] = pre[i];
          for (int k = 0; k < 2; k++) h2[i] = Math.sin(h2[i]) * 0.9;
        }
        ys[t] += h2[i] * h[i];
      }
      h = h2;
    }
    return ys;
  }

  @Test
  void nestedControlFlowComposes() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(1200 + seed);
      int n = 2, steps = 2 + r.nextInt(3);
      NDArray w = r.normal(n, n), h0 = r.normal(n), xs = r.normal(steps, n);
      Check.close(javaNested(w.toDoubleArray(), h0.toDoubleArray(), xs.toDoubleArray(), steps, n), nested(w, h0, xs), 1e-14, 1e-15,
          "scan(cond(foriLoop)) " + r.describe());
      GradCheck.check(a -> nested(a[0], a[1], a[2]), new NDArray[] {w, h0, xs}, 2, r, 1e-6, "nested " + r.describe());
      NDArray h0s = r.normal(3, n), xss = r.normal(3, steps, n);
      VmapCheck.check(a -> nested(a[0], a[1], a[2]), new NDArray[] {w, h0s, xss}, new Integer[] {null, 0, 0}, 1e-14, "vmap nested " + r.describe());
      Exact.sameBits(nested(w, h0, xs), Arrax.jit(a -> nested(a[0], a[1], a[2])).apply(w, h0, xs), "jit nested " + r.describe());
    }
    NDArray w = new Rand(5).normal(2, 2);
    ProgramCheck.roundTrip(a -> nested(w, a[0], a[1]), new NDArray[] {H0, XS}, "nested program");
    ProgramCheck.roundTrip(Arrax.grad(a -> Np.sum(nested(w, a[0], a[1]))), new NDArray[] {H0, XS}, "grad of nested program");
  }

  @Test
  void irVerifierChecksSubPrograms() throws Exception {
    // a branch whose equation declares the wrong output type, in a cond whose own signature is consistent
    dev.arrax.ir.Var a = new dev.arrax.ir.Var(dev.arrax.core.ArrayType.of(DType.FLOAT64, 3));
    dev.arrax.ir.Var b = new dev.arrax.ir.Var(dev.arrax.core.ArrayType.of(DType.FLOAT32, 3));
    Program bad = new Program(java.util.List.of(a), java.util.List.of(), java.util.List.of(),
        java.util.List.of(new dev.arrax.ir.Eqn(dev.arrax.primitives.Primitives.SIN, dev.arrax.core.Params.None.INSTANCE, java.util.List.of(a), java.util.List.of(b))),
        java.util.List.of(b));
    dev.arrax.core.Primitive<?> cond = dev.arrax.primitives.Primitives.byName("cond");
    var ctor = cond.paramsType().getDeclaredConstructor(Program[].class);
    ctor.setAccessible(true);
    dev.arrax.core.Params params = ctor.newInstance((Object) new Program[] {bad, bad});
    dev.arrax.ir.Var pred = new dev.arrax.ir.Var(dev.arrax.core.ArrayType.of(DType.BOOL));
    dev.arrax.ir.Var x = new dev.arrax.ir.Var(dev.arrax.core.ArrayType.of(DType.FLOAT64, 3));
    dev.arrax.ir.Var out = new dev.arrax.ir.Var(dev.arrax.core.ArrayType.of(DType.FLOAT32, 3));
    Program outer = new Program(java.util.List.of(pred, x), java.util.List.of(), java.util.List.of(),
        java.util.List.of(new dev.arrax.ir.Eqn(cond, params, java.util.List.of(pred, x), java.util.List.of(out))), java.util.List.of(out));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> dev.arrax.ir.IrVerifier.verify(outer));
    assertTrue(e.getMessage().startsWith("IR: in sub-program 'branches[0]' of cond: IR: sin[] output 0 declared f32[3] but the rule gives f64[3]"),
        e.getMessage());
    // a parsed program whose nested program reads an unknown variable names it
    String text = Arrax.makeJaxpr(a2 -> piecewise(a2[0], a2[1]), XS, XS).toText().replace("m:f64[3,2] = sin l", "m:f64[3,2] = sin zz");
    IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> Program.parse(text));
    assertTrue(p.getMessage().contains("unknown variable 'zz'"), p.getMessage());
    // operands that do not fit the branches are rejected by the shape rule when parsing
    String missing = Arrax.makeJaxpr(a2 -> piecewise(a2[0], a2[1]), XS, XS).toText().replace(")] d b a", ")] d a");
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> Program.parse(missing));
    assertTrue(m.getMessage().contains("cond: branch 0 takes [f64[3,2], f64[3,2]] but the operands are [f64[3,2]]"), m.getMessage());
  }

  @Test
  void programsWithSubProgramsSerialize() throws Exception {
    Program p = Arrax.makeJaxpr(Arrax.grad(a -> Np.sum(rnn(a[0], a[1], a[2], false).ys())), W, H0, XS);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    Program q;
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      q = (Program) in.readObject();
    }
    assertEquals(p.toText(), q.toText());
    Exact.sameBits(p.call(W, H0, XS)[0], q.call(W, H0, XS)[0], "deserialized gradient program");
  }

  // ---------------------------------------------------------------------------------------------
  // plain Java loops

  @Test
  void javaLoopsOverStaticRangesUnrollAtTraceTime() {
    Fn f = a -> {
      NDArray x = a[0];
      for (int i = 0; i < 3; i++) x = Np.sin(x).add((double) i);
      return x;
    };
    NDArray x = NDArray.of(0.2, -1.0);
    Program p = Arrax.makeJaxpr(f, x);
    assertEquals(3, p.primitiveCounts().get("sin"), p.toString());
    assertFalse(p.primitiveCounts().containsKey("scan"), p.toString());
    double[] v = x.toDoubleArray();
    for (int i = 0; i < 3; i++) for (int k = 0; k < v.length; k++) v[k] = Math.sin(v[k]) + i;
    Check.close(v, Arrax.jit(f).apply(x), 1e-15, 0, "unrolled under jit");
    GradCheck.check(f, new NDArray[] {x}, 2, new Rand(1), 1e-6, "unrolled");
  }

  // ---------------------------------------------------------------------------------------------

  /** Central differences of f (one array in, one out) with respect to each input element: shape out.shape + in.shape. */
  static NDArray finiteDifferenceJacobian(Fn f, NDArray x) {
    double[] x0 = x.toDoubleArray();
    double eps = 1e-6;
    int outSize = f.apply(x).size();
    double[] jac = new double[outSize * x0.length];
    for (int k = 0; k < x0.length; k++) {
      double[] p = x0.clone(), m = x0.clone();
      p[k] += eps;
      m[k] -= eps;
      double[] fp = f.apply(NDArray.fromFlat(p, x.shape())).toDoubleArray(), fm = f.apply(NDArray.fromFlat(m, x.shape())).toDoubleArray();
      for (int o = 0; o < outSize; o++) jac[o * x0.length + k] = (fp[o] - fm[o]) / (2 * eps);
    }
    int[] outShape = f.apply(x).shape();
    int[] shape = new int[outShape.length + x.ndim()];
    System.arraycopy(outShape, 0, shape, 0, outShape.length);
    System.arraycopy(x.shape(), 0, shape, outShape.length, x.ndim());
    return NDArray.fromFlat(jac, shape);
  }
}
