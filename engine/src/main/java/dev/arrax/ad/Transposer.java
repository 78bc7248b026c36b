package dev.arrax.ad;

import dev.arrax.NDArray;
import dev.arrax.core.Primitive;
import dev.arrax.core.SymbolicZero;
import dev.arrax.core.UndefinedPrimal;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.Ops;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse mode as transposition of a linear program (JAX's backward_pass): equations that depend on
 * the linear inputs are walked backwards, each primitive's transpose rule maps output cotangents to
 * input cotangents, and cotangents of a variable used twice are summed. Equations not depending on
 * the linear inputs are evaluated forward first. Everything is done with bind, so the backward pass
 * can itself be differentiated, batched or staged.
 */
public final class Transposer {
  private Transposer() {}

  /**
   * Runs the linear program {@code linear} backwards ({@code jax.linear_transpose}): from one cotangent per
   * output to one cotangent per linear input, using each primitive's transpose rule.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static NDArray[] backward(Program linear, NDArray[] outCts) {
    Set<Var> isLinear = Collections.newSetFromMap(new IdentityHashMap<>());
    isLinear.addAll(linear.inVars());
    Map<Var, NDArray> values = new IdentityHashMap<>();
    for (int i = 0; i < linear.constVars().size(); i++) values.put(linear.constVars().get(i), linear.constValues().get(i));
    for (Eqn e : linear.eqns()) {
      boolean lin = false;
      for (Atom a : e.inputs()) lin |= a instanceof Var v && isLinear.contains(v);
      if (lin) {
        isLinear.addAll(e.outputs());
      } else {
        NDArray[] in = new NDArray[e.inputs().size()];
        for (int i = 0; i < in.length; i++) in[i] = value(values, e.inputs().get(i));
        NDArray[] out = ((Primitive) e.primitive()).bind(e.params(), in);
        for (int i = 0; i < out.length; i++) values.put(e.outputs().get(i), out[i]);
      }
    }
    Map<Var, NDArray> cts = new IdentityHashMap<>();
    List<Atom> outs = linear.outs();
    for (int i = 0; i < outs.size(); i++) {
      if (outs.get(i) instanceof Var v && isLinear.contains(v) && !SymbolicZero.is(outCts[i])) accumulate(cts, v, outCts[i]);
    }
    List<Eqn> eqns = linear.eqns();
    for (int k = eqns.size() - 1; k >= 0; k--) {
      Eqn e = eqns.get(k);
      if (!isLinear.contains(e.outputs().get(0))) continue;
      NDArray[] ctOut = new NDArray[e.outputs().size()];
      boolean any = false;
      for (int i = 0; i < ctOut.length; i++) {
        NDArray c = cts.remove(e.outputs().get(i));
        ctOut[i] = c == null ? new SymbolicZero(e.outputs().get(i).type()) : c;
        any |= c != null;
      }
      if (!any) continue;
      NDArray[] in = new NDArray[e.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        Atom a = e.inputs().get(i);
        in[i] = a instanceof Var v && isLinear.contains(v) ? new UndefinedPrimal(v.type()) : value(values, a);
      }
      NDArray[] ctIn = ((Primitive) e.primitive()).transpose(ctOut, in, e.params());
      for (int i = 0; i < in.length; i++) {
        if (in[i] instanceof UndefinedPrimal && ctIn[i] != null && !SymbolicZero.is(ctIn[i])) {
          Var v = (Var) e.inputs().get(i);
          if (!ctIn[i].type().equals(v.type())) {
            throw new IllegalStateException("internal: transpose of " + e.primitive().name() + " gave " + ctIn[i].type() + " for input " + v.type());
          }
          accumulate(cts, v, ctIn[i]);
        }
      }
    }
    NDArray[] res = new NDArray[linear.inVars().size()];
    for (int i = 0; i < res.length; i++) {
      NDArray c = cts.get(linear.inVars().get(i));
      res[i] = c == null ? new SymbolicZero(linear.inVars().get(i).type()) : c;
    }
    return res;
  }

  private static void accumulate(Map<Var, NDArray> cts, Var v, NDArray ct) {
    cts.merge(v, ct, Ops::addAny);
  }

  private static NDArray value(Map<Var, NDArray> values, Atom a) {
    if (a instanceof Literal l) return l.value();
    NDArray v = values.get((Var) a);
    if (v == null) throw new IllegalStateException("internal: non-linear value missing in transposition");
    return v;
  }
}
