package dev.arrax.compile;

import dev.arrax.NDArray;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs consecutive {@link RowStep}s over the same rows block by block: each thread takes a range of
 * rows and, for each block of it, runs every step on that block. Results are the same as running
 * the steps one after another, since each row's work only reads that row of earlier steps.
 */
final class RowBlockedSequence implements Step {
  /** Target elements per block across the steps (about 256 KB of floats, a core's L2). */
  private static final long BLOCK_ELEMENTS = 64 * 1024;

  private final List<RowStep> steps;
  private final int rows;
  private final int blockRows;

  RowBlockedSequence(List<RowStep> steps, int rows) {
    this.steps = List.copyOf(steps);
    this.rows = rows;
    long width = 1;
    for (RowStep s : steps) width += s.rowWidth();
    this.blockRows = (int) Math.max(16, Math.min(8192, BLOCK_ELEMENTS / width));
  }

  @Override public void run(NDArray[] env) {
    for (RowStep s : steps) s.allocate(env);
    long work = 0;
    for (RowStep s : steps) work += s.rowWidth() * (long) rows;
    int parts = Parallel.partsFor(work, Math.max(1, rows / blockRows));
    for (RowStep s : steps) s.begin(env, parts);
    Parallel.forEach(parts, p -> {
      int from = (int) ((long) rows * p / parts), to = (int) ((long) rows * (p + 1) / parts);
      for (int r = from; r < to; r += blockRows) {
        int end = Math.min(to, r + blockRows);
        for (RowStep s : steps) s.runRows(env, p, r, end);
      }
    });
    for (RowStep s : steps) s.finish(env);
  }

  @Override public int[] inputSlots() {
    return steps.stream().flatMapToInt(s -> java.util.Arrays.stream(s.inputSlots())).distinct().toArray();
  }

  @Override public int[] outputSlots() {
    return steps.stream().flatMapToInt(s -> java.util.Arrays.stream(s.outputSlots())).distinct().toArray();
  }

  @Override public String describe() {
    return "rows " + rows + " in blocks of " + blockRows + " {" + steps.stream().map(Step::describe).collect(Collectors.joining("; ")) + "}";
  }

  /**
   * Groups maximal runs of row steps over the same rows whose in-run inputs are read row by row.
   * A step that needs nothing from the run (a small weight computation, say) is moved in front of
   * it instead of ending it.
   */
  static List<Step> group(List<Step> steps) {
    List<Step> out = new java.util.ArrayList<>();
    int i = 0;
    while (i < steps.size()) {
      if (!(steps.get(i) instanceof RowStep first) || first.rows() < 2) {
        out.add(steps.get(i++));
        continue;
      }
      int n = first.rows();
      List<RowStep> run = new java.util.ArrayList<>(List.of(first));
      List<Step> hoisted = new java.util.ArrayList<>();
      java.util.Set<Integer> produced = new java.util.HashSet<>();
      for (int s : first.outputSlots()) produced.add(s);
      int j = i + 1;
      for (; j < steps.size(); j++) {
        Step next = steps.get(j);
        boolean readsRun = false;
        for (int s : next.inputSlots()) readsRun |= produced.contains(s);
        if (next instanceof RowStep rs && rs.rows() == n) {
          boolean ok = true;
          for (int s : rs.inputSlots()) if (produced.contains(s) && !rs.readsRowwise(s)) ok = false;
          if (ok) {
            run.add(rs);
            for (int s : rs.outputSlots()) produced.add(s);
            continue;
          }
        }
        if (readsRun) break;
        hoisted.add(next);
      }
      out.addAll(hoisted);
      long real = run.stream().filter(s -> !(s instanceof ReshapeStep)).count();
      if (real >= 2) out.add(new RowBlockedSequence(run, n));
      else out.addAll(run);
      i = j;
    }
    return out;
  }
}
