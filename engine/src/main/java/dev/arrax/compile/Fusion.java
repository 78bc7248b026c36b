package dev.arrax.compile;

import dev.arrax.DType;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import java.util.Set;

/** Which equations the loop generator can fuse, and their iteration shapes. */
final class Fusion {
  private Fusion() {}

  private static final Set<String> ELEMENTWISE = Set.of(
      "add", "sub", "mul", "div", "max", "min", "pow", "neg", "exp", "log", "log1p", "expm1", "tanh", "logistic",
      "sin", "cos", "tan", "sqrt", "abs", "sign", "floor", "ceil", "erf", "eq", "ne", "lt", "le", "gt", "ge",
      "and", "or", "not", "is_finite", "stop_gradient", "select_n", "convert_element_type");

  private static final Set<String> REDUCTIONS = Set.of("reduce_sum", "reduce_max", "reduce_min");

  static boolean isFusable(Eqn e) {
    String n = e.primitive().name();
    if (ELEMENTWISE.contains(n)) {
      for (Atom a : e.inputs()) if (!ok(a.type().dtype())) return false;
      if (n.equals("convert_element_type")) {
        DType from = e.inputs().get(0).type().dtype(), to = e.outputs().get(0).type().dtype();
        if (from != to && from != DType.BOOL && to != DType.BOOL) return false;
      }
      if ((n.equals("and") || n.equals("or") || n.equals("not")) && e.inputs().get(0).type().dtype() != DType.BOOL) return false;
      return ok(e.outputs().get(0).type().dtype());
    }
    return isReduction(e);
  }

  /** A reduction over exactly the last axis of a floating operand. */
  static boolean isReduction(Eqn e) {
    if (!REDUCTIONS.contains(e.primitive().name())) return false;
    var t = e.inputs().get(0).type();
    if (!t.dtype().isFloating() || t.rank() == 0) return false;
    int[] axes = axes(e);
    return axes.length == 1 && axes[0] == t.rank() - 1;
  }

  /** The floating dtype a group started by this equation computes in, or null (bool-only). */
  static DType floatType(Eqn e) {
    for (Atom a : e.inputs()) if (a.type().dtype().isFloating()) return a.type().dtype();
    DType o = e.outputs().get(0).type().dtype();
    return o.isFloating() ? o : null;
  }

  static int[] iterationShape(Eqn e) {
    return isReduction(e) ? e.inputs().get(0).type().shape() : e.outputs().get(0).type().shape();
  }

  private static boolean ok(DType d) {
    return d == DType.FLOAT32 || d == DType.FLOAT64 || d == DType.BOOL;
  }

  static int[] axes(Eqn e) {
    return intParam(e, "axes");
  }

  static int[] broadcastDims(Eqn e) {
    return intParam(e, "broadcastDimensions");
  }

  private static int[] intParam(Eqn e, String name) {
    try {
      var m = e.params().getClass().getDeclaredMethod(name);
      m.setAccessible(true);
      return (int[]) m.invoke(e.params());
    } catch (ReflectiveOperationException ex) {
      throw new IllegalStateException("internal: " + e.primitive().name() + " params have no " + name, ex);
    }
  }
}
