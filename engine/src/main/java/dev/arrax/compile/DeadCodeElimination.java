package dev.arrax.compile;

import dev.arrax.NDArray;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Drops equations whose outputs nothing reads, and constants nothing reads.
 *
 * <p>Every primitive is pure (no side effects, no hidden state: even random numbers come from explicit
 * keys), so an equation matters only through its outputs. Liveness runs backwards from the program
 * outputs: an equation is kept when one of its outputs is live, and then its inputs are live. Input
 * variables are always kept, since they are the program's signature.
 *
 * <p>Example: in the gradient program of {@code sum(tanh(x) * 2)} the forward value
 * {@code h = reduce_sum g} is computed but only the gradient is returned, so {@code h} and {@code g}
 * go away.
 */
final class DeadCodeElimination {
  private DeadCodeElimination() {}

  /** {@code p} without dead equations and constants, or {@code p} itself when there are none. */
  static Program run(Program p) {
    Set<Var> live = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Atom a : p.outs()) if (a instanceof Var v) live.add(v);
    List<Eqn> eqns = p.eqns();
    boolean[] keep = new boolean[eqns.size()];
    int kept = 0;
    for (int i = eqns.size() - 1; i >= 0; i--) {
      Eqn e = eqns.get(i);
      for (Var o : e.outputs()) keep[i] |= live.contains(o);
      if (!keep[i]) continue;
      kept++;
      for (Atom a : e.inputs()) if (a instanceof Var v) live.add(v);
    }
    List<Var> constVars = new ArrayList<>();
    List<NDArray> constValues = new ArrayList<>();
    for (int i = 0; i < p.constVars().size(); i++) {
      if (live.contains(p.constVars().get(i))) {
        constVars.add(p.constVars().get(i));
        constValues.add(p.constValues().get(i));
      }
    }
    if (kept == eqns.size() && constVars.size() == p.constVars().size()) return p;
    List<Eqn> out = new ArrayList<>(kept);
    for (int i = 0; i < eqns.size(); i++) if (keep[i]) out.add(eqns.get(i));
    return new Program(p.inVars(), constVars, constValues, out, p.outs());
  }
}
