package dev.arrax.backend;

import dev.arrax.core.ArrayType;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Var;
import java.util.List;
import java.util.StringJoiner;

/**
 * A piece of an optimized program as the backend-neutral {@link SegmentPlanner} cuts it: equations that
 * belong together, the variables they read from outside and the variables they define that are used
 * after them. A backend claims segments ({@link Backend#claim}) and says why it will not run the rest.
 *
 * @param index    position in the plan (0-based)
 * @param kind     what sort of work this is
 * @param eqns     the equations, in program order
 * @param inputs   variables read by the segment and defined before it (program inputs, constants or
 *                 earlier segments' outputs)
 * @param outputs  variables defined by the segment and read after it (or program outputs)
 */
public record Segment(int index, Kind kind, List<Eqn> eqns, List<Var> inputs, List<Var> outputs) {
  /** What a segment does, in the terms every backend plans with. */
  public enum Kind {
    /** Elementwise operations and reductions over one iteration space: one loop, one device kernel. */
    FUSED,
    /** A contraction ({@code dot_general}): matrix products, matrix-vector products, sums over rows. */
    CONTRACTION,
    /** A change of layout that moves no arithmetic: reshape, broadcast, transpose, slice, concatenate, pad. */
    LAYOUT,
    /** Anything else (control flow, sorting, gathers, random bits): one equation, run as a whole. */
    OPAQUE
  }

  /** Copies the equations, inputs and outputs into unmodifiable lists. */
  public Segment {
    eqns = List.copyOf(eqns);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** One line: {@code FUSED[mul, add, tanh, reduce_sum] f32[1000,64] -> f32[1000]}. */
  public String describe() {
    StringJoiner ops = new StringJoiner(", ", kind + "[", "]");
    for (Eqn e : eqns) ops.add(e.primitive().name());
    StringJoiner outs = new StringJoiner(", ");
    for (Var v : outputs) outs.add(v.type().toString());
    return ops + " " + iterationType() + (outputs.isEmpty() ? "" : " -> " + outs);
  }

  /** The type of the segment's largest operand or result: its iteration space. */
  public ArrayType iterationType() {
    ArrayType best = null;
    for (Eqn e : eqns) {
      for (var a : e.inputs()) if (best == null || a.type().size() > best.size()) best = a.type();
      for (Var v : e.outputs()) if (best == null || v.type().size() > best.size()) best = v.type();
    }
    return best;
  }
}
