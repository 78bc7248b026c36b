package dev.arrax.gpu;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.compile.Passes;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Program;
import dev.arrax.primitives.Ops;
import dev.arrax.primitives.Primitives;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One program per lowered primitive (and per way it lowers: narrow rows, wide rows, with a parameter, sums
 * over rows), at random shapes from a seed: the table both the emulator tests and the GPU tests run.
 * Inputs are standard normals with about 3% NaN, infinities and signed zeros mixed in, so NaN propagation
 * and the guarded formulas are exercised, not just the typical path.
 */
final class PrimitiveCases {
  private PrimitiveCases() {}

  /** Random shapes and data for one case. */
  static final class Gen {
    final SplittableRandom rng;
    final int rows;
    final int d;
    final int h;
    final int wide;

    Gen(long seed) {
      rng = new SplittableRandom(seed);
      rows = 40 + rng.nextInt(160);
      d = 1 + rng.nextInt(7);
      h = 2 + rng.nextInt(6);
      wide = 257 + rng.nextInt(100);
    }

    NDArray f32(boolean specials, int... shape) {
      int n = 1;
      for (int s : shape) n *= s;
      float[] v = new float[n];
      for (int i = 0; i < n; i++) v[i] = specials && rng.nextInt(33) == 0 ? special() : (float) rng.nextGaussian();
      return NDArray.fromFlat(v, shape);
    }

    NDArray f64(int... shape) {
      int n = 1;
      for (int s : shape) n *= s;
      double[] v = new double[n];
      for (int i = 0; i < n; i++) v[i] = rng.nextInt(33) == 0 ? special() : rng.nextGaussian() * 10;
      return NDArray.fromFlat(v, DType.FLOAT64, shape);
    }

    private float special() {
      float[] s = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-30f, -1e-20f};
      return s[rng.nextInt(s.length)];
    }
  }

  /**
   * A case: a name, the primitive it tests (which must remain in the optimized program), and the program
   * and its arguments for a seed.
   */
  record Case(String name, Primitive<?> primitive, boolean cpuBackend, Function<Long, Workloads.Case> make) {
    @Override public String toString() { return name; }
  }

  private static Workloads.Case traced(String name, MultiFn f, NDArray... args) {
    Program p = Arrax.makeJaxprMulti(f, args);
    return new Workloads.Case(name, ProgramPlan.of(Passes.optimize(p)), args);
  }

  /** Without the optimizer, which removes stop_gradient (a value identity). */
  private static Workloads.Case unoptimized(String name, MultiFn f, NDArray... args) {
    return new Workloads.Case(name, ProgramPlan.of(Arrax.makeJaxprMulti(f, args)), args);
  }

  private static final List<Case> ALL = new ArrayList<>();

  private static void add(String name, Primitive<?> p, Function<Gen, Workloads.Case> make) {
    ALL.add(new Case(name, p, true, seed -> make.apply(new Gen(seed))));
  }

  /**
   * A case compared with the engine's reference evaluator instead of the CPU backend, whose generated code
   * does not compile max/min of bool arrays ("A method named max is not declared", reported to the engine).
   */
  private static void addReference(String name, Primitive<?> p, Function<Gen, Workloads.Case> make) {
    ALL.add(new Case(name, p, false, seed -> make.apply(new Gen(seed))));
  }

  private interface Unary {
    NDArray apply(NDArray x);
  }

  private interface Binary {
    NDArray apply(NDArray x, NDArray y);
  }

  private static void unary(String name, Primitive<?> p, Unary op) {
    add(name + " narrow", p, g -> traced(name, a -> new NDArray[] {op.apply(a[0])}, g.f32(true, g.rows, g.d)));
    add(name + " wide", p, g -> traced(name, a -> new NDArray[] {op.apply(a[0])}, g.f32(true, g.rows, g.wide)));
  }

  private static void binary(String name, Primitive<?> p, Binary op) {
    add(name + " rows", p, g -> traced(name, a -> new NDArray[] {op.apply(a[0], a[1])}, g.f32(true, g.rows, g.d), g.f32(true, g.rows, g.d)));
    add(name + " parameter", p, g -> traced(name, a -> new NDArray[] {op.apply(a[0], Ops.broadcastInDim(a[1], new int[] {g.rows, g.d}, new int[] {1}))},
        g.f32(true, g.rows, g.d), g.f32(true, g.d)));
    add(name + " wide", p, g -> traced(name, a -> new NDArray[] {op.apply(a[0], a[1])}, g.f32(true, g.rows, g.wide), g.f32(true, g.rows, g.wide)));
    add(name + " wide parameter", p, g -> traced(name,
        a -> new NDArray[] {op.apply(Ops.broadcastInDim(a[1], new int[] {g.rows, g.wide}, new int[] {1}), a[0])},
        g.f32(true, g.rows, g.wide), g.f32(true, g.wide)));
  }

  static {
    unary("neg", Primitives.NEG, Ops::neg);
    unary("exp", Primitives.EXP, Ops::exp);
    unary("log", Primitives.LOG, Ops::log);
    unary("log1p", Primitives.LOG1P, Ops::log1p);
    unary("expm1", Primitives.EXPM1, Ops::expm1);
    unary("tanh", Primitives.TANH, Ops::tanh);
    unary("logistic", Primitives.LOGISTIC, Ops::logistic);
    unary("sin", Primitives.SIN, Ops::sin);
    unary("cos", Primitives.COS, Ops::cos);
    unary("tan", Primitives.TAN, Ops::tan);
    unary("sqrt", Primitives.SQRT, Ops::sqrt);
    unary("abs", Primitives.ABS, Ops::abs);
    unary("sign", Primitives.SIGN, Ops::sign);
    unary("floor", Primitives.FLOOR, Ops::floor);
    unary("ceil", Primitives.CEIL, Ops::ceil);
    unary("is_finite", Primitives.IS_FINITE, Ops::isFinite);
    add("stop_gradient", Primitives.STOP_GRADIENT, g -> unoptimized("stop_gradient", a -> new NDArray[] {
        Ops.mul(Ops.stopGradient(a[0]), a[0])}, g.f32(true, g.rows, g.d)));
    unary("not", Primitives.NOT, x -> Ops.not(Ops.gt(x, Ops.like(x, 0.25))));
    unary("convert f32->f64", Primitives.CONVERT_ELEMENT_TYPE, x -> Ops.mul(Ops.convert(x, DType.FLOAT64), Ops.convert(x, DType.FLOAT64)));
    unary("convert f32->bool", Primitives.CONVERT_ELEMENT_TYPE, x -> Ops.convert(x, DType.BOOL));
    unary("convert bool->f32", Primitives.CONVERT_ELEMENT_TYPE, x -> Ops.convert(Ops.lt(x, Ops.like(x, 0.5)), DType.FLOAT32));
    add("convert f64->f32", Primitives.CONVERT_ELEMENT_TYPE, g -> traced("f64->f32", a -> new NDArray[] {Ops.convert(a[0], DType.FLOAT32)}, g.f64(g.rows, g.d)));
    binary("add", Primitives.ADD, Ops::add);
    binary("sub", Primitives.SUB, Ops::sub);
    binary("mul", Primitives.MUL, Ops::mul);
    binary("div", Primitives.DIV, Ops::div);
    binary("pow", Primitives.POW, Ops::pow);
    binary("rem", Primitives.REM, Ops::rem);
    binary("max", Primitives.MAX, Ops::max);
    binary("min", Primitives.MIN, Ops::min);
    binary("eq", Primitives.EQ, Ops::eq);
    binary("ne", Primitives.NE, Ops::ne);
    binary("lt", Primitives.LT, Ops::lt);
    binary("le", Primitives.LE, Ops::le);
    binary("gt", Primitives.GT, Ops::gt);
    binary("ge", Primitives.GE, Ops::ge);
    binary("and", Primitives.AND, (x, y) -> Ops.and(Ops.gt(x, Ops.like(x, 0)), Ops.lt(y, Ops.like(y, 0.5))));
    binary("or", Primitives.OR, (x, y) -> Ops.or(Ops.gt(x, Ops.like(x, 0)), Ops.lt(y, Ops.like(y, 0.5))));
    binary("xor", Primitives.XOR, (x, y) -> Ops.xor(Ops.gt(x, Ops.like(x, 0)), Ops.lt(y, Ops.like(y, 0.5))));
    for (Primitive<?> p : List.of(Primitives.MAX, Primitives.MIN)) {
      addReference(p.name() + " bool", p, g -> traced(p.name() + " bool", a -> new NDArray[] {
          p == Primitives.MAX ? Ops.max(Ops.gt(a[0], Ops.like(a[0], 0)), Ops.lt(a[1], Ops.like(a[1], 0.5)))
              : Ops.min(Ops.gt(a[0], Ops.like(a[0], 0)), Ops.lt(a[1], Ops.like(a[1], 0.5)))}, g.f32(true, g.rows, g.d), g.f32(true, g.rows, g.d)));
    }
    binary("select_n", Primitives.SELECT_N, (x, y) -> Ops.select(Ops.gt(x, Ops.like(x, 0.3)), Ops.exp(x), y));
    add("select_n literal branches", Primitives.SELECT_N, g -> traced("select", a -> new NDArray[] {
        Ops.select(Ops.gt(a[0], Ops.like(a[0], 0)), Ops.like(a[0], 2.5), Ops.like(a[0], -1))}, g.f32(true, g.rows, g.d)));

    add("broadcast_in_dim row to narrow", Primitives.BROADCAST_IN_DIM, g -> traced("bcast", a -> new NDArray[] {
        Ops.mul(Ops.broadcastInDim(a[1], new int[] {g.rows, g.d, g.h}, new int[] {0, 1}), a[0])}, g.f32(true, g.rows, g.d, g.h), g.f32(true, g.rows, g.d)));
    add("broadcast_in_dim row to wide", Primitives.BROADCAST_IN_DIM, g -> traced("bcast", a -> new NDArray[] {
        Ops.sub(a[0], Ops.broadcastInDim(a[1], new int[] {g.rows, g.wide}, new int[] {0}))}, g.f32(true, g.rows, g.wide), g.f32(true, g.rows)));
    add("broadcast_in_dim parameter matrix", Primitives.BROADCAST_IN_DIM, g -> traced("bcast", a -> new NDArray[] {
        Ops.add(a[0], Ops.broadcastInDim(a[1], new int[] {g.rows, g.d, g.h}, new int[] {1, 2}))}, g.f32(true, g.rows, g.d, g.h), g.f32(true, g.d, g.h)));
    add("reshape", Primitives.RESHAPE, g -> traced("reshape", a -> new NDArray[] {
        Ops.exp(Ops.reshape(a[0], g.rows, g.d * g.h))}, g.f32(true, g.rows, g.d, g.h)));
    add("reshape wide", Primitives.RESHAPE, g -> traced("reshape", a -> new NDArray[] {
        Ops.tanh(Ops.reshape(a[0], g.rows, 2, g.wide))}, g.f32(true, g.rows, 2 * g.wide)));
    add("transpose", Primitives.TRANSPOSE, g -> traced("transpose", a -> new NDArray[] {
        Ops.add(Ops.transpose(a[0], 0, 2, 1), a[1])}, g.f32(true, g.rows, g.d, g.h), g.f32(true, g.rows, g.h, g.d)));
    add("slice", Primitives.SLICE, g -> traced("slice", a -> new NDArray[] {
        Ops.exp(Ops.slice(a[0], new int[] {0, 1}, new int[] {g.rows, g.d + 2}, new int[] {1, 2}))}, g.f32(true, g.rows, g.d + 3)));
    add("concatenate", Primitives.CONCATENATE, g -> traced("concatenate", a -> new NDArray[] {
        Ops.tanh(Ops.concatenate(new NDArray[] {a[0], a[1], Ops.broadcastInDim(a[2], new int[] {g.rows, 2}, new int[] {1})}, 1))},
        g.f32(true, g.rows, g.d), g.f32(true, g.rows, g.h), g.f32(true, 2)));

    for (Primitive<?> r : List.of(Primitives.REDUCE_SUM, Primitives.REDUCE_MAX, Primitives.REDUCE_MIN, Primitives.REDUCE_PROD)) {
      add(r.name() + " narrow", r, g -> traced(r.name(), a -> new NDArray[] {reduce(r, a[0], 2)}, g.f32(true, g.rows, g.d, g.h)));
      add(r.name() + " narrow all", r, g -> traced(r.name(), a -> new NDArray[] {reduce(r, a[0], 1, 2)}, g.f32(true, g.rows, g.d, g.h)));
      if (r != Primitives.REDUCE_PROD) {
        add(r.name() + " wide", r, g -> traced(r.name(), a -> new NDArray[] {reduce(r, a[0], 1)}, g.f32(true, g.rows, g.wide)));
      }
    }
    add("reduce_sum wide no specials", Primitives.REDUCE_SUM, g -> traced("sum", a -> new NDArray[] {Ops.reduceSum(a[0], 1)}, g.f32(false, g.rows, g.wide)));
    add("reduce_max wide no specials", Primitives.REDUCE_MAX, g -> traced("max", a -> new NDArray[] {Ops.reduceMax(a[0], 1)}, g.f32(false, g.rows, g.wide)));
    add("reduce_sum over rows", Primitives.REDUCE_SUM, g -> traced("sum rows", a -> new NDArray[] {Ops.reduceSum(a[0], 0)}, g.f32(false, g.rows, g.d)));
    add("reduce_sum over rows and features", Primitives.REDUCE_SUM, g -> traced("sum all", a -> new NDArray[] {Ops.reduceSum(a[0], 0, 1)},
        g.f32(false, g.rows, g.d)));
    add("reduce_sum over rows of wide rows", Primitives.REDUCE_SUM, g -> traced("sum all wide", a -> new NDArray[] {Ops.reduceSum(a[0], 0, 1)},
        g.f32(false, g.rows, g.wide)));

    add("dot_general rows x parameter", Primitives.DOT_GENERAL, g -> traced("x@W", a -> new NDArray[] {
        Ops.dotGeneral(a[0], a[1], new int[] {1}, new int[] {0}, new int[0], new int[0])}, g.f32(false, g.rows, g.d), g.f32(false, g.d, g.h)));
    add("dot_general parameter x rows", Primitives.DOT_GENERAL, g -> traced("w.x", a -> new NDArray[] {
        Ops.dotGeneral(a[1], a[0], new int[] {0}, new int[] {1}, new int[0], new int[0])}, g.f32(false, g.rows, g.d), g.f32(false, g.d)));
    add("dot_general per-row dot", Primitives.DOT_GENERAL, g -> traced("x.y", a -> new NDArray[] {
        Ops.dotGeneral(a[0], a[1], new int[] {1}, new int[] {1}, new int[] {0}, new int[] {0})}, g.f32(true, g.rows, g.d), g.f32(true, g.rows, g.d)));
    add("dot_general sum over rows", Primitives.DOT_GENERAL, g -> traced("X^T Y", a -> new NDArray[] {
        Ops.dotGeneral(a[0], a[1], new int[] {0}, new int[] {0}, new int[0], new int[0])}, g.f32(false, g.rows, g.d), g.f32(false, g.rows, g.h)));
    add("dot_general batched with a parameter", Primitives.DOT_GENERAL, g -> traced("bx@W", a -> new NDArray[] {
        Ops.dotGeneral(a[0], Ops.broadcastInDim(a[1], new int[] {g.rows, g.d, g.h}, new int[] {1, 2}), new int[] {1}, new int[] {1},
            new int[] {0}, new int[] {0})}, g.f32(false, g.rows, g.d), g.f32(false, g.d, g.h)));
  }

  private static NDArray reduce(Primitive<?> r, NDArray x, int... axes) {
    if (r == Primitives.REDUCE_SUM) return Ops.reduceSum(x, axes);
    if (r == Primitives.REDUCE_MAX) return Ops.reduceMax(x, axes);
    if (r == Primitives.REDUCE_MIN) return Ops.reduceMin(x, axes);
    return Ops.reduceProd(x, axes);
  }

  static List<Case> all() { return List.copyOf(ALL); }
}
