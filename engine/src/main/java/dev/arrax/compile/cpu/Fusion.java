package dev.arrax.compile.cpu;

import dev.arrax.DType;
import dev.arrax.core.ElementwiseOp;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.primitives.Primitives;
import dev.arrax.primitives.Reduce;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which equations the loop generator can fuse, and their iteration shapes. Decided by the primitive's
 * {@link ElementwiseOp} and typed params, never by a name.
 */
final class Fusion {
  private Fusion() {}

  /** Elementwise operations the loop generator writes code for (floating and bool operands). */
  static final Set<ElementwiseOp> FUSABLE = EnumSet.of(
      ElementwiseOp.ADD, ElementwiseOp.SUB, ElementwiseOp.MUL, ElementwiseOp.DIV, ElementwiseOp.MAX, ElementwiseOp.MIN,
      ElementwiseOp.POW, ElementwiseOp.NEG, ElementwiseOp.EXP, ElementwiseOp.LOG, ElementwiseOp.LOG1P, ElementwiseOp.EXPM1,
      ElementwiseOp.TANH, ElementwiseOp.LOGISTIC, ElementwiseOp.SIN, ElementwiseOp.COS, ElementwiseOp.TAN, ElementwiseOp.SQRT,
      ElementwiseOp.ABS, ElementwiseOp.SIGN, ElementwiseOp.FLOOR, ElementwiseOp.CEIL, ElementwiseOp.ERF, ElementwiseOp.EQ,
      ElementwiseOp.NE, ElementwiseOp.LT, ElementwiseOp.LE, ElementwiseOp.GT, ElementwiseOp.GE, ElementwiseOp.AND,
      ElementwiseOp.OR, ElementwiseOp.NOT, ElementwiseOp.IS_FINITE, ElementwiseOp.STOP_GRADIENT, ElementwiseOp.SELECT_N,
      ElementwiseOp.CONVERT_ELEMENT_TYPE);

  private static final Set<Primitive<?>> REDUCTIONS = Set.of(Primitives.REDUCE_SUM, Primitives.REDUCE_MAX, Primitives.REDUCE_MIN);

  static boolean isFusable(Eqn e) {
    ElementwiseOp op = e.primitive().elementwiseOp();
    if (op != null && FUSABLE.contains(op)) {
      for (Atom a : e.inputs()) if (!ok(a.type().dtype())) return false;
      if (op == ElementwiseOp.CONVERT_ELEMENT_TYPE) {
        DType from = e.inputs().get(0).type().dtype(), to = e.outputs().get(0).type().dtype();
        if (from != to && from != DType.BOOL && to != DType.BOOL) return false;
      }
      if ((op == ElementwiseOp.AND || op == ElementwiseOp.OR || op == ElementwiseOp.NOT) && e.inputs().get(0).type().dtype() != DType.BOOL) return false;
      return ok(e.outputs().get(0).type().dtype());
    }
    return isReduction(e);
  }

  /** A reduction over exactly the last axis of a floating operand. */
  static boolean isReduction(Eqn e) {
    if (!REDUCTIONS.contains(e.primitive())) return false;
    var t = e.inputs().get(0).type();
    if (!t.dtype().isFloating() || t.rank() == 0) return false;
    int[] axes = axes(e);
    return axes.length == 1 && axes[0] == t.rank() - 1;
  }

  /** The kind of a fusable reduction's equation. */
  static Reduce.Kind reductionKind(Eqn e) {
    return ((Reduce) e.primitive()).kind();
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
    return ((Reduce.P) e.params()).axes();
  }

  static int[] broadcastDims(Eqn e) {
    return Primitives.BROADCAST_IN_DIM.params(e).broadcastDimensions();
  }
}
