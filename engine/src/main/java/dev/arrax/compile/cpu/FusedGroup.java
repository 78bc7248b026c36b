package dev.arrax.compile.cpu;

import dev.arrax.DType;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Elementwise equations over one iteration shape, plus reductions over its last axis, that run as one
 * generated loop nest: intermediate values stay in registers, only values needed elsewhere are
 * written out. Inputs are arrays of the group's shape or broadcasts of smaller arrays (read through
 * an index mapping instead of being materialized).
 */
final class FusedGroup {
  /** An external input: {@code source} read through broadcast {@code dims} from {@code sourceShape} to the group shape. */
  record Input(Var source, int[] sourceShape, int[] dims) {}

  final int[] shape;
  final DType floatType;
  /** Position of this group's step; moves when an independent step is hoisted in front of it. */
  int stepIndex;
  final List<Eqn> members = new ArrayList<>();
  final Set<Var> produced = Collections.newSetFromMap(new IdentityHashMap<>());
  final Set<Var> reductions = Collections.newSetFromMap(new IdentityHashMap<>());
  final List<Input> inputs = new ArrayList<>();
  /** How each atom a member reads is reached: a produced value, an input (by index), or a constant. */
  final Map<Var, Integer> inputIndexOfVar = new IdentityHashMap<>();
  final Map<Var, Atom> constantOfVar = new IdentityHashMap<>();
  final List<Var> outputs = new ArrayList<>();

  FusedGroup(int[] shape, DType floatType, int stepIndex) {
    this.shape = shape;
    this.floatType = floatType;
    this.stepIndex = stepIndex;
  }

  int rank() { return shape.length; }

  /** Length of the innermost axis (1 for a 0-d group). */
  int inner() { return shape.length == 0 ? 1 : shape[shape.length - 1]; }

  /** Number of rows (product of all but the innermost axis). */
  long outer() {
    long n = 1;
    for (int i = 0; i + 1 < shape.length; i++) n *= shape[i];
    return n;
  }

  boolean hasReductions() { return !reductions.isEmpty(); }
}
