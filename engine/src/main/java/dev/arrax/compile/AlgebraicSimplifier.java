package dev.arrax.compile;

import dev.arrax.primitives.BroadcastInDim;
import dev.arrax.primitives.Primitives;
import dev.arrax.primitives.Transpose;
import dev.arrax.DType;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.primitives.Primitives;
import java.util.List;

/**
 * Rewrites equations by algebraic identities that hold exactly, bit for bit, in IEEE arithmetic and
 * in wrapping integer arithmetic. Below, "1" and "0" are any atom whose elements are all known to be
 * that value: a literal, a uniform constant, or a {@code broadcast_in_dim} of one (which is how
 * {@code Np.ones}, weak-typed Java doubles and gradient seeds appear in programs).
 *
 * <pre>
 *   x * 1, 1 * x, x / 1          -> x
 *   x - 0        (0 is +0.0 or an integer 0)  -> x
 *   x + 0, 0 + x (0 is -0.0 or an integer 0)  -> x
 *   neg(neg x)                   -> x
 *   transpose(transpose(x, p), q) -> one transpose by the composed permutation, or x when that is the identity
 *   transpose that moves only axes of size 1 ([1,n] -> [n,1], say) -> reshape (same elements, same order)
 *   reshape(reshape(x)), reshape to x's shape          -> one reshape, or x
 *   broadcast_in_dim(broadcast_in_dim(x))              -> one broadcast_in_dim with composed dimensions
 *   broadcast_in_dim to x's own shape, convert_element_type to x's own dtype -> x
 *   select_n(constant pred, f, t) -> t or f; select_n(p, x, x) -> x
 *   stop_gradient x              -> x   (it only matters to differentiation, which has already run)
 * </pre>
 *
 * <p>What is deliberately not rewritten, because it changes results:
 * <ul>
 *   <li>{@code x * 0 -> 0}: NaN * 0 and inf * 0 are NaN, and -1 * 0 is -0.0.</li>
 *   <li>{@code x - x -> 0}: NaN and inf give NaN.</li>
 *   <li>{@code x + 0.0 -> x} with a positive zero: {@code -0.0 + 0.0} is {@code +0.0}, so the sign of a zero
 *       result would change (visible through {@code 1/x}, {@code atan2}, {@code copysign}). Only
 *       {@code x + (-0.0)} is the identity in IEEE arithmetic, and it is the one applied; for integers any
 *       zero is. Symmetrically, {@code x - 0.0} is exact ({@code -0.0 - 0.0 = -0.0}) but {@code x - (-0.0)}
 *       is not. Gradient programs add {@code +0.0} broadcasts (materialized symbolic zeros), which stay.</li>
 * </ul>
 */
final class AlgebraicSimplifier {
  private AlgebraicSimplifier() {}

  static final BroadcastInDim BROADCAST_IN_DIM = Primitives.BROADCAST_IN_DIM;
  static final Primitive<?> RESHAPE = Primitives.RESHAPE;
  static final Transpose TRANSPOSE = Primitives.TRANSPOSE;
  static final Primitive<?> CONVERT_ELEMENT_TYPE = Primitives.CONVERT_ELEMENT_TYPE;
  static final Primitive<?> SELECT_N = Primitives.SELECT_N;

  /** {@code p} simplified once over, or {@code p} itself when no identity applies. */
  static Program run(Program p) {
    Passes.Rewriter rw = new Passes.Rewriter(p);
    for (Eqn original : p.eqns()) {
      Eqn e = rw.withResolvedInputs(original);
      Object r = simplify(e, rw);
      if (r instanceof Atom a) {
        rw.replace(e.outputs().get(0), a);
      } else if (r instanceof Eqn n) {
        rw.emit(Passes.checked(n), true);
      } else {
        rw.emit(e, e != original);
      }
    }
    return rw.build();
  }

  /** An atom equal to the equation's single output, a simpler equation for it, or null. */
  private static Object simplify(Eqn e, Passes.Rewriter rw) {
    Primitive<?> prim = e.primitive();
    List<Atom> in = e.inputs();
    if (prim == Primitives.MUL) {
      if (Passes.isOne(rw.splat(in.get(1)))) return in.get(0);
      if (Passes.isOne(rw.splat(in.get(0)))) return in.get(1);
    } else if (prim == Primitives.DIV) {
      if (Passes.isOne(rw.splat(in.get(1)))) return in.get(0);
    } else if (prim == Primitives.ADD) {
      if (isAdditiveIdentity(rw.splat(in.get(1)))) return in.get(0);
      if (isAdditiveIdentity(rw.splat(in.get(0)))) return in.get(1);
    } else if (prim == Primitives.SUB) {
      if (isSubtractiveIdentity(rw.splat(in.get(1)))) return in.get(0);
    } else if (prim == Primitives.NEG) {
      Eqn d = rw.definitionOf(in.get(0));
      if (d != null && d.primitive() == Primitives.NEG) return d.inputs().get(0);
    } else if (prim == Primitives.STOP_GRADIENT) {
      return in.get(0);
    } else if (prim == CONVERT_ELEMENT_TYPE) {
      if (in.get(0).type().equals(e.outputs().get(0).type())) return in.get(0);
    } else if (prim == RESHAPE) {
      return reshape(e, rw);
    } else if (prim == TRANSPOSE) {
      return transpose(e, rw);
    } else if (prim == BROADCAST_IN_DIM) {
      return broadcast(e, rw);
    } else if (prim == SELECT_N) {
      return select(e, rw);
    }
    return null;
  }

  /** {@code x + z == x} for every x: -0.0 for floats (since -0.0 + -0.0 = -0.0 and 0.0 + -0.0 = 0.0), 0 for integers. */
  static boolean isAdditiveIdentity(ConcreteArray z) {
    if (z == null) return false;
    DType d = z.dtype();
    if (d.isFloating()) return Passes.rawBits(z.buffer(), 0) == Passes.rawBits(negativeZero(d).buffer(), 0);
    return z.buffer().getLong(0) == 0L;
  }

  /** {@code x - z == x} for every x: +0.0 for floats (x - 0.0 is x + -0.0), 0 for integers. */
  static boolean isSubtractiveIdentity(ConcreteArray z) {
    if (z == null) return false;
    if (z.dtype().isFloating()) return Passes.rawBits(z.buffer(), 0) == 0L;
    return z.buffer().getLong(0) == 0L;
  }

  private static ConcreteArray negativeZero(DType d) {
    return ConcreteArray.full(ArrayType.of(d), -0.0);
  }

  private static Object reshape(Eqn e, Passes.Rewriter rw) {
    Atom x = e.inputs().get(0);
    if (x.type().equals(e.outputs().get(0).type())) return x;
    Eqn d = rw.definitionOf(x);
    if (d != null && d.primitive() == RESHAPE) {
      Atom inner = d.inputs().get(0);
      if (inner.type().equals(e.outputs().get(0).type())) return inner;
      return new Eqn(e.primitive(), e.params(), List.of(inner), e.outputs());
    }
    return null;
  }

  private static Object transpose(Eqn e, Passes.Rewriter rw) {
    Atom x = e.inputs().get(0);
    int[] q = TRANSPOSE.params(e).permutation();
    if (isIdentity(q)) return x;
    Eqn d = rw.definitionOf(x);
    if (d != null && d.primitive() == TRANSPOSE) {
      // Output axis i of the outer transpose is axis q[i] of the inner one's output, which is axis p[q[i]] of its operand.
      int[] p = TRANSPOSE.params(d).permutation();
      int[] c = new int[q.length];
      for (int i = 0; i < q.length; i++) c[i] = p[q[i]];
      Atom inner = d.inputs().get(0);
      if (isIdentity(c)) return inner;
      return new Eqn(e.primitive(), new Transpose.P(c), List.of(inner), e.outputs());
    }
    if (movesOnlyUnitAxes(q, x.type().shape())) {
      // the elements keep their row-major order: a reshape (a view), not a copy, and no transpose kernel needed
      return new Eqn(RESHAPE, new dev.arrax.primitives.Reshape.P(e.outputs().get(0).type().shape()), List.of(x), e.outputs());
    }
    return null;
  }

  /** Whether the axes of size other than 1 keep their relative order under permutation {@code q} of {@code shape}. */
  private static boolean movesOnlyUnitAxes(int[] q, int[] shape) {
    int last = -1;
    for (int axis : q) {
      if (shape[axis] == 1) continue;
      if (axis < last) return false;
      last = axis;
    }
    return true;
  }

  private static Object broadcast(Eqn e, Passes.Rewriter rw) {
    Atom x = e.inputs().get(0);
    // Same shape: the dimensions are increasing within the same rank, hence the identity.
    if (x.type().equals(e.outputs().get(0).type())) return x;
    Eqn d = rw.definitionOf(x);
    if (d != null && d.primitive() == BROADCAST_IN_DIM) {
      // Operand axis i of the inner broadcast lands on its axis d1[i], which the outer one puts on d2[d1[i]];
      // a size-1 axis stays size 1 or is expanded, so one broadcast with the composed dimensions is the same.
      int[] d1 = BROADCAST_IN_DIM.params(d).broadcastDimensions();
      int[] d2 = BROADCAST_IN_DIM.params(e).broadcastDimensions();
      int[] c = new int[d1.length];
      for (int i = 0; i < d1.length; i++) c[i] = d2[d1[i]];
      int[] shape = BROADCAST_IN_DIM.params(e).shape();
      return new Eqn(e.primitive(), new BroadcastInDim.P(shape, c), List.of(d.inputs().get(0)), e.outputs());
    }
    return null;
  }

  private static Object select(Eqn e, Passes.Rewriter rw) {
    List<Atom> in = e.inputs();
    ConcreteArray pred = rw.splat(in.get(0));
    if (pred != null) return pred.buffer().getBool(0) ? in.get(2) : in.get(1);
    if (sameAtom(in.get(1), in.get(2))) return in.get(1);
    return null;
  }

  private static boolean sameAtom(Atom a, Atom b) {
    if (a == b) return true;
    return a instanceof Literal x && b instanceof Literal y && x.type().equals(y.type())
        && Passes.rawBits(x.value().buffer(), 0) == Passes.rawBits(y.value().buffer(), 0);
  }

  private static boolean isIdentity(int[] perm) {
    for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
    return true;
  }
}
