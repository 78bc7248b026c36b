package dev.arrax.gpu.plan;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.backend.HostArrays;
import dev.arrax.core.ArrayType;
import java.util.Arrays;

/**
 * Runs a {@link GpuPlan} on the host with cuDF's documented semantics: the emulator that checks a
 * lowering where no GPU is present (tests, and {@code bench.sh}'s {@code emulated_max_rel_err}).
 *
 * <p>Semantics, as the device computes them:
 * <ul>
 *   <li>FLOAT32 arithmetic ({@code + - * /}, comparisons) in Java {@code float}: IEEE single precision,
 *       round to nearest, no fused multiply-add (the AST interpreter evaluates each operator separately);
 *       {@code sqrt}, {@code floor}, {@code ceil}, {@code abs} and {@code rint} are exact on both.</li>
 *   <li>Transcendental functions ({@code exp, log, tanh, sin, cos, tan, pow}, ...) of a FLOAT32 operand
 *       as {@code (float) Math.f(x)}: the correctly rounded value (within 1 ulp). CUDA's {@code expf},
 *       {@code logf}, {@code tanhf} have maximum errors of 1 to 2 ulp (CUDA C Programming Guide, "Mathematical
 *       Functions"), so device and emulator agree to a few ulp, not bit for bit.</li>
 *   <li>{@code MOD} on floats is C's {@code fmod} (Java's {@code %}).</li>
 *   <li>Segmented and column sums accumulate in FLOAT64 (the plan asks cuDF for a FLOAT64 result); the
 *       device adds in a tree order, the emulator in row order: both round to the same float almost always.</li>
 *   <li>Segmented MAX/MIN ignore NaN here; cuDF does not define which value a NaN yields. Plans never
 *       use them unguarded (the lowering masks them with ANY over {@code x != x}), so the choice does not
 *       reach results.</li>
 *   <li>Casts: FLOAT64 to FLOAT32 rounds to nearest; BOOL8 to a float gives 0 or 1.</li>
 * </ul>
 * Operators the lowering never emits ({@code TRUE_DIV, FLOOR_DIV, PYMOD}, bitwise and null-aware ones,
 * integer casts) are rejected.
 */
public final class HostEvaluator {
  private HostEvaluator() {}

  /** Runs the plan on the whole batch. */
  public static NDArray[] run(GpuPlan plan, NDArray... args) {
    return run(plan, Integer.MAX_VALUE, Integer.MAX_VALUE, args);
  }

  /**
   * Runs the plan in parts of at most {@code maxChunkRows} rows, as the device does; a part of more than
   * {@code memoryRows} rows fails as if the device were out of memory and is split (tests of the split).
   */
  public static NDArray[] run(GpuPlan plan, int maxChunkRows, int memoryRows, NDArray... args) {
    checkArgs(plan, args);
    HostSlots slots = HostSlots.prepare(plan, i -> args[i]);
    int rows = plan.rows();
    Object[] outData = new Object[plan.outTypes().length];
    for (OutputBinding b : plan.outputs()) {
      if (!(b instanceof OutputBinding.Host)) outData[b.output()] = newArray(ColumnType.of(plan.outTypes()[b.output()].dtype()), plan.outTypes()[b.output()].size());
    }
    double[] sums = RowChunks.run(rows, plan.scalars(), maxChunkRows, 1, (from, to) -> {
      if (to - from > memoryRows) throw new SimulatedOutOfMemory(to - from);
      return runPart(plan, slots, args, outData, from, to);
    }, e -> e instanceof SimulatedOutOfMemory);
    slots.finish(sums);
    NDArray[] out = new NDArray[plan.outTypes().length];
    for (OutputBinding b : plan.outputs()) {
      ArrayType t = plan.outTypes()[b.output()];
      out[b.output()] = b instanceof OutputBinding.Host h ? slots.output(h.view(), t) : HostArrays.wrap(t.dtype(), outData[b.output()], t.shape());
    }
    return out;
  }

  /** The failure a part too large for {@code memoryRows} throws in {@link #run(GpuPlan, int, int, NDArray...)}. */
  static final class SimulatedOutOfMemory extends RuntimeException {
    SimulatedOutOfMemory(int rows) {
      super("simulated device out of memory for " + rows + " rows");
    }
  }

  private static void checkArgs(GpuPlan plan, NDArray[] args) {
    if (args.length != plan.inTypes().length) {
      throw new ArraxException("gpu plan takes " + plan.inTypes().length + " arguments " + Arrays.toString(plan.inTypes()) + ", got " + args.length);
    }
    for (int i = 0; i < args.length; i++) {
      if (!args[i].type().equals(plan.inTypes()[i])) throw new ArraxException("gpu plan argument " + i + " must be " + plan.inTypes()[i] + ", got " + args[i].type());
    }
  }

  private static double[] runPart(GpuPlan plan, HostSlots slots, NDArray[] args, Object[] outData, int from, int to) {
    int n = to - from;
    Object[] cols = new Object[plan.columns().size()];
    for (InputBinding b : plan.inputs()) {
      Object src = b instanceof InputBinding.Parameter ? null : HostArrays.data(args[b.input()]);
      if (b instanceof InputBinding.Rows r) {
        int w = r.columns().length;
        for (int k = 0; k < w; k++) {
          ColumnType t = plan.column(r.columns()[k]).type();
          Object c = newArray(t, n);
          for (int i = 0; i < n; i++) copy(t, src, (from + i) * w + k, c, i);
          cols[r.columns()[k]] = c;
        }
      } else if (b instanceof InputBinding.Wide wb) {
        ColumnInfo info = plan.column(wb.column());
        Object c = newArray(info.type(), n * info.width());
        System.arraycopy(src, from * info.width(), c, 0, n * info.width());
        cols[wb.column()] = c;
      }
    }
    double[] sums = new double[plan.scalars()];
    for (Step s : plan.steps()) {
      if (s instanceof Step.ColumnSum cs) {
        sums[cs.out()] = sum(plan.column(cs.in()).type(), cols[cs.in()]);
        continue;
      }
      ColumnInfo out = plan.column(s.out());
      cols[s.out()] = step(s, out, n * out.width(), cols, slots, plan);
    }
    for (OutputBinding b : plan.outputs()) {
      if (b instanceof OutputBinding.Rows r) {
        int w = r.columns().length;
        for (int k = 0; k < w; k++) {
          ColumnType t = plan.column(r.columns()[k]).type();
          for (int i = 0; i < n; i++) copy(t, cols[r.columns()[k]], i, outData[b.output()], (from + i) * w + k);
        }
      } else if (b instanceof OutputBinding.Wide wb) {
        int w = plan.column(wb.column()).width();
        System.arraycopy(cols[wb.column()], 0, outData[b.output()], from * w, n * w);
      }
    }
    return sums;
  }

  private static Object step(Step s, ColumnInfo out, int len, Object[] cols, HostSlots slots, GpuPlan plan) {
    if (s instanceof Step.Compute c) return full(eval(c.expr(), len, cols, slots), c.expr().type(), len);
    if (s instanceof Step.Fill f) return full(eval(f.value(), 1, cols, slots), f.value().type(), len);
    if (s instanceof Step.IfElse ie) {
      boolean[] p = (boolean[]) cols[ie.predicate()];
      Object t = operand(ie.onTrue(), len, cols, slots), f = operand(ie.onFalse(), len, cols, slots);
      Object r = newArray(out.type(), len);
      for (int i = 0; i < len; i++) copy(out.type(), p[i] ? t : f, i, r, i);
      return r;
    }
    if (s instanceof Step.Cast c) return cast(cols[c.in()], plan.column(c.in()).type(), c.to());
    if (s instanceof Step.RowBroadcast rb) {
      Object in = cols[rb.in()];
      Object r = newArray(out.type(), len);
      for (int i = 0; i < len; i++) copy(out.type(), in, i / rb.width(), r, i);
      return r;
    }
    if (s instanceof Step.ParamBroadcast pb) {
      int w = pb.sourceIndex().length;
      Object row = newArray(pb.type(), w);
      for (int k = 0; k < w; k++) set(pb.type(), row, k, slots.element(pb.slot(), pb.sourceIndex()[k]));
      Object r = newArray(out.type(), len);
      for (int i = 0; i < len; i += w) System.arraycopy(row, 0, r, i, w);
      return r;
    }
    if (s instanceof Step.SegmentedReduce sr) return segmented(sr, plan.column(sr.in()), cols[sr.in()], len);
    throw new IllegalStateException("unknown step " + s);
  }

  private static Object operand(Operand o, int len, Object[] cols, HostSlots slots) {
    if (o instanceof Operand.Col c) return cols[c.id()];
    Expr e = ((Operand.Scalar) o).value();
    return full(eval(e, 1, cols, slots), e.type(), len);
  }

  /** Evaluates an expression of literals only (a {@link Step.Fill}, a scalar operand) as the device's scalar. */
  public static double evalLiteral(Expr e, HostSlots slots) {
    Object v = eval(e, 1, new Object[0], slots);
    return get(e.type(), v, 0);
  }

  // ---- AST evaluation, a whole column at a time ----

  private static Object eval(Expr e, int len, Object[] cols, HostSlots slots) {
    if (e instanceof Expr.Column c) return cols[c.id()];
    if (e instanceof Expr.Const || e instanceof Expr.Param) {
      Object a = newArray(e.type(), 1);
      set(e.type(), a, 0, slots.literal(e));
      return a;
    }
    if (e instanceof Expr.Unary u) {
      Object x = eval(u.operand(), len, cols, slots);
      return unary(u.op(), u.operand().type(), x, lengthOf(x, len));
    }
    Expr.Binary b = (Expr.Binary) e;
    Object l = eval(b.left(), len, cols, slots), r = eval(b.right(), len, cols, slots);
    int n = Math.max(lengthOf(l, len), lengthOf(r, len));
    return binary(b.op(), b.left().type(), l, r, n);
  }

  private static int lengthOf(Object a, int len) {
    return java.lang.reflect.Array.getLength(a);
  }

  private static Object unary(AstUnaryOp op, ColumnType t, Object x, int n) {
    if (op == AstUnaryOp.IDENTITY) return x;
    if (t == ColumnType.BOOL8) {
      if (op != AstUnaryOp.NOT) throw unsupported(op + " on BOOL8");
      boolean[] a = (boolean[]) x, r = new boolean[n];
      for (int i = 0; i < n; i++) r[i] = !a[i];
      return r;
    }
    if (op == AstUnaryOp.CAST_TO_FLOAT64) return cast(x, t, ColumnType.FLOAT64);
    if (t == ColumnType.FLOAT32) {
      float[] a = (float[]) x, r = new float[n];
      for (int i = 0; i < n; i++) r[i] = (float) f(op, a[i]);
      return r;
    }
    double[] a = (double[]) x, r = new double[n];
    for (int i = 0; i < n; i++) r[i] = f(op, a[i]);
    return r;
  }

  private static double f(AstUnaryOp op, double x) {
    return switch (op) {
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
      case TAN -> Math.tan(x);
      case ARCSIN -> Math.asin(x);
      case ARCCOS -> Math.acos(x);
      case ARCTAN -> Math.atan(x);
      case SINH -> Math.sinh(x);
      case COSH -> Math.cosh(x);
      case TANH -> Math.tanh(x);
      case ARCSINH -> Double.isInfinite(x) ? x : Math.copySign(Math.log(Math.abs(x) + Math.sqrt(x * x + 1)), x);
      case ARCCOSH -> Math.log(x + Math.sqrt(x * x - 1));
      case ARCTANH -> 0.5 * Math.log((1 + x) / (1 - x));
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SQRT -> Math.sqrt(x);
      case CBRT -> Math.cbrt(x);
      case CEIL -> Math.ceil(x);
      case FLOOR -> Math.floor(x);
      case ABS -> Math.abs(x);
      case RINT -> Math.rint(x);
      default -> throw unsupported("AST " + op + " on floats");
    };
  }

  private static Object binary(AstBinaryOp op, ColumnType t, Object l, Object r, int n) {
    boolean ls = java.lang.reflect.Array.getLength(l) == 1 && n > 1, rs = java.lang.reflect.Array.getLength(r) == 1 && n > 1;
    if (t == ColumnType.BOOL8) {
      boolean[] a = (boolean[]) l, b = (boolean[]) r, out = new boolean[n];
      for (int i = 0; i < n; i++) {
        boolean x = a[ls ? 0 : i], y = b[rs ? 0 : i];
        out[i] = switch (op) {
          case LOGICAL_AND -> x && y;
          case LOGICAL_OR -> x || y;
          case EQUAL -> x == y;
          case NOT_EQUAL -> x != y;
          default -> throw unsupported("AST " + op + " on BOOL8");
        };
      }
      return out;
    }
    if (op.isComparison()) {
      boolean[] out = new boolean[n];
      for (int i = 0; i < n; i++) {
        double x = get(t, l, ls ? 0 : i), y = get(t, r, rs ? 0 : i);
        out[i] = switch (op) {
          case EQUAL -> x == y;
          case NOT_EQUAL -> x != y;
          case LESS -> x < y;
          case GREATER -> x > y;
          case LESS_EQUAL -> x <= y;
          case GREATER_EQUAL -> x >= y;
          default -> throw unsupported("AST " + op);
        };
      }
      return out;
    }
    if (t == ColumnType.FLOAT32) {
      float[] a = (float[]) l, b = (float[]) r, out = new float[n];
      for (int i = 0; i < n; i++) {
        float x = a[ls ? 0 : i], y = b[rs ? 0 : i];
        out[i] = switch (op) {
          case ADD -> x + y;
          case SUB -> x - y;
          case MUL -> x * y;
          case DIV -> x / y;
          case MOD -> x % y;
          case POW -> (float) Math.pow(x, y);
          default -> throw unsupported("AST " + op + " on FLOAT32");
        };
      }
      return out;
    }
    double[] a = (double[]) l, b = (double[]) r, out = new double[n];
    for (int i = 0; i < n; i++) {
      double x = a[ls ? 0 : i], y = b[rs ? 0 : i];
      out[i] = switch (op) {
        case ADD -> x + y;
        case SUB -> x - y;
        case MUL -> x * y;
        case DIV -> x / y;
        case MOD -> x % y;
        case POW -> Math.pow(x, y);
        default -> throw unsupported("AST " + op + " on FLOAT64");
      };
    }
    return out;
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException("HostEvaluator: " + what + " is never emitted by the lowering and is not emulated");
  }

  // ---- column operations ----

  private static Object segmented(Step.SegmentedReduce s, ColumnInfo in, Object data, int rows) {
    int w = in.width();
    Object r = newArray(s.resultType(), rows);
    for (int row = 0; row < rows; row++) {
      int o = row * w;
      switch (s.op()) {
        case SUM -> {
          double acc = 0;
          for (int k = 0; k < w; k++) acc += get(in.type(), data, o + k);
          set(s.resultType(), r, row, acc);
        }
        case MAX, MIN -> {
          double acc = Double.NaN;
          for (int k = 0; k < w; k++) {
            double v = get(in.type(), data, o + k);
            if (Double.isNaN(v)) continue;
            acc = Double.isNaN(acc) ? v : s.op() == Step.ReduceOp.MAX ? Math.max(acc, v) : Math.min(acc, v);
          }
          set(s.resultType(), r, row, acc);
        }
        case ANY -> {
          boolean any = false;
          for (int k = 0; k < w && !any; k++) any = get(in.type(), data, o + k) != 0;
          set(s.resultType(), r, row, any ? 1 : 0);
        }
      }
    }
    return r;
  }

  private static double sum(ColumnType t, Object data) {
    double acc = 0;
    int n = java.lang.reflect.Array.getLength(data);
    for (int i = 0; i < n; i++) acc += get(t, data, i);
    return acc;
  }

  private static Object cast(Object in, ColumnType from, ColumnType to) {
    int n = java.lang.reflect.Array.getLength(in);
    Object r = newArray(to, n);
    for (int i = 0; i < n; i++) set(to, r, i, get(from, in, i));
    return r;
  }

  private static Object full(Object v, ColumnType t, int len) {
    if (java.lang.reflect.Array.getLength(v) == len) return v;
    Object r = newArray(t, len);
    double x = get(t, v, 0);
    for (int i = 0; i < len; i++) set(t, r, i, x);
    return r;
  }

  static Object newArray(ColumnType t, int n) {
    return switch (t) {
      case FLOAT32 -> new float[n];
      case FLOAT64 -> new double[n];
      case BOOL8 -> new boolean[n];
    };
  }

  private static double get(ColumnType t, Object a, int i) {
    return switch (t) {
      case FLOAT32 -> ((float[]) a)[i];
      case FLOAT64 -> ((double[]) a)[i];
      case BOOL8 -> ((boolean[]) a)[i] ? 1 : 0;
    };
  }

  private static void set(ColumnType t, Object a, int i, double v) {
    switch (t) {
      case FLOAT32 -> ((float[]) a)[i] = (float) v;
      case FLOAT64 -> ((double[]) a)[i] = v;
      case BOOL8 -> ((boolean[]) a)[i] = v != 0;
    }
  }

  private static void copy(ColumnType t, Object src, int i, Object dst, int j) {
    switch (t) {
      case FLOAT32 -> ((float[]) dst)[j] = ((float[]) src)[i];
      case FLOAT64 -> ((double[]) dst)[j] = ((double[]) src)[i];
      case BOOL8 -> ((boolean[]) dst)[j] = ((boolean[]) src)[i];
    }
  }
}
