package dev.arrax.compile;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.EngineLog;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.Trace;
import dev.arrax.core.TraceStack;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.BinaryElementwise;
import dev.arrax.primitives.UnaryElementwise;
import java.util.List;

/**
 * Evaluates equations whose inputs are all known before run time, once, at optimization time.
 *
 * <p>Two cases:
 * <ol>
 *   <li>Every input is a literal or a constant variable: the primitive is bound on the concrete values
 *       (its reference evaluation, the same code that would run later, so the bits are the same) and the
 *       equation is replaced by the result: a literal when it is 0-d, a {@code broadcast_in_dim} of a
 *       literal when all its elements are equal (or it has none), else a new constant. To keep programs small, this happens
 *       only when the result has at most {@value #MAX_NEW_ELEMENTS} elements or an input is already a
 *       constant of the result's size (folding {@code exp c} of a captured array costs nothing new);
 *       {@code iota[1000]} is never turned into a 1000-element constant.</li>
 *   <li>An elementwise equation whose inputs are each a splat (a uniform constant or a
 *       {@code broadcast_in_dim} of a literal): it computes one value everywhere, so it is evaluated on the
 *       scalars and becomes a {@code broadcast_in_dim} of the scalar result. For example
 *       {@code mul (broadcast 1.0) (broadcast 2.0)} over {@code f64[1000,1000]} becomes
 *       {@code broadcast 2.0}, without any large constant.</li>
 * </ol>
 * A {@code broadcast_in_dim} of a scalar is itself left alone: it already is the smallest form of a splat.
 *
 * <p>If evaluating an equation fails (for example a primitive that cannot run forward, such as the
 * tangent call of a customVjp function), the equation is kept, so the error surfaces when the program
 * runs, exactly where it would have without optimization.
 */
final class ConstantFolding {

  /** Largest folded result that may add a new constant to the program. */
  static final int MAX_NEW_ELEMENTS = 16;

  private ConstantFolding() {}

  /** {@code p} with foldable equations evaluated, or {@code p} itself when there are none. */
  static Program run(Program p) {
    Passes.Rewriter rw = new Passes.Rewriter(p);
    for (Eqn original : p.eqns()) {
      Eqn e = rw.withResolvedInputs(original);
      if (!foldConstants(e, rw) && !foldSplats(e, rw)) rw.emit(e, e != original);
    }
    return rw.build();
  }

  /** Case 1; true when the equation was replaced. */
  private static boolean foldConstants(Eqn e, Passes.Rewriter rw) {
    if (e.primitive() == AlgebraicSimplifier.BROADCAST_IN_DIM && e.inputs().get(0).type().rank() == 0) return false;
    List<Atom> in = e.inputs();
    ConcreteArray[] values = new ConcreteArray[in.size()];
    int largestConstant = -1;
    for (int i = 0; i < values.length; i++) {
      values[i] = rw.constantValue(in.get(i));
      if (values[i] == null) return false;
      if (values[i].ndim() > 0) largestConstant = Math.max(largestConstant, values[i].size());
    }
    for (Var o : e.outputs()) {
      int n = o.type().size();
      if (n > MAX_NEW_ELEMENTS && n != largestConstant) return false;
    }
    NDArray[] out = evaluate(e.primitive(), e.params(), values);
    if (out == null) return false;
    for (int i = 0; i < out.length; i++) {
      ConcreteArray c = (ConcreteArray) out[i];
      Var o = e.outputs().get(i);
      if (c.ndim() == 0) {
        rw.replace(o, new Literal(c));
      } else if (e.outputs().size() == 1 && c.size() == 0) {
        // Any scalar broadcasts to an array without elements; no constant needed.
        rw.emit(broadcastOf(ConcreteArray.zeros(ArrayType.of(c.dtype())), o), true);
      } else {
        ConcreteArray u = e.outputs().size() == 1 ? Passes.uniformValue(c) : null;
        if (u != null) rw.emit(broadcastOf(u, o), true);
        else rw.replace(o, rw.addConstant(c));
      }
    }
    if (e.outputs().isEmpty()) rw.drop();
    return true;
  }

  /** Case 2; true when the equation was replaced. */
  private static boolean foldSplats(Eqn e, Passes.Rewriter rw) {
    if (!isElementwise(e.primitive()) || e.outputs().size() != 1) return false;
    Var o = e.outputs().get(0);
    if (o.type().rank() == 0 || o.type().size() == 0) return false;
    ConcreteArray[] scalars = new ConcreteArray[e.inputs().size()];
    for (int i = 0; i < scalars.length; i++) {
      scalars[i] = rw.splat(e.inputs().get(i));
      if (scalars[i] == null) return false;
    }
    NDArray[] out = evaluate(e.primitive(), e.params(), scalars);
    if (out == null) return false;
    rw.emit(broadcastOf((ConcreteArray) out[0], o), true);
    return true;
  }

  /** Primitives that apply one scalar function at every element, so uniform inputs give a uniform output. */
  static boolean isElementwise(Primitive<?> prim) {
    return prim.elementwiseOp() != null;
  }

  private static Eqn broadcastOf(ConcreteArray scalar, Var out) {
    ArrayType t = out.type();
    return Passes.checked(new Eqn(AlgebraicSimplifier.BROADCAST_IN_DIM,
        new dev.arrax.primitives.BroadcastInDim.P(t.shape(), new int[0]),
        List.of(new Literal(scalar)), List.of(out)));
  }

  /**
   * Binds the primitive on concrete values with no staging trace active, so it is evaluated even when
   * the optimizer runs inside a trace (jit tracing a function that optimizes); null if it cannot be.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static NDArray[] evaluate(Primitive<?> prim, Params params, ConcreteArray[] values) {
    Trace prev = TraceStack.setDynamic(null);
    NDArray[] out;
    try {
      out = ((Primitive) prim).bind(params, values);
    } catch (RuntimeException ex) {
      EngineLog.of(ConstantFolding.class).debug("constant folding: {} cannot be evaluated now ({}); it stays in the program and runs (and fails) there", prim.name(), ex.toString());
      return null;
    } finally {
      TraceStack.setDynamic(prev);
    }
    for (NDArray o : out) if (!(o instanceof ConcreteArray)) return null;
    return out;
  }
}
