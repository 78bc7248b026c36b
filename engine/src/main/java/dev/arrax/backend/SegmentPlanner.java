package dev.arrax.backend;

import dev.arrax.core.Primitive;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.Primitives;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The backend-neutral planner: cuts an optimized program into {@link Segment}s in program order.
 * Consecutive elementwise operations, broadcasts and reductions form one {@link Segment.Kind#FUSED}
 * segment; each {@code dot_general} is a {@link Segment.Kind#CONTRACTION}; consecutive reshapes,
 * transposes, slices, concatenations and pads form a {@link Segment.Kind#LAYOUT} segment; anything
 * else is an {@link Segment.Kind#OPAQUE} segment of its own. The kind is decided by the primitive
 * instance, never by its name.
 */
public final class SegmentPlanner {
  private SegmentPlanner() {}

  private static final Set<Primitive<?>> REDUCTIONS = Set.of(Primitives.REDUCE_SUM, Primitives.REDUCE_MAX, Primitives.REDUCE_MIN,
      Primitives.REDUCE_PROD, Primitives.ARGMAX, Primitives.ARGMIN);
  private static final Set<Primitive<?>> LAYOUT = Set.of(Primitives.RESHAPE, Primitives.TRANSPOSE, Primitives.SLICE,
      Primitives.CONCATENATE, Primitives.PAD);

  /** The kind of segment an equation belongs to. */
  public static Segment.Kind kindOf(Eqn e) {
    Primitive<?> p = e.primitive();
    if (p.elementwiseOp() != null || REDUCTIONS.contains(p) || p == Primitives.BROADCAST_IN_DIM) return Segment.Kind.FUSED;
    if (p == Primitives.DOT_GENERAL) return Segment.Kind.CONTRACTION;
    if (LAYOUT.contains(p)) return Segment.Kind.LAYOUT;
    return Segment.Kind.OPAQUE;
  }

  /**
   * Cuts {@code p} into segments in program order (see the class comment); each segment lists the variables
   * it reads and those later segments or the program outputs read from it.
   */
  public static List<Segment> plan(Program p) {
    List<List<Eqn>> groups = new ArrayList<>();
    List<Segment.Kind> kinds = new ArrayList<>();
    for (Eqn e : p.eqns()) {
      Segment.Kind k = kindOf(e);
      boolean joins = !groups.isEmpty() && kinds.get(kinds.size() - 1) == k && (k == Segment.Kind.FUSED || k == Segment.Kind.LAYOUT);
      if (!joins) {
        groups.add(new ArrayList<>());
        kinds.add(k);
      }
      groups.get(groups.size() - 1).add(e);
    }
    // The last group that reads each variable (program outputs are read after every group).
    java.util.Map<Var, Integer> lastReader = new IdentityHashMap<>();
    for (int g = 0; g < groups.size(); g++) {
      for (Eqn e : groups.get(g)) for (Atom a : e.inputs()) if (a instanceof Var v) lastReader.put(v, g);
    }
    for (Atom a : p.outs()) if (a instanceof Var v) lastReader.put(v, Integer.MAX_VALUE);
    List<Segment> segments = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Set<Var> defined = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Eqn e : groups.get(g)) defined.addAll(e.outputs());
      Set<Var> inputs = new LinkedHashSet<>();
      for (Eqn e : groups.get(g)) {
        for (Atom a : e.inputs()) if (a instanceof Var v && !defined.contains(v)) inputs.add(v);
      }
      List<Var> outputs = new ArrayList<>();
      for (Eqn e : groups.get(g)) {
        for (Var v : e.outputs()) if (lastReader.getOrDefault(v, -1) > g) outputs.add(v);
      }
      segments.add(new Segment(g, kinds.get(g), groups.get(g), new ArrayList<>(inputs), outputs));
    }
    return segments;
  }
}
