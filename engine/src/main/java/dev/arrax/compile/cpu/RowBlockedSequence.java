package dev.arrax.compile.cpu;

import dev.arrax.NDArray;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs consecutive {@link RowStep}s over the same rows block by block: each thread takes a range of
 * whole segments of rows ({@link Summation#segmentRows}) and, for each block of it, runs every step on
 * that block. Results are the same as running the steps one after another, since each row's work only
 * reads that row of earlier steps, and bit-identical for any thread count and block size, since sums
 * over rows follow {@link Summation}'s fixed chunks and segments. Within a block, stretches of float32 products and the
 * fused loops between them run 4 rows at a time as one {@link TiledChain}.
 */
final class RowBlockedSequence implements Step {
  /** Target elements per block across the steps (about 256 KB of floats, a core's L2). */
  private static final long BLOCK_ELEMENTS = 64 * 1024;

  private final List<RowStep> steps;
  private final int rows;
  private final int blockRows;
  /** Slots written and read only inside this run: each part keeps just one block of their rows. */
  private final java.util.Set<Integer> local;
  /** The steps with each tiled chain's members in its place: the steps whose outputs get block buffers. */
  private final List<RowStep> owners;

  RowBlockedSequence(List<RowStep> steps, int rows, java.util.Set<Integer> local) {
    this.steps = List.copyOf(TiledChain.form(steps, rows, local));
    List<RowStep> owners = new java.util.ArrayList<>();
    for (RowStep s : this.steps) {
      if (s instanceof TiledChain c) owners.addAll(c.members());
      else owners.add(s);
    }
    this.owners = List.copyOf(owners);
    this.rows = rows;
    this.local = java.util.Set.copyOf(local);
    // elements a block touches per row, each row-wise operand once: a product that reads rows an earlier step of the
    // run read (a gradient summed over X's rows after X w) finds them in cache, and counting them twice halved W3's
    // blocks (960 rows instead of 1,792: 3-9% slower on 2 cores, in alternating calls of the two in one JVM)
    long width = 1;
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (RowStep s : steps) {
      width += s.rowWidthBeyond(seen);
      for (int slot : s.inputSlots()) seen.add(slot);
      for (int slot : s.outputSlots()) seen.add(slot);
    }
    // whole 16-row groups: matrix rows run in tiles of 4 rows (16 for single columns); a block of 145 rows
    // (W1's width) ran its last row through the one-row path, 2.5 times slower a row (2% of W1's samples)
    int auto = (int) Math.max(16, Math.min(8192, BLOCK_ELEMENTS / width) & ~15);
    int b = blockRowsForTests > 0 ? blockRowsForTests : auto;
    boolean sumsOverRows = false;
    for (RowStep s : steps) sumsOverRows |= s instanceof MatmulStep m && m.sumsOverRows();
    // With a sum over rows, whole chunks of it per block (Summation), so block edges never split one.
    this.blockRows = sumsOverRows ? (b + Summation.CHUNK_ROWS - 1) / Summation.CHUNK_ROWS * Summation.CHUNK_ROWS : b;
  }

  /** Rows per block for sequences built while this is positive (rounded up to whole chunks with a sum over rows); tests only. */
  static volatile int blockRowsForTests;

  @Override public void run(NDArray[] env) {
    for (RowStep s : steps) s.allocate(env, local);
    long work = 0;
    for (RowStep s : steps) work += s.rowWork() * (long) rows;
    // Threads take whole segments of rows (Summation.segmentRows, a function of the row count), so sums
    // over rows are added in the same order whatever the thread count and the block size.
    int parts = Parallel.partsFor(work, Summation.segments(rows));
    for (RowStep s : steps) s.begin(env, parts);
    Parallel.forEach(parts, p -> {
      NDArray[] partEnv = env.clone();
      int[] origin = new int[env.length];
      for (RowStep s : owners) {
        for (int slot : s.outputSlots()) {
          if (!local.contains(slot)) continue;
          dev.arrax.core.ArrayType t = s.outputType(slot);
          int perRow = t.size() / rows;
          dev.arrax.core.ArrayType blockType = dev.arrax.core.ArrayType.of(t.dtype(), blockRows * perRow);
          // a reshape keeps the rows: its output is a view of its (local) input's block buffer
          dev.arrax.core.Buffer buffer = s instanceof ReshapeStep r ? ((dev.arrax.core.ConcreteArray) partEnv[r.inputSlots()[0]]).buffer()
              : dev.arrax.core.Buffer.allocate(t.dtype(), blockRows * perRow);
          partEnv[slot] = new dev.arrax.core.ConcreteArray(blockType, buffer);
        }
      }
      int from = Summation.partStart(rows, p, parts), to = Summation.partStart(rows, p + 1, parts);
      for (int r = from; r < to; r += blockRows) {
        int end = Math.min(to, r + blockRows);
        for (int slot : local) origin[slot] = r;
        for (RowStep s : steps) s.runRows(partEnv, p, r, end, origin);
      }
    });
    for (RowStep s : steps) s.finish(env);
  }

  /**
   * Outputs of fused loops, row-mode matmuls and reshapes in the run that nothing outside the run reads: intermediate
   * rows that never need to exist all at once. A reshape's output is a view of its input, so both are local or
   * neither is. Before reshapes could be local, W3's `X w` and its backward rows ([1M] each, behind reshapes between
   * the matmuls and the fused loop) were allocated whole on every call: 8 MB of new memory a call, which page faults
   * made 35 ms calls of an 8 ms program in a fresh JVM until the first garbage collection.
   */
  private static java.util.Set<Integer> localSlots(List<RowStep> run, List<Step> all, java.util.Set<Integer> programOutputs) {
    java.util.Set<Integer> candidates = new java.util.HashSet<>();
    for (RowStep s : run) {
      if (s instanceof MatmulStep m && !m.producesRows()) continue;
      for (int slot : s.outputSlots()) candidates.add(slot);
    }
    candidates.removeAll(programOutputs);
    for (Step s : all) {
      if (run.contains(s)) continue;
      for (int slot : s.inputSlots()) candidates.remove(slot);
    }
    for (boolean changed = true; changed; ) {
      changed = false;
      for (RowStep s : run) {
        if (!(s instanceof ReshapeStep r)) continue;
        int in = r.inputSlots()[0], out = r.outputSlots()[0];
        if (candidates.contains(in) != candidates.contains(out)) {
          changed |= candidates.remove(in) | candidates.remove(out);
        }
      }
    }
    return candidates;
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
  static List<Step> group(List<Step> steps, java.util.Set<Integer> programOutputs) {
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
      if (real >= 2) out.add(new RowBlockedSequence(run, n, localSlots(run, steps, programOutputs)));
      else out.addAll(run);
      i = j;
    }
    return out;
  }
}
