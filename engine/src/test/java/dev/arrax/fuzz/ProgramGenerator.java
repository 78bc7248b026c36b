package dev.arrax.fuzz;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.ScanBody;
import dev.arrax.core.ArrayType;
import dev.arrax.primitives.OptimizationBarrier;
import dev.arrax.primitives.Ops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds random well-typed programs as recipes over the public API (Np, Nn, Lax; {@code Ops} for the few primitives
 * with no public entry: shifts, fma, bitcast, multi-axis reductions, xla_log1p). A recipe is a list of steps, each
 * reading earlier values by index with static parameters chosen at generation time, so replaying it on concrete
 * arrays, tracers, JVP or batch tracers builds the same program. Generation runs each step on example inputs to learn
 * its type.
 *
 * <p>Values carry an {@code exact} flag: true when every implementation must compute them bit for bit (inputs, integer
 * and bool values, and floats from correctly rounded ops: + - * / sqrt, max/min, select, casts and structural ops);
 * false after a transcendental (the CPU kernels use fast math within a few ulps) or an order-dependent sum
 * (reductions, dot, cumsum). Discontinuous ops (comparisons, floor/ceil/sign, argmax, argsort, float to int casts,
 * bitcast, control-flow predicates) only read exact values, so an ulp of difference is never amplified into a
 * different branch, index or integer.
 *
 * <p>{@code tame} programs (for the derivative checks) keep to smooth compositions on finite values with bounded
 * domains: {@code log(|x| + 0.5)}, {@code exp(tanh(x) * 3)}, division by {@code |b| + 1}.
 */
final class ProgramGenerator {
  /** A value of a recipe under generation: its example (concrete) array and whether it is computed exactly. */
  record Val(NDArray example, boolean exact) {
    ArrayType type() { return example.type(); }
  }

  /** One step: a new value from the environment of earlier values. */
  interface Op {
    NDArray apply(List<NDArray> env);
  }

  record Step(String name, Op op) {}

  /** A generated function of {@code nIn} inputs: steps over the growing environment and the indices of its outputs. */
  static final class Recipe {
    final List<Step> steps = new ArrayList<>();
    int[] outs;

    NDArray[] run(NDArray[] in) {
      List<NDArray> env = new ArrayList<>(Arrays.asList(in));
      for (Step s : steps) env.add(s.op().apply(env));
      NDArray[] r = new NDArray[outs.length];
      for (int i = 0; i < outs.length; i++) r[i] = env.get(outs[i]);
      return r;
    }
  }

  /** A generated program: its function, example arguments and what the checks need to know. */
  record Generated(Fn fn, NDArray[] args, DType floatType, boolean tame, boolean hasWhile, TreeMap<String, Integer> ops) {}

  private final Random r;
  private final boolean tame;
  private final DType ft;
  private final TreeMap<String, Integer> used = new TreeMap<>();
  private boolean hasWhile;
  /** Generation-time rejections (an op that refused its operands), by message prefix: generator bugs, not engine bugs. */
  final TreeMap<String, Integer> rejected = new TreeMap<>();

  ProgramGenerator(long seed, boolean tame, DType floatType) {
    this.r = new Random(seed);
    this.tame = tame;
    this.ft = floatType;
  }

  // ---------------------------------------------------------------- inputs

  Generated generate(int steps) {
    int nArgs = 1 + r.nextInt(3);
    int[] base = shape(3, 4);
    NDArray[] args = new NDArray[nArgs];
    for (int i = 0; i < nArgs; i++) {
      int[] s = i == 0 || r.nextInt(3) > 0 ? variant(base) : shape(3, 4);
      DType d = ft;
      if (!tame && i > 0 && r.nextInt(4) == 0) d = r.nextBoolean() ? (r.nextBoolean() ? DType.INT32 : DType.INT64) : DType.BOOL;
      args[i] = randomArray(d, s, !tame);
    }
    List<Val> in = new ArrayList<>();
    for (NDArray a : args) in.add(new Val(a, true));
    Recipe rec = recipe(in, steps, 0, 1);
    Fn fn = xs -> rec.run(xs)[0];
    return new Generated(fn, args, ft, tame, hasWhile, used);
  }

  int[] shape(int maxRank, int maxDim) {
    int rank = r.nextInt(maxRank + 1);
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) s[i] = r.nextInt(10) == 0 ? 0 : r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(maxDim);
    return s;
  }

  /** The base shape, a suffix of it, or with some dimensions set to 1: shapes that broadcast together. */
  private int[] variant(int[] base) {
    int[] s = Arrays.copyOfRange(base, r.nextInt(3) == 0 ? r.nextInt(base.length + 1) : 0, base.length);
    for (int i = 0; i < s.length; i++) if (r.nextInt(5) == 0) s[i] = 1;
    return s;
  }

  /** Normal floats (NaN, infinities and signed zeros placed at random when {@code specials}), small integers, random bools. */
  NDArray randomArray(DType d, int[] shape, boolean specials) {
    int n = 1;
    for (int x : shape) n *= x;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      if (d.isFloating()) {
        v[i] = r.nextGaussian() * (r.nextInt(4) == 0 ? 3 : 1);
        if (specials && r.nextInt(12) == 0) v[i] = new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0}[r.nextInt(5)];
      } else if (d == DType.BOOL) {
        v[i] = r.nextBoolean() ? 1 : 0;
      } else {
        v[i] = r.nextInt(11) - 5;
      }
    }
    return NDArray.fromFlat(v, d, shape);
  }

  // ---------------------------------------------------------------- recipes

  /** A recipe over {@code in} with about {@code steps} steps and {@code nOut} outputs (the last values). */
  private Recipe recipe(List<Val> in, int steps, int depth, int nOut) {
    Recipe rec = new Recipe();
    List<Val> env = new ArrayList<>(in);
    List<NDArray> ex = new ArrayList<>();
    for (Val v : in) ex.add(v.example());
    int attempts = 0;
    while (rec.steps.size() < steps && attempts++ < steps * 6) {
      Cand c = candidate(env, depth);
      if (c == null) continue;
      NDArray out;
      try {
        out = c.step.op().apply(ex);
      } catch (RuntimeException e) {
        rejected.merge(c.step.name() + ": " + String.valueOf(e.getMessage()).replaceAll("[\\[(0-9].*", ""), 1, Integer::sum);
        continue;
      }
      rec.steps.add(c.step);
      ex.add(out);
      env.add(new Val(out, c.exact));
      used.merge(c.step.name(), 1, Integer::sum);
    }
    rec.outs = new int[nOut];
    for (int i = 0; i < nOut; i++) rec.outs[i] = Math.max(0, env.size() - nOut + i);
    return rec;
  }

  private record Cand(Step step, boolean exact) {}

  private static Cand cand(String name, boolean exact, Op op) { return new Cand(new Step(name, op), exact); }

  /** An operand index, biased toward recent values so most steps feed the output. */
  private int pick(List<Val> env) {
    int n = env.size();
    return r.nextInt(3) > 0 ? n - 1 - r.nextInt(Math.min(n, 3)) : r.nextInt(n);
  }

  private int pickWhere(List<Val> env, java.util.function.Predicate<Val> ok) {
    for (int t = 0; t < 8; t++) {
      int i = pick(env);
      if (ok.test(env.get(i))) return i;
    }
    for (int i = env.size() - 1; i >= 0; i--) if (ok.test(env.get(i))) return i;
    return -1;
  }

  private static boolean isFloat(Val v) { return v.type().dtype().isFloating(); }

  private static boolean isInt(Val v) { return v.type().dtype().isInteger(); }

  private Cand candidate(List<Val> env, int depth) {
    int k = r.nextInt(100);
    if (k < 22) return unary(env);
    if (k < 44) return binary(env);
    if (k < 50) return compareSelect(env);
    if (k < 55) return cast(env);
    if (k < 65) return reduce(env);
    if (k < 78) return structural(env);
    if (k < 82) return dot(env);
    if (k < 86) return cumulative(env);
    if (k < 90) return gatherScatter(env);
    if (depth < 2) return control(env, depth);
    return unary(env);
  }

  // ---------------------------------------------------------------- elementwise

  private static final String[] UNARY = {"exp", "log", "log1p", "expm1", "tanh", "sin", "cos", "tan", "sqrt", "abs", "sign", "floor", "ceil", "neg",
      "erf", "erf_inv", "erfc", "logistic", "is_finite", "stop_gradient", "square", "rsqrt", "xla_log1p", "softplus", "relu", "round"};

  private Cand unary(List<Val> env) {
    int i = pickWhere(env, ProgramGenerator::isFloat);
    if (i < 0) return null;
    boolean ex = env.get(i).exact();
    String op = UNARY[r.nextInt(UNARY.length)];
    boolean discontinuous = op.equals("sign") || op.equals("floor") || op.equals("ceil") || op.equals("is_finite") || op.equals("round");
    if (discontinuous && !ex) op = "abs";
    // round/sign: jumps; stop_gradient: a zero derivative by definition, which finite differences do not see
    if (tame && (op.equals("round") || op.equals("sign") || op.equals("stop_gradient"))) op = "neg";
    final String o = op;
    boolean exactOut = ex && Arrays.asList("sqrt", "abs", "sign", "floor", "ceil", "neg", "is_finite", "stop_gradient", "square", "relu", "round").contains(o);
    Function<NDArray, NDArray> f = switch (o) {
      case "exp" -> x -> Np.exp(tame ? Np.tanh(x).mul(3.0) : x);
      case "log" -> x -> Np.log(tame ? Np.abs(x).add(0.5) : x);
      case "log1p" -> x -> Np.log1p(tame ? Np.abs(x) : x);
      case "expm1" -> x -> Np.expm1(tame ? Np.tanh(x).mul(3.0) : x);
      case "tanh" -> Np::tanh;
      case "sin" -> Np::sin;
      case "cos" -> Np::cos;
      case "tan" -> x -> Np.tan(tame ? Np.tanh(x) : x);
      case "sqrt" -> x -> Np.sqrt(tame ? Np.abs(x).add(0.5) : x);
      case "abs" -> x -> tame ? Np.sqrt(Np.square(x).add(0.25)) : Np.abs(x);
      case "sign" -> Np::sign;
      case "floor" -> Np::floor;
      case "ceil" -> Np::ceil;
      case "neg" -> Np::negative;
      case "erf" -> Lax::erf;
      case "erf_inv" -> x -> Lax.erfInv(tame ? Np.tanh(x).mul(0.9) : x);
      case "erfc" -> Lax::erfc;
      case "logistic" -> Nn::sigmoid;
      case "is_finite" -> x -> Np.isfinite(x).astype(x.dtype());
      case "stop_gradient" -> Lax::stopGradient;
      case "square" -> Np::square;
      case "rsqrt" -> x -> Lax.rsqrt(tame ? Np.abs(x).add(0.5) : x);
      case "xla_log1p" -> x -> Ops.xlaLog1p(tame ? Np.abs(x) : x);
      case "softplus" -> Nn::softplus;
      case "relu" -> x -> tame ? Nn.gelu(x) : Nn.relu(x);
      default -> x -> Np.round(x);
    };
    return cand(o, exactOut, e -> f.apply(e.get(i)));
  }

  private int partnerFor(List<Val> env, int i, java.util.function.Predicate<Val> ok) {
    int[] s = env.get(i).type().shape();
    return pickWhere(env, v -> ok.test(v) && dev.arrax.core.Shapes.broadcast(s, v.type().shape()) != null);
  }

  private static final String[] BINARY = {"add", "sub", "mul", "div", "pow", "max", "min", "atan2", "logaddexp", "rem", "add_scalar", "fma", "clamp"};

  private Cand binary(List<Val> env) {
    if (!tame && r.nextInt(5) == 0) return integerOrBool(env);
    int i = pickWhere(env, ProgramGenerator::isFloat);
    if (i < 0) return integerOrBool(env);
    int j = partnerFor(env, i, ProgramGenerator::isFloat);
    if (j < 0) j = i;
    final int b = j;
    boolean ex = env.get(i).exact() && env.get(j).exact();
    String o = BINARY[r.nextInt(BINARY.length)];
    if (o.equals("rem") && (tame || !ex)) o = "sub";
    double c = Math.round(r.nextGaussian() * 4) / 2.0;
    final String op = o;
    boolean exactOut = ex && Arrays.asList("add", "sub", "mul", "div", "max", "min", "rem", "add_scalar", "clamp").contains(op);
    Op f = switch (op) {
      case "add" -> e -> Np.add(e.get(i), e.get(b));
      case "sub" -> e -> Np.subtract(e.get(i), e.get(b));
      case "mul" -> e -> Np.multiply(e.get(i), e.get(b));
      case "div" -> e -> Np.divide(e.get(i), tame ? Np.abs(e.get(b)).add(1.0) : e.get(b));
      case "pow" -> e -> tame ? Np.power(Np.abs(e.get(i)).add(0.5), Np.tanh(e.get(b)).mul(2.0)) : Np.power(e.get(i), e.get(b));
      case "max" -> e -> Np.maximum(e.get(i), e.get(b));
      case "min" -> e -> Np.minimum(e.get(i), e.get(b));
      case "atan2" -> e -> Np.arctan2(e.get(i), tame ? Np.abs(e.get(b)).add(1.0) : e.get(b));
      case "logaddexp" -> e -> Np.logaddexp(e.get(i), e.get(b));
      case "rem" -> e -> Np.remainder(e.get(i), e.get(b));
      case "add_scalar" -> e -> Np.add(Np.multiply(e.get(i), c), c);
      case "fma" -> e -> {
        NDArray x = e.get(i), y = Np.broadcastTo(e.get(b), dev.arrax.core.Shapes.broadcast(x.shape(), e.get(b).shape()));
        NDArray xx = Np.broadcastTo(x, y.shape());
        return Ops.fma(xx, y, xx);
      };
      default -> e -> Lax.clamp(-Math.abs(c) - 0.5, e.get(i), Math.abs(c) + 0.5);
    };
    return cand(op, exactOut, f);
  }

  private Cand integerOrBool(List<Val> env) {
    int i = pickWhere(env, v -> !isFloat(v));
    if (i < 0) return null;
    DType d = env.get(i).type().dtype();
    int j = partnerFor(env, i, v -> v.type().dtype() == d);
    if (j < 0) j = i;
    final int b = j;
    if (d == DType.BOOL) {
      int k = r.nextInt(4);
      return cand(new String[] {"and", "or", "xor", "not"}[k], true, e -> switch (k) {
        case 0 -> Np.logicalAnd(e.get(i), e.get(b));
        case 1 -> Np.logicalOr(e.get(i), e.get(b));
        case 2 -> Np.bitwiseXor(e.get(i), e.get(b));
        default -> Np.logicalNot(e.get(i));
      });
    }
    int k = r.nextInt(9);
    String[] names = {"int_add", "int_mul", "int_sub", "int_and", "int_or", "shift_left", "shift_right_logical", "floor_divide", "int_rem"};
    return cand(names[k], true, e -> {
      NDArray x = e.get(i), y = e.get(b);
      return switch (k) {
        case 0 -> Np.add(x, y);
        case 1 -> Np.multiply(x, y);
        case 2 -> Np.subtract(x, y);
        case 3 -> Np.bitwiseAnd(x, y);
        case 4 -> Np.bitwiseOr(x, y);
        case 5 -> { NDArray[] xy = same(x, Np.abs(y)); yield Ops.shiftLeft(xy[0], xy[1]); }
        case 6 -> { NDArray[] xy = same(x, Np.abs(y)); yield Ops.shiftRightLogical(xy[0], xy[1]); }
        case 7 -> Np.floorDivide(x, y);
        default -> Np.remainder(x, y);
      };
    });
  }

  /** Both broadcast to their common shape (the raw primitives take equal shapes). */
  private static NDArray[] same(NDArray a, NDArray b) {
    int[] s = dev.arrax.core.Shapes.broadcast(a.shape(), b.shape());
    return new NDArray[] {Np.broadcastTo(a, s), Np.broadcastTo(b, s)};
  }

  private Cand compareSelect(List<Val> env) {
    int i = pickWhere(env, Val::exact);
    if (i < 0) return null;
    int j = partnerFor(env, i, v -> v.exact() && (v.type().dtype() == env.get(i).type().dtype() || r.nextInt(3) == 0));
    if (j < 0) j = i;
    final int b = j;
    int x = pick(env);
    int[] ps = dev.arrax.core.Shapes.broadcast(env.get(i).type().shape(), env.get(b).type().shape());
    int[] xs = dev.arrax.core.Shapes.broadcast(ps, env.get(x).type().shape());
    if (xs == null) return null;
    int y = pickWhere(env, v -> v.type().dtype() == env.get(x).type().dtype() && dev.arrax.core.Shapes.broadcast(xs, v.type().shape()) != null);
    int k = r.nextInt(6);
    String[] names = {"gt", "ge", "lt", "le", "eq", "ne"};
    String cmp = names[k];
    boolean exactOut = env.get(x).exact() && env.get(y).exact();
    int mode = r.nextInt(3);
    return cand(mode == 0 ? cmp : "select_" + cmp, mode == 0 || exactOut, e -> {
      NDArray a = e.get(i), c = e.get(b);
      NDArray p = switch (cmp) {
        case "gt" -> Np.greater(a, c);
        case "ge" -> Np.greaterEqual(a, c);
        case "lt" -> Np.less(a, c);
        case "le" -> Np.lessEqual(a, c);
        case "eq" -> Np.equal(a, c);
        default -> Np.notEqual(a, c);
      };
      if (mode == 0) return p;
      if (mode == 1) return Np.where(p, e.get(x), e.get(y));
      NDArray[] xy = same(e.get(x), e.get(y));
      NDArray[] pq = same(p, xy[0]);
      return Lax.select(pq[0], Np.broadcastTo(xy[0], pq[0].shape()), Np.broadcastTo(xy[1], pq[0].shape()));
    });
  }

  private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT32, DType.BOOL};

  private Cand cast(List<Val> env) {
    int i = pick(env);
    Val v = env.get(i);
    DType to = DTYPES[r.nextInt(DTYPES.length)];
    if (tame) to = ft; // f32 rounding would spoil the float64 derivative checks
    if (isFloat(v) && !to.isFloating() && !v.exact()) to = ft;
    final DType d = to;
    if (!tame && v.exact() && r.nextInt(4) == 0) {
      DType from = v.type().dtype();
      DType bits = from == DType.FLOAT32 ? (r.nextBoolean() ? DType.INT32 : DType.UINT32) : from == DType.FLOAT64 ? DType.INT64
          : from == DType.INT32 || from == DType.UINT32 ? DType.FLOAT32 : from == DType.INT64 ? DType.FLOAT64 : null;
      if (bits != null) return cand("bitcast_convert_type", true, e -> Ops.bitcastConvertType(e.get(i), bits));
    }
    return cand("convert_" + d.shortName(), v.exact(), e -> e.get(i).astype(d));
  }

  // ---------------------------------------------------------------- reductions, structure, dot

  private Cand reduce(List<Val> env) {
    int i = pickWhere(env, v -> v.type().rank() > 0 || r.nextInt(4) == 0);
    if (i < 0) return null;
    Val v = env.get(i);
    int rank = v.type().rank();
    int axis = rank == 0 ? 0 : r.nextInt(rank) - (r.nextBoolean() ? rank : 0);
    boolean keep = r.nextBoolean();
    int k = r.nextInt(10);
    boolean bool = v.type().dtype() == DType.BOOL;
    if (bool && k < 8) {
      boolean all = k % 2 == 0;
      return cand(all ? "all" : "any", true, e -> rank == 0 ? e.get(i) : all ? Np.all(e.get(i), axis, keep) : Np.any(e.get(i), axis, keep));
    }
    if (k >= 8 && (!v.exact() || tame)) k = 2;
    // max/min over an empty axis is -inf/+inf and its JVP NaN (0/0 ties, as in JAX) while the VJP is 0: not tame
    if (tame && v.type().size() == 0) k = 0;
    if (rank == 0 && k != 9) return cand("reduce_all_sum", false, e -> Np.sum(e.get(i)));
    final int kind = k;
    int[] axes = randomAxes(rank);
    boolean exactOut = v.exact() && (kind == 2 || kind == 3 || kind >= 8);
    String[] names = {"sum", "prod", "max", "min", "mean", "reduce_sum_axes", "reduce_max_axes", "logsumexp", "argmax", "argmin"};
    return cand(names[kind], exactOut, e -> {
      NDArray x = e.get(i);
      return switch (kind) {
        case 0 -> Np.sum(x, axis, keep);
        case 1 -> Np.prod(tame ? Np.tanh(x).add(1.5) : x, axis, keep);
        case 2 -> Np.max(x, axis, keep);
        case 3 -> Np.min(x, axis, keep);
        case 4 -> Np.mean(x, axis, keep);
        case 5 -> Ops.reduceSum(x, axes);
        case 6 -> Ops.reduceMax(x, axes);
        case 7 -> Nn.logsumexp(x.dtype().isFloating() ? x : x.astype(ft), axis, keep);
        case 8 -> Np.argmax(x, axis, keep);
        default -> Np.argmin(x, axis, keep);
      };
    });
  }

  private int[] randomAxes(int rank) {
    List<Integer> a = new ArrayList<>();
    for (int d = 0; d < rank; d++) if (r.nextBoolean()) a.add(d);
    return a.stream().mapToInt(Integer::intValue).toArray();
  }

  private Cand structural(List<Val> env) {
    int i = pick(env);
    Val v = env.get(i);
    int[] s = v.type().shape();
    int rank = s.length;
    int size = v.type().size();
    boolean ex = v.exact();
    switch (r.nextInt(14)) {
      case 0 -> {
        int[] ns = factor(size);
        return cand("reshape", ex, e -> Np.reshape(e.get(i), ns));
      }
      case 1 -> {
        int[] perm = perm(rank);
        return cand("transpose", ex, e -> Np.transpose(e.get(i), perm));
      }
      case 2 -> {
        if (rank == 0) return null;
        int axis = r.nextInt(rank), n = s[axis];
        int start = n == 0 ? 0 : r.nextInt(n + 1), limit = start + (n - start == 0 ? 0 : r.nextInt(n - start + 1)), stride = 1 + r.nextInt(2);
        return cand("slice", ex, e -> Lax.sliceInDim(e.get(i), start, limit, stride, axis));
      }
      case 3 -> {
        if (rank == 0) return null;
        int axis = r.nextInt(rank);
        int j = pickWhere(env, w -> w.type().dtype() == v.type().dtype() && w.type().rank() == rank && sameExcept(w.type().shape(), s, axis));
        final int b = j < 0 ? i : j;
        return cand("concatenate", ex && env.get(b).exact(), e -> Np.concatenate(new NDArray[] {e.get(i), Np.flip(e.get(b), axis), e.get(i)}, axis));
      }
      case 4 -> {
        int[][] cfg = new int[rank][3];
        for (int d = 0; d < rank; d++) {
          cfg[d][0] = r.nextInt(4) - 1;
          cfg[d][1] = r.nextInt(4) - 1;
          cfg[d][2] = s[d] > 1 && r.nextInt(3) == 0 ? 1 : 0;
          int len = s[d] + Math.max(0, s[d] - 1) * cfg[d][2];
          if (len + cfg[d][0] + cfg[d][1] < 0) cfg[d][0] = cfg[d][1] = 0;
        }
        double pv = r.nextInt(3) - 1;
        return cand("pad", ex, e -> Lax.pad(e.get(i), NDArray.scalar(pv, e.get(i).dtype()), cfg));
      }
      case 5 -> {
        if (rank == 0) return null;
        int[] axes = randomAxes(rank);
        return cand("rev", ex, e -> Np.flip(e.get(i), axes));
      }
      case 6 -> {
        int axis = r.nextInt(rank + 1);
        return cand("expand_dims", ex, e -> Np.expandDims(e.get(i), axis));
      }
      case 7 -> {
        int[] target = new int[rank + 1];
        target[0] = r.nextInt(3);
        for (int d = 0; d < rank; d++) target[d + 1] = s[d] == 1 && r.nextBoolean() ? 2 : s[d];
        return cand("broadcast_in_dim", ex, e -> Np.broadcastTo(e.get(i), target));
      }
      case 8 -> {
        if (rank == 0) return null;
        int axis = r.nextInt(rank), shift = r.nextInt(5) - 2;
        return cand("roll", ex, e -> Np.roll(e.get(i), shift, axis));
      }
      case 9 -> {
        if (rank == 0) return null;
        int[] starts = new int[rank], sizes = new int[rank];
        for (int d = 0; d < rank; d++) {
          sizes[d] = s[d] == 0 ? 0 : r.nextInt(s[d] + 1);
          starts[d] = r.nextInt(s[d] + 3) - 1; // out of range is clamped
        }
        return cand("dynamic_slice", ex, e -> Lax.dynamicSlice(e.get(i), starts, sizes));
      }
      case 10 -> {
        if (rank == 0) return null;
        int[] starts = new int[rank], sizes = new int[rank];
        for (int d = 0; d < rank; d++) {
          sizes[d] = s[d] == 0 ? 0 : r.nextInt(s[d] + 1);
          starts[d] = r.nextInt(s[d] + 3) - 1;
        }
        int j = pick(env);
        return cand("dynamic_update_slice", ex && env.get(j).exact(), e -> {
          NDArray upd = coerce(e.get(j), ArrayType.of(e.get(i).dtype(), sizes));
          return Lax.dynamicUpdateSlice(e.get(i), upd, starts);
        });
      }
      case 11 -> {
        if (rank == 0) return null;
        int axis = r.nextInt(rank), reps = r.nextInt(3);
        return cand("repeat", ex, e -> Np.repeat(e.get(i), reps, axis));
      }
      case 12 -> {
        int[] target = shape(3, 4);
        return cand("coerce", ex, e -> coerce(e.get(i), ArrayType.of(e.get(i).dtype(), target)));
      }
      default -> {
        if (rank == 0 || size == 0) return null;
        int axis = r.nextInt(rank);
        int k = r.nextInt(3);
        if (k == 1 && !ex) k = 0;
        final int kk = k;
        return cand(new String[] {"sort", "argsort", "sort_key_val"}[k], ex || kk == 0, e -> switch (kk) {
          case 0 -> Np.sort(e.get(i), axis);
          case 1 -> Np.argsort(e.get(i), axis);
          default -> Lax.sortKeyVal(e.get(i), Np.negative(e.get(i)), axis)[1];
        });
      }
    }
  }

  private static boolean sameExcept(int[] a, int[] b, int axis) {
    for (int d = 0; d < a.length; d++) if (d != axis && a[d] != b[d]) return false;
    return true;
  }

  private int[] perm(int rank) {
    List<Integer> p = new ArrayList<>();
    for (int d = 0; d < rank; d++) p.add(d);
    java.util.Collections.shuffle(p, r);
    return p.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A random shape with {@code size} elements (size 0: one axis of 0 among others). */
  private int[] factor(int size) {
    List<Integer> dims = new ArrayList<>();
    if (size == 0) {
      dims.add(0);
      if (r.nextBoolean()) dims.add(1 + r.nextInt(3));
    } else {
      int rest = size;
      for (int p = 2; p <= rest; p++) {
        while (rest % p == 0) {
          dims.add(p);
          rest /= p;
        }
      }
      // merge some neighbours, insert some ones
      for (int t = 0; t < dims.size() - 1; t++) {
        if (r.nextBoolean()) {
          dims.set(t, dims.get(t) * dims.remove(t + 1));
          t--;
          if (dims.size() <= 1) break;
        }
      }
      if (r.nextInt(3) == 0) dims.add(r.nextInt(dims.size() + 1), 1);
    }
    java.util.Collections.shuffle(dims, r);
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * {@code x} as an array of type {@code t}: converted, flattened, cut or zero-padded to the size, reshaped (exact
   * when {@code x} is; a float to integer conversion of an inexact value is the caller's to avoid).
   */
  static NDArray coerce(NDArray x, ArrayType t) {
    NDArray y = x.dtype() == t.dtype() ? x : x.astype(t.dtype());
    NDArray flat = Np.reshape(y, -1);
    int n = flat.size(), want = t.size();
    if (n > want) flat = Lax.sliceInDim(flat, 0, want, 1, 0);
    else if (n < want) flat = Lax.pad(flat, NDArray.scalar(0, t.dtype()), new int[][] {{0, want - n, 0}});
    return Np.reshape(flat, t.shape());
  }

  private Cand dot(List<Val> env) {
    int i = pickWhere(env, v -> isFloat(v) && v.type().rank() >= 1);
    if (i < 0) return null;
    int[] s = env.get(i).type().shape();
    int kdim = s[s.length - 1];
    int m = r.nextInt(4);
    int j = pickWhere(env, ProgramGenerator::isFloat);
    int mode = r.nextInt(4);
    return cand(new String[] {"matmul", "dot_vec", "dot_general_batch", "einsum"}[mode], false, e -> {
      NDArray a = e.get(i);
      switch (mode) {
        case 0 -> {
          return Np.matmul(a, coerce(e.get(j), ArrayType.of(a.dtype(), kdim, m)));
        }
        case 1 -> {
          return Np.dot(a, coerce(e.get(j), ArrayType.of(a.dtype(), kdim)));
        }
        case 2 -> {
          if (s.length < 2) return Np.matmul(a, coerce(e.get(j), ArrayType.of(a.dtype(), kdim, m)));
          NDArray b = coerce(e.get(j), ArrayType.of(a.dtype(), s[0], m, kdim));
          return Lax.dotGeneral(a, b, new int[] {s.length - 1}, new int[] {2}, new int[] {0}, new int[] {0});
        }
        default -> {
          NDArray b = coerce(e.get(j), ArrayType.of(a.dtype(), kdim));
          return s.length == 1 ? Np.einsum("i,i->", a, b) : Np.einsum("...i,i->...", a, b);
        }
      }
    });
  }

  private Cand cumulative(List<Val> env) {
    int i = pickWhere(env, v -> isFloat(v) && v.type().rank() >= 1);
    if (i < 0) return null;
    int rank = env.get(i).type().rank();
    int axis = r.nextInt(rank);
    boolean rev = r.nextBoolean();
    int k = r.nextInt(4);
    boolean exactOut = env.get(i).exact() && k >= 2;
    return cand(new String[] {"cumsum", "cumprod", "cummax", "cummin"}[k], exactOut, e -> switch (k) {
      case 0 -> Lax.cumsum(e.get(i), axis, rev);
      case 1 -> Lax.cumprod(tame ? Np.tanh(e.get(i)).add(1.2) : e.get(i), axis, rev);
      case 2 -> Lax.cummax(e.get(i), axis, rev);
      default -> Lax.cummin(e.get(i), axis, rev);
    });
  }

  /** Index arrays come from integer values (exact) or from static data, taken modulo the axis length. */
  private Cand gatherScatter(List<Val> env) {
    int i = pickWhere(env, v -> v.type().rank() >= 1 && v.type().size() > 0);
    if (i < 0) return null;
    int[] s = env.get(i).type().shape();
    int axis = r.nextInt(s.length), n = s[axis];
    int ji = pickWhere(env, ProgramGenerator::isInt);
    int[] idxShape = shape(2, 3);
    NDArray staticIdx = randomArray(DType.INT32, idxShape, false);
    int mode = r.nextInt(6);
    boolean ex = env.get(i).exact();
    int u = pick(env);
    Function<List<NDArray>, NDArray> idx = e -> {
      NDArray raw = ji >= 0 && mode % 2 == 0 ? e.get(ji) : staticIdx;
      return Np.remainder(raw.astype(DType.INT32), NDArray.scalar(n, DType.INT32));
    };
    String[] names = {"take", "gather", "take_clip", "scatter_add", "scatter", "scatter_max"};
    boolean exactOut = ex && (mode != 3 || !isFloat(env.get(i))) && env.get(u).exact() && (mode != 4);
    if (mode == 4 && !ex) return null;
    return cand(names[mode], mode < 3 ? ex : exactOut, e -> {
      NDArray x = e.get(i), ix = idx.apply(e);
      switch (mode) {
        case 0 -> {
          return Np.take(x, ix, axis);
        }
        case 1 -> {
          return Lax.gather(x, ix, axis);
        }
        case 2 -> {
          return Np.take(x, Np.subtract(ix, NDArray.scalar(1, DType.INT32)), axis, "clip");
        }
        default -> {
          int[] us = dev.arrax.core.Shapes.concat(dev.arrax.core.Shapes.concat(Arrays.copyOfRange(s, 0, axis), ix.shape()),
              Arrays.copyOfRange(s, axis + 1, s.length));
          NDArray upd = coerce(isFloat(env.get(u)) && !x.dtype().isFloating() ? Np.zerosLike(e.get(u)) : e.get(u), ArrayType.of(x.dtype(), us));
          if (x.dtype() == DType.BOOL) return Lax.scatterMax(x, ix, upd, axis, "drop");
          // scatter (set) with repeated indices: one update wins, which one is the implementation's; keep indices unique
          if (mode == 4) return Lax.scatter(x, Lax.iota(DType.INT32, 1), coerce(upd, ArrayType.of(x.dtype(), withAxis(s, axis, 1))), axis, "drop");
          return mode == 3 ? Lax.scatterAdd(x, ix, upd, axis, "drop") : Lax.scatterMax(x, ix, upd, axis, "clip");
        }
      }
    });
  }

  private static int[] withAxis(int[] s, int axis, int n) {
    int[] c = s.clone();
    c[axis] = n;
    return c;
  }

  // ---------------------------------------------------------------- control flow

  private Cand control(List<Val> env, int depth) {
    int k = r.nextInt(tame ? 6 : 7);
    int i = pick(env);
    Val v = env.get(i);
    if (isFloat(v) && !v.exact() && !v.type().dtype().equals(ft)) return null;
    ArrayType t = v.type();
    int steps = 1 + r.nextInt(4);
    switch (k) {
      case 0, 1 -> {
        // cond / switch on an exact predicate; both branches are recipes of the operand, coerced to one type
        int p = pickWhere(env, Val::exact);
        if (p < 0) return null;
        int nb = k == 0 ? 2 : 1 + r.nextInt(3);
        List<Val> in = List.of(new Val(v.example(), v.exact()));
        Recipe[] bs = new Recipe[nb];
        for (int b = 0; b < nb; b++) bs[b] = recipe(in, steps, depth + 1, 1);
        ArrayType out = safeOut(bs[0], v.example(), t);
        Fn[] fns = new Fn[nb];
        for (int b = 0; b < nb; b++) {
          Recipe rb = bs[b];
          fns[b] = xs -> coerce(safe(rb.run(xs)[0], out.dtype()), out);
        }
        double thr = Math.round(r.nextGaussian() * 2) / 2.0;
        return cand(k == 0 ? "cond" : "switch", false, e -> {
          NDArray pv = e.get(p);
          NDArray first = pv.size() == 0 ? NDArray.scalar(0, pv.dtype()) : Lax.indexInDim(Np.reshape(pv, -1), 0, 0, false);
          if (k == 0) return Lax.cond(Np.greater(first.astype(DType.FLOAT64), thr), fns[0], fns[1], e.get(i));
          return Lax.switchCase(first.astype(DType.FLOAT64).astype(DType.INT32), fns, e.get(i));
        });
      }
      case 2 -> {
        // fori loop: body of (i, carry), carry coerced back to its type
        int lo = r.nextInt(3) - 1, hi = lo + r.nextInt(4);
        List<Val> in = List.of(new Val(NDArray.scalar(0, DType.INT32), true), new Val(v.example(), v.exact()));
        Recipe body = recipe(in, steps, depth + 1, 1);
        return cand("fori_loop", false, e -> Lax.foriLoop(lo, hi, (ii, c) -> coerce(tameCarry(safe(body.run(new NDArray[] {ii, c})[0], t.dtype()), t.dtype()), t), e.get(i)));
      }
      case 3 -> {
        // scan over the leading axis of a value, carrying another
        int j = pickWhere(env, w -> w.type().rank() >= 1);
        if (j < 0) return null;
        Val xs = env.get(j);
        NDArray slice = xs.type().dim(0) == 0 ? Np.zeros(Arrays.copyOfRange(xs.type().shape(), 1, xs.type().rank()), xs.type().dtype())
            : Lax.indexInDim(xs.example(), 0, 0, false);
        List<Val> in = List.of(new Val(v.example(), v.exact()), new Val(slice, xs.exact()));
        Recipe body = recipe(in, steps, depth + 1, 2);
        boolean rev = r.nextBoolean();
        boolean wantYs = r.nextBoolean();
        return cand("scan", false, e -> {
          dev.arrax.ScanResult res = Lax.scan((c, x) -> {
            NDArray[] o = body.run(new NDArray[] {c, x});
            return new ScanBody.Step(coerce(tameCarry(safe(o[1], t.dtype()), t.dtype()), t), o[0]);
          }, e.get(i), e.get(j), rev);
          return wantYs ? res.ys() : res.carry();
        });
      }
      case 4 -> {
        if (!isFloat(v)) return null;
        Recipe body = recipe(List.of(new Val(v.example(), v.exact())), steps, depth + 1, 1);
        return cand("checkpoint", false, e -> Arrax.checkpoint(xs -> coerce(safe(body.run(xs)[0], t.dtype()), t)).apply(e.get(i)));
      }
      case 5 -> {
        return cand("optimization_barrier", v.exact(), e -> OptimizationBarrier.apply(e.get(i))[0]);
      }
      default -> {
        // while loop: the carry is [counter, data...] in the float type; the counter (exact) bounds the trip count
        if (!isFloat(v)) return null;
        int m = t.size(), trips = r.nextInt(4);
        NDArray ex0 = Np.concatenate(new NDArray[] {NDArray.scalar(0, ft).reshape(1), Np.reshape(v.example().astype(ft), -1)}, 0);
        Recipe body = recipe(List.of(new Val(Lax.sliceInDim(ex0, 1, 1 + m, 1, 0), false)), steps, depth + 1, 1);
        hasWhile = true;
        return cand("while", false, e -> {
          NDArray init = Np.concatenate(new NDArray[] {NDArray.scalar(0, ft).reshape(1), Np.reshape(e.get(i).astype(ft), -1)}, 0);
          NDArray res = Lax.whileLoop(c -> Np.less(Lax.indexInDim(c[0], 0, 0, false), (double) trips), c -> {
            NDArray data = Lax.sliceInDim(c[0], 1, 1 + m, 1, 0);
            NDArray next = coerce(tameCarry(safe(body.run(new NDArray[] {data})[0], ft), ft), ArrayType.of(ft, m));
            return Np.concatenate(new NDArray[] {Lax.sliceInDim(c[0], 0, 1, 1, 0).add(1.0), next}, 0);
          }, init);
          return Np.reshape(Lax.sliceInDim(res, 1, 1 + m, 1, 0), t.shape());
        });
      }
    }
  }

  /** The output type of a branch recipe on its example (falls back to the operand's type). */
  private ArrayType safeOut(Recipe rec, NDArray example, ArrayType fallback) {
    try {
      return rec.run(new NDArray[] {example})[0].type();
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  /** A float result headed for an integer type goes through zeros: an inexact float must not become an integer. */
  private static NDArray safe(NDArray x, DType to) {
    return x.dtype().isFloating() && !to.isFloating() ? Np.zerosLike(x).astype(to) : x;
  }

  /** Loop carries in tame programs are squashed so repeated steps cannot overflow. */
  private NDArray tameCarry(NDArray x, DType d) {
    return tame && x.dtype().isFloating() ? Np.tanh(x).mul(2.0) : x;
  }
}
