package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.Rand;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The compiled program equals the reference interpreter: bitwise for integer and f64 scalar kernels, 1e-5 in f32. */
class CompiledProgramTest {

  private static void assertSameAsInterpreter(Program p, NDArray[] args, String msg) {
    NDArray[] expected = p.call(args);
    NDArray[] actual = CompiledProgram.compile(p).run(args);
    assertEquals(expected.length, actual.length, msg);
    for (int i = 0; i < expected.length; i++) {
      DType d = expected[i].dtype();
      double tol = d == DType.FLOAT32 ? 1e-5 : d == DType.FLOAT64 ? 1e-12 : 0;
      // sums in a different order differ by rounding relative to the largest terms, not to each (cancelled) result
      double scale = 1;
      for (double v : expected[i].toDoubleArray()) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      Check.close(expected[i], actual[i], tol, tol * scale, msg + " output " + i);
    }
  }

  @SuppressWarnings("unchecked")
  private static final UnaryOperator<NDArray>[] UNARY = new UnaryOperator[] {
      (UnaryOperator<NDArray>) Np::tanh, (UnaryOperator<NDArray>) Np::exp, (UnaryOperator<NDArray>) x -> Np.log(Np.abs(x).add(0.5)),
      (UnaryOperator<NDArray>) Nn::sigmoid, (UnaryOperator<NDArray>) Np::sin, (UnaryOperator<NDArray>) Np::cos,
      (UnaryOperator<NDArray>) x -> Np.sqrt(Np.abs(x)), (UnaryOperator<NDArray>) Np::negative, (UnaryOperator<NDArray>) Np::abs,
      (UnaryOperator<NDArray>) x -> Np.log1p(Np.abs(x)), (UnaryOperator<NDArray>) Np::expm1, (UnaryOperator<NDArray>) x -> Lax.erf(x),
      (UnaryOperator<NDArray>) Nn::relu, (UnaryOperator<NDArray>) Nn::softplus, (UnaryOperator<NDArray>) Np::floor,
      (UnaryOperator<NDArray>) Np::sign, (UnaryOperator<NDArray>) x -> Np.where(Np.greater(x, 0.1), x, Np.multiply(x, 3.0))};

  @SuppressWarnings("unchecked")
  private static final BinaryOperator<NDArray>[] BINARY = new BinaryOperator[] {
      (BinaryOperator<NDArray>) Np::add, (BinaryOperator<NDArray>) Np::subtract, (BinaryOperator<NDArray>) Np::multiply,
      (BinaryOperator<NDArray>) (a, b) -> Np.divide(a, Np.add(Np.abs(b), 1.0)), (BinaryOperator<NDArray>) Np::maximum,
      (BinaryOperator<NDArray>) Np::minimum, (BinaryOperator<NDArray>) (a, b) -> Np.where(Np.less(a, b), a, b),
      (BinaryOperator<NDArray>) Np::logaddexp, (BinaryOperator<NDArray>) (a, b) -> Np.power(Np.abs(a).add(0.1), b)};

  /** A random expression over rows of x [n, m] and a broadcast row w [m], ending in per-row reductions. */
  private static Fn randomRowProgram(Rand r) {
    int depth = 2 + r.nextInt(5);
    int[] ops = new int[depth * 2];
    for (int i = 0; i < ops.length; i++) ops[i] = r.nextInt(100);
    return xs -> {
      List<NDArray> vals = new ArrayList<>(List.of(xs[0], Np.broadcastTo(xs[1], xs[0].shape())));
      for (int i = 0; i < depth; i++) {
        NDArray a = vals.get(ops[2 * i] % vals.size()), b = vals.get(ops[2 * i + 1] % vals.size());
        vals.add(ops[2 * i] % 2 == 0 ? UNARY[ops[2 * i + 1] % UNARY.length].apply(a) : BINARY[ops[2 * i + 1] % BINARY.length].apply(a, b));
      }
      NDArray last = vals.get(vals.size() - 1);
      NDArray rowSum = Np.sum(last, -1, true), rowMax = Np.max(last, -1, true);
      return Np.add(Np.multiply(last, rowSum), Np.subtract(last, rowMax));
    };
  }

  @Test
  void randomFusedProgramsMatchTheInterpreter() {
    for (long seed = 0; seed < 40; seed++) {
      Rand r = new Rand(seed);
      DType d = seed % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
      int n = 1 + r.nextInt(40), m = 1 + r.nextInt(70);
      NDArray x = r.normal(d, n, m), w = r.normal(d, m);
      Fn f = randomRowProgram(r);
      Program p = Arrax.makeJaxpr(f, x, w);
      assertSameAsInterpreter(p, new NDArray[] {x, w}, "random program " + r.describe() + " " + d + "\n" + p);
      Program g = Arrax.makeJaxpr(Arrax.grad(a -> Np.sum(f.apply(a[0], a[1]))), x, w);
      assertSameAsInterpreter(g, new NDArray[] {x, w}, "its gradient " + r.describe() + " " + d);
      Program v = Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(a -> Np.sum(f.apply(a[0], a[1]))), 0, null), x, w);
      assertSameAsInterpreter(v, new NDArray[] {x, w}, "vmap of its gradient " + r.describe() + " " + d);
    }
  }

  @Test
  void everyPrimitiveFamilyRunsCompiled() {
    Rand r = new Rand(99);
    NDArray x = r.normal(4, 5), y = r.normal(5, 3), i = r.ints(-5, 5, DType.INT32, 4, 5);
    List<Fn> fns = List.of(
        a -> Np.matmul(a[0], a[1]),
        a -> Lax.dotGeneral(a[0], a[1], new int[] {1}, new int[] {0}),
        a -> Np.matmul(Np.transpose(a[1]), Np.transpose(a[0])),
        a -> Np.sum(a[0], 0),
        a -> Np.cumsum(a[0], 1),
        a -> Np.concatenate(new NDArray[] {a[0], Np.transpose(a[1])}, 0),
        a -> Lax.sliceInDim(a[0], 1, 4, 2, 1),
        a -> Np.argmax(a[0], 1).astype(DType.FLOAT64),
        a -> Np.prod(a[0], 1),
        a -> Nn.softmax(a[0], 0),
        a -> a[0].at(2).set(7.0));
    for (int k = 0; k < fns.size(); k++) {
      Program p = Arrax.makeJaxpr(fns.get(k), x, y);
      assertSameAsInterpreter(p, new NDArray[] {x, y}, "function " + k + "\n" + p);
      Program p32 = Arrax.makeJaxpr(fns.get(k), x.astype(DType.FLOAT32), y.astype(DType.FLOAT32));
      assertSameAsInterpreter(p32, new NDArray[] {x.astype(DType.FLOAT32), y.astype(DType.FLOAT32)}, "f32 function " + k);
    }
    Program ints = Arrax.makeJaxpr(a -> Np.add(Np.multiply(a[0], a[0]), Np.sum(a[0], 1, true)), i);
    assertSameAsInterpreter(ints, new NDArray[] {i}, "integer program (interpreted, bitwise)");
  }

  @Test
  void everyFusableOperationMatchesTheInterpreterInBothCodePaths() {
    Rand r = new Rand(17);
    List<String> names = new ArrayList<>();
    List<java.util.function.Function<NDArray[], NDArray>> ops = new ArrayList<>();
    java.util.function.BiConsumer<String, java.util.function.Function<NDArray[], NDArray>> op = (n, f) -> {
      names.add(n);
      ops.add(f);
    };
    op.accept("add", a -> dev.arrax.primitives.Ops.add(a[0], a[1]));
    op.accept("sub", a -> dev.arrax.primitives.Ops.sub(a[0], a[1]));
    op.accept("mul", a -> dev.arrax.primitives.Ops.mul(a[0], a[1]));
    op.accept("div", a -> dev.arrax.primitives.Ops.div(a[0], a[1]));
    op.accept("max", a -> dev.arrax.primitives.Ops.max(a[0], a[1]));
    op.accept("min", a -> dev.arrax.primitives.Ops.min(a[0], a[1]));
    op.accept("pow", a -> dev.arrax.primitives.Ops.pow(Np.abs(a[0]), a[1]));
    op.accept("neg", a -> dev.arrax.primitives.Ops.neg(a[0]));
    for (String u : List.of("exp", "log", "log1p", "expm1", "tanh", "logistic", "sin", "cos", "tan", "sqrt", "abs", "sign", "floor", "ceil", "erf")) {
      op.accept(u, a -> {
        NDArray x = List.of("log", "sqrt").contains(u) ? Np.abs(a[0]) : u.equals("log1p") ? Np.add(Np.abs(a[0]), -0.5) : a[0];
        return switch (u) {
          case "exp" -> dev.arrax.primitives.Ops.exp(x);
          case "log" -> dev.arrax.primitives.Ops.log(x);
          case "log1p" -> dev.arrax.primitives.Ops.log1p(x);
          case "expm1" -> dev.arrax.primitives.Ops.expm1(x);
          case "tanh" -> dev.arrax.primitives.Ops.tanh(x);
          case "logistic" -> dev.arrax.primitives.Ops.logistic(x);
          case "sin" -> dev.arrax.primitives.Ops.sin(x);
          case "cos" -> dev.arrax.primitives.Ops.cos(x);
          case "tan" -> dev.arrax.primitives.Ops.tan(x);
          case "sqrt" -> dev.arrax.primitives.Ops.sqrt(x);
          case "abs" -> dev.arrax.primitives.Ops.abs(x);
          case "sign" -> dev.arrax.primitives.Ops.sign(x);
          case "floor" -> dev.arrax.primitives.Ops.floor(x);
          case "ceil" -> dev.arrax.primitives.Ops.ceil(x);
          default -> dev.arrax.primitives.Ops.erf(x);
        };
      });
    }
    for (String c : List.of("eq", "ne", "lt", "le", "gt", "ge")) {
      op.accept(c + "+select", a -> {
        NDArray m = switch (c) {
          case "eq" -> dev.arrax.primitives.Ops.eq(a[0], Np.floor(a[1]));
          case "ne" -> dev.arrax.primitives.Ops.ne(a[0], a[1]);
          case "lt" -> dev.arrax.primitives.Ops.lt(a[0], a[1]);
          case "le" -> dev.arrax.primitives.Ops.le(a[0], a[1]);
          case "gt" -> dev.arrax.primitives.Ops.gt(a[0], a[1]);
          default -> dev.arrax.primitives.Ops.ge(a[0], a[1]);
        };
        return dev.arrax.primitives.Ops.select(m, a[0], a[1]);
      });
    }
    op.accept("and/or/not", a -> dev.arrax.primitives.Ops.convert(dev.arrax.primitives.Ops.or(dev.arrax.primitives.Ops.and(
        dev.arrax.primitives.Ops.gt(a[0], a[1]), dev.arrax.primitives.Ops.not(dev.arrax.primitives.Ops.isFinite(Np.log(a[0]))) ),
        dev.arrax.primitives.Ops.lt(a[1], a[0].mul(0.5))), a[0].dtype()));
    // max/min of bool operands are or/and (false < true), fused with float work around them.
    op.accept("bool max/min", a -> {
      NDArray p = dev.arrax.primitives.Ops.gt(a[0], a[1]), q = dev.arrax.primitives.Ops.lt(a[0], Np.floor(a[1]));
      NDArray any = dev.arrax.primitives.Ops.max(p, q), both = dev.arrax.primitives.Ops.min(p, q);
      return Np.add(dev.arrax.primitives.Ops.convert(any, a[0].dtype()), dev.arrax.primitives.Ops.convert(both, a[0].dtype()).mul(2.0));
    });
    op.accept("reductions", a -> Np.add(Np.add(Np.sum(a[0], -1), Np.max(a[1], -1)), Np.min(a[0], -1)));
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      NDArray x = r.normal(d, 7, 37).mul(3.0), y = r.normal(d, 7, 37);
      for (int k = 0; k < ops.size(); k++) {
        final int kk = k;
        Program p = Arrax.makeJaxpr(a -> ops.get(kk).apply(a), x, y);
        assertSameAsInterpreter(p, new NDArray[] {x, y}, names.get(k) + " " + d);
      }
    }
  }

  /** Intermediates are released after their last reader: a chain of 12 steps keeps about 3 arrays, not 13. */
  @Test
  void longChainsKeepOnlyLiveIntermediates() {
    NDArray x = new Rand(8).normal(DType.FLOAT64, 500);
    Fn chain = a -> {
      NDArray v = a[0];
      for (int i = 0; i < 12; i++) v = Lax.cumsum(Np.sin(v), 0, i % 2 == 0);
      return v;
    };
    Program p = Arrax.makeJaxpr(chain, x);
    CompiledProgram c = CompiledProgram.compile(p);
    assertSameAsInterpreter(p, new NDArray[] {x}, "chain");
    assertTrue(c.describeSteps().size() >= 12, c.describeSteps().toString());
    assertTrue(c.maxLiveSlots() <= 4, "live slots " + c.maxLiveSlots() + " for " + c.describeSteps());
  }

  @Test
  void elementwiseChainsFuseIntoOneKernel() {
    NDArray x = Np.ones(new int[] {100, 64}, DType.FLOAT32), b = Np.ones(new int[] {64}, DType.FLOAT32);
    Program p = Arrax.makeJaxpr(a -> Np.sum(Np.multiply(Np.tanh(Np.add(a[0], a[1])), 2.0), -1), x, b);
    List<String> steps = CompiledProgram.compile(p).describeSteps();
    assertEquals(1, steps.size(), "one fused loop with its reduction: " + steps);
    assertTrue(steps.get(0).startsWith("fused[add,tanh,mul,reduce_sum]"), steps.toString());
  }

  @Test
  void makeJaxprOfJitShowsTheOptimizedProgram() {
    Fn f = a -> Np.multiply(Np.subtract(Np.multiply(a[0], 1.0), 0.0), Np.exp(Np.negative(Np.negative(a[0]))));
    NDArray x = NDArray.of(1.0, 2.0);
    Program plain = Arrax.makeJaxpr(f, x), jitted = Arrax.makeJaxpr(Arrax.jit(f), x);
    assertTrue(jitted.eqns().size() < plain.eqns().size(), "optimized:\n" + jitted + "\nplain:\n" + plain);
    assertEquals(List.of("exp", "mul"), jitted.eqns().stream().map(e -> e.primitive().name()).toList(), jitted.toString());
    Check.same(plain.call(x)[0], jitted.call(x)[0], "same function");
  }

  @Test
  void fallbacksAreCounted() {
    long before = CompiledProgram.fallbackCount();
    CompiledProgram.compile(Arrax.makeJaxpr(a -> Np.cumsum(a[0]), NDArray.of(1.0, 2.0)));
    assertEquals(before + 1, CompiledProgram.fallbackCount(), "cumsum has no kernel: one interpreted step");
  }

  @Test
  void kernelsAreSharedAcrossBatchSizesAndPrograms() {
    Fn f = a -> Np.tanh(Np.add(a[0], 1.0));
    CompiledProgram.compile(Arrax.makeJaxpr(f, Np.ones(new int[] {10, 17}, DType.FLOAT32)));
    int before = KernelCache.compileCount();
    for (int n : new int[] {3, 1000, 70000}) {
      NDArray x = new Rand(n).normal(DType.FLOAT32, n, 17);
      CompiledProgram c = CompiledProgram.compile(Arrax.makeJaxpr(f, x));
      Check.close(Arrax.makeJaxpr(f, x).call(x)[0], c.run(x)[0], 1e-6, 1e-6, "n=" + n);
    }
    assertEquals(before, KernelCache.compileCount(), "a new leading dimension reuses the compiled kernel");
  }

  @Test
  void perRowGradientsOverManyBlocksMatchTheInterpreter() {
    // Many row blocks, several threads, intermediate rows kept per block: the W1 shape of work.
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Rand r = new Rand(d.ordinal());
      NDArray x = r.normal(d, 3001, 12), w1 = r.normal(d, 12, 20), b1 = r.normal(d, 20), w2 = r.normal(d, 20);
      Fn mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[0], a[1]), a[2])), a[3]);
      Program p = Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null, null, null), x, w1, b1, w2);
      CompiledProgram c = CompiledProgram.compile(p);
      assertTrue(c.describeSteps().stream().anyMatch(s -> s.startsWith("rows 3001")), c.describeSteps().toString());
      assertSameAsInterpreter(p, new NDArray[] {x, w1, b1, w2}, "per-row gradients " + d);
      Program loss = Arrax.makeJaxpr(Arrax.grad(a -> Np.sum(Nn.softplus(Np.matmul(a[1], a[0])))), w1, x);
      assertSameAsInterpreter(loss, new NDArray[] {w1, x}, "gradient summed over rows " + d);
    }
  }

  @Test
  void parallelResultsEqualSingleThreaded() {
    NDArray x = new Rand(5).normal(DType.FLOAT32, 4000, 96), w = new Rand(6).normal(DType.FLOAT32, 96, 64);
    Fn f = a -> Np.sum(Np.tanh(Np.matmul(a[0], a[1])), -1);
    CompiledProgram c = CompiledProgram.compile(Arrax.makeJaxpr(f, x, w));
    NDArray[] single = new NDArray[1];
    Parallel.runSingleThreaded(() -> single[0] = c.run(x, w)[0]);
    Parallel.setThreads(4);
    Parallel.minParallelWork = CpuDeterminismTest.SPLIT_SMALL;
    try {
      Check.same(single[0], c.run(x, w)[0], "4 threads vs 1");
    } finally {
      Parallel.minParallelWork = Parallel.DEFAULT_MIN_PARALLEL_WORK;
      Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }
  }
}
