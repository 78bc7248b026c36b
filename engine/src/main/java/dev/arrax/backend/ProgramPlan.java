package dev.arrax.backend;

import dev.arrax.core.ArrayType;
import dev.arrax.ir.Program;
import java.util.List;

/**
 * An optimized program cut into {@link Segment}s by the backend-neutral {@link SegmentPlanner}, with
 * what is known of its rows: which inputs are mapped over a leading row axis of {@code rows} elements
 * (a vmapped per-row function's batch, a Spark batch). Column-oriented backends (cuDF) lay those inputs
 * out as columns and everything else as parameters.
 *
 * @param program    the optimized program
 * @param segments   its segments, in order
 * @param rows       the row count, or -1 when no input has a row axis
 * @param rowMapped  per program input, whether its axis 0 is the row axis
 */
public record ProgramPlan(Program program, List<Segment> segments, int rows, boolean[] rowMapped) {
  /**
   * Copies the segments and flags.
   * @throws IllegalArgumentException if {@code rowMapped} does not have one entry per program input
   */
  public ProgramPlan {
    segments = List.copyOf(segments);
    rowMapped = rowMapped.clone();
    if (rowMapped.length != program.inVars().size()) {
      throw new IllegalArgumentException("rowMapped has " + rowMapped.length + " entries for " + program.inVars().size() + " inputs");
    }
  }

  /**
   * Plans an optimized program whose row axis is inferred: the leading axis of the largest input (by
   * element count) is the row axis of every input whose leading axis has that length. Backends check
   * that the program uses those axes as rows and decline otherwise, so a wrong guess costs speed, never
   * correctness.
   */
  public static ProgramPlan of(Program optimized) {
    ArrayType[] in = optimized.inTypes();
    int rows = -1;
    long best = -1;
    for (ArrayType t : in) {
      if (t.rank() >= 1 && t.size() > best) {
        best = t.size();
        rows = t.shape()[0];
      }
    }
    boolean[] mapped = new boolean[in.length];
    for (int i = 0; i < in.length; i++) mapped[i] = rows >= 0 && in[i].rank() >= 1 && in[i].shape()[0] == rows;
    return of(optimized, rows, mapped);
  }

  /** Plans an optimized program whose row-mapped inputs are known (the Spark connector's batches). */
  public static ProgramPlan of(Program optimized, int rows, boolean[] rowMapped) {
    return new ProgramPlan(optimized, SegmentPlanner.plan(optimized), rows, rowMapped);
  }

  /** Whether program input {@code i} is mapped over the row axis. */
  public boolean isRowMapped(int i) { return rowMapped[i]; }
}
