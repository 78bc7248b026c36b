package dev.arrax.compile;

import dev.arrax.DType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Shapes;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Var;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes the Java source of a {@link FusedGroup}'s loop nest: one loop over rows, one over the
 * innermost axis, each member equation one local variable. The source depends on the group's shape
 * except its leading axis, so batches of different sizes share one compiled kernel.
 *
 * <p>Floating arithmetic is written in the group's dtype ({@code float} for f32), and transcendental
 * functions call {@link Math} in double and round once, so each operation gives the same bits as the
 * reference evaluator.
 */
final class KernelSourceWriter {
  private final FusedGroup g;
  private final StringBuilder src = new StringBuilder();
  private final Map<Var, String> names = new IdentityHashMap<>();
  private int fresh;

  private KernelSourceWriter(FusedGroup g) {
    this.g = g;
  }

  static String write(FusedGroup g) {
    return new KernelSourceWriter(g).generate();
  }

  private String generate() {
    String ft = javaType(g.floatType);
    line(0, "public final class " + KernelCache.placeholder() + " implements dev.arrax.compile.Kernel {");
    line(1, "public void run(Object[] b, int rowFrom, int rowTo, int colFrom, int colTo) {");
    int nIn = g.inputs.size();
    for (int i = 0; i < nIn; i++) {
      String t = javaType(g.inputs.get(i).source().type().dtype());
      line(2, "final " + t + "[] in" + i + " = (" + t + "[]) b[" + i + "];");
    }
    for (int k = 0; k < g.outputs.size(); k++) {
      String t = javaType(g.outputs.get(k).type().dtype());
      line(2, "final " + t + "[] out" + k + " = (" + t + "[]) b[" + (nIn + k) + "];");
    }
    int inner = g.inner(), r = Math.max(1, g.rank());
    int[] shape = g.rank() == 0 ? new int[] {1} : g.shape;
    line(2, "for (int o = rowFrom; o < rowTo; o++) {");
    // Row offsets of the inputs: identity inputs start at o * inner; broadcast inputs unravel o.
    boolean needUnravel = false;
    long[][] strides = new long[nIn][];
    for (int i = 0; i < nIn; i++) {
      strides[i] = groupStrides(g.inputs.get(i), r);
      needUnravel |= !isContiguous(strides[i], shape) && r > 1;
    }
    if (needUnravel) {
      line(3, "int q = o;");
      for (int a = r - 2; a >= 1; a--) {
        line(3, "final int i" + a + " = q % " + shape[a] + "; q /= " + shape[a] + ";");
      }
      line(3, "final int i0 = q;");
    }
    for (int i = 0; i < nIn; i++) {
      StringBuilder off = new StringBuilder();
      if (isContiguous(strides[i], shape)) {
        off.append("o * ").append(inner);
      } else {
        for (int a = 0; a < r - 1; a++) {
          if (strides[i][a] != 0) off.append(off.length() > 0 ? " + " : "").append("i").append(a).append(" * ").append(strides[i][a]);
        }
        if (off.length() == 0) off.append("0");
      }
      line(3, "final int base" + i + " = " + off + ";");
    }
    for (Var red : g.reductions) {
      Eqn e = producer(red);
      line(3, ft + " " + accName(red) + " = " + reductionInit(e) + ";");
    }
    line(3, "for (int j = colFrom; j < colTo; j++) {");
    for (Eqn e : g.members) {
      if (g.reductions.contains(e.outputs().get(0))) {
        Var red = e.outputs().get(0);
        String x = ref(e.inputs().get(0));
        String acc = accName(red);
        line(4, acc + " = " + switch (e.primitive().name()) {
          case "reduce_sum" -> acc + " + " + x;
          case "reduce_max" -> "Math.max(" + acc + ", " + x + ")";
          default -> "Math.min(" + acc + ", " + x + ")";
        } + ";");
        continue;
      }
      Var out = e.outputs().get(0);
      String name = "v" + (fresh++);
      names.put(out, name);
      line(4, "final " + javaType(out.type().dtype()) + " " + name + " = " + expression(e) + ";");
    }
    int k = 0;
    for (Var out : g.outputs) {
      if (!g.reductions.contains(out)) line(4, "out" + k + "[o * " + inner + " + j] = " + names.get(out) + ";");
      k++;
    }
    line(3, "}");
    k = 0;
    for (Var out : g.outputs) {
      if (g.reductions.contains(out)) line(3, "out" + k + "[o] = " + accName(out) + ";");
      k++;
    }
    line(2, "}");
    line(1, "}");
    line(0, "}");
    return src.toString();
  }

  private Eqn producer(Var v) {
    for (Eqn e : g.members) if (e.outputs().get(0) == v) return e;
    throw new IllegalStateException("internal: no producer in group");
  }

  private String accName(Var v) {
    return "acc" + System.identityHashCode(v);
  }

  private String reductionInit(Eqn e) {
    boolean f32 = g.floatType == DType.FLOAT32;
    return switch (e.primitive().name()) {
      case "reduce_sum" -> f32 ? "0f" : "0d";
      case "reduce_max" -> f32 ? "Float.NEGATIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
      default -> f32 ? "Float.POSITIVE_INFINITY" : "Double.POSITIVE_INFINITY";
    };
  }

  /** Per group axis, the stride of this input in its own (row-major) array; 0 where it is broadcast. */
  private static long[] groupStrides(FusedGroup.Input in, int rank) {
    long[] s = new long[rank];
    int[] p = in.sourceShape();
    int[] ps = Shapes.strides(p);
    for (int k = 0; k < p.length; k++) {
      if (p[k] > 1) s[in.dims()[k]] = ps[k];
    }
    return s;
  }

  private static boolean isContiguous(long[] strides, int[] shape) {
    long acc = 1;
    for (int a = shape.length - 1; a >= 0; a--) {
      if (shape[a] > 1 && strides[a] != acc) return false;
      acc *= shape[a];
    }
    return true;
  }

  /** Java expression reading an atom inside the inner loop. */
  private String ref(Atom a) {
    if (a instanceof Literal l) return constant(l.value());
    Var v = (Var) a;
    String n = names.get(v);
    if (n != null) return n;
    Atom c = g.constantOfVar.get(v);
    if (c != null) return constant(((Literal) c).value());
    Integer i = g.inputIndexOfVar.get(v);
    if (i == null) throw new IllegalStateException("internal: group reads an unknown value " + v);
    long[] st = groupStrides(g.inputs.get(i), Math.max(1, g.rank()));
    boolean innerMoves = st[st.length - 1] != 0 || isContiguous(st, g.rank() == 0 ? new int[] {1} : g.shape);
    return "in" + i + "[base" + i + (innerMoves ? " + j" : "") + "]";
  }

  private String expression(Eqn e) {
    String op = e.primitive().name();
    DType t = e.outputs().get(0).type().dtype();
    String cast = t == DType.FLOAT32 ? "(float) " : "";
    String a = e.inputs().isEmpty() ? null : ref(e.inputs().get(0));
    String b = e.inputs().size() > 1 ? ref(e.inputs().get(1)) : null;
    return switch (op) {
      case "add" -> "(" + a + " + " + b + ")";
      case "sub" -> "(" + a + " - " + b + ")";
      case "mul" -> "(" + a + " * " + b + ")";
      case "div" -> "(" + a + " / " + b + ")";
      case "max" -> "Math.max(" + a + ", " + b + ")";
      case "min" -> "Math.min(" + a + ", " + b + ")";
      case "pow" -> cast + "Math.pow(" + a + ", " + b + ")";
      case "neg" -> "(-" + a + ")";
      case "exp", "log", "log1p", "expm1", "tanh", "sin", "cos", "tan", "sqrt", "floor", "ceil" -> cast + "Math." + op + "(" + a + ")";
      case "abs" -> "Math.abs(" + a + ")";
      case "sign" -> "Math.signum(" + a + ")";
      case "logistic" -> cast + "dev.arrax.compile.ScalarKernels.logistic(" + a + ")";
      case "erf" -> cast + "dev.arrax.primitives.SpecialFunctions.erf(" + a + ")";
      case "eq" -> "(" + a + " == " + b + ")";
      case "ne" -> "(" + a + " != " + b + ")";
      case "lt" -> "(" + a + " < " + b + ")";
      case "le" -> "(" + a + " <= " + b + ")";
      case "gt" -> "(" + a + " > " + b + ")";
      case "ge" -> "(" + a + " >= " + b + ")";
      case "and" -> "(" + a + " && " + b + ")";
      case "or" -> "(" + a + " || " + b + ")";
      case "not" -> "(!" + a + ")";
      case "is_finite" -> (e.inputs().get(0).type().dtype() == DType.FLOAT32 ? "Float" : "Double") + ".isFinite(" + a + ")";
      case "stop_gradient" -> a;
      case "select_n" -> "(" + a + " ? " + ref(e.inputs().get(2)) + " : " + b + ")";
      case "convert_element_type" -> convert(e.inputs().get(0).type().dtype(), t, a);
      default -> throw new IllegalStateException("internal: no code generation for " + op);
    };
  }

  private static String convert(DType from, DType to, String a) {
    if (from == to) return a;
    if (from == DType.BOOL) return "(" + a + " ? " + (to == DType.FLOAT32 ? "1f : 0f" : "1d : 0d") + ")";
    if (to == DType.BOOL) return "(" + a + " != 0)";
    throw new IllegalStateException("internal: no fused conversion " + from + " -> " + to);
  }

  static String constant(ConcreteArray c) {
    return switch (c.dtype()) {
      case FLOAT32 -> "Float.intBitsToFloat(" + Float.floatToRawIntBits((float) c.buffer().getDouble(0)) + ")";
      case FLOAT64 -> "Double.longBitsToDouble(" + Double.doubleToRawLongBits(c.buffer().getDouble(0)) + "L)";
      case BOOL -> Boolean.toString(c.buffer().getBool(0));
      default -> throw new IllegalStateException("internal: no fused constant of " + c.dtype());
    };
  }

  static String javaType(DType d) {
    return switch (d) {
      case FLOAT32 -> "float";
      case FLOAT64 -> "double";
      case BOOL -> "boolean";
      default -> throw new IllegalStateException("internal: no fused type for " + d);
    };
  }

  private void line(int indent, String s) {
    src.append("  ".repeat(indent)).append(s).append('\n');
  }
}
