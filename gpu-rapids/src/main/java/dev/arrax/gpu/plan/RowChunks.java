package dev.arrax.gpu.plan;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a plan's device work over a batch in parts of rows, splitting a part in two when the device runs
 * out of memory and retrying: row outputs of the parts are written at their row offsets, sums over rows
 * are added in FLOAT64. Every step of a {@link GpuPlan} is row by row or a sum over rows, so the result
 * does not depend on the split (but for the order of FLOAT64 additions).
 */
public final class RowChunks {
  private static final Logger LOG = LoggerFactory.getLogger(RowChunks.class);

  private RowChunks() {}

  /** The device work of rows {@code [from, to)}: writes the row outputs there and returns its partial sums. */
  @FunctionalInterface
  public interface Part {
    /** Runs rows {@code [from, to)} and returns the partial sums (one per scalar of the plan). */
    /** Runs rows {@code [from, to)} and returns the partial sums (one per scalar of the plan). */
    double[] run(int from, int to);
  }

  /**
   * Runs {@code rows} rows in parts of at most {@code maxRows}, halving a part whose run throws an error
   * {@code isOutOfMemory} accepts, down to {@code minRows} rows (then the error is rethrown, naming the sizes).
   * Returns the sums over rows of all parts ({@code scalars} of them).
   */
  public static double[] run(int rows, int scalars, int maxRows, int minRows, Part part, Predicate<Throwable> isOutOfMemory) {
    if (maxRows < 1) throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
    double[] total = new double[scalars];
    Deque<int[]> todo = new ArrayDeque<>();
    for (int from = 0; from < rows; from += maxRows) todo.addLast(new int[] {from, (int) Math.min(rows, (long) from + maxRows)});
    if (rows == 0) todo.add(new int[] {0, 0});
    while (!todo.isEmpty()) {
      int[] r = todo.pollFirst();
      double[] partial;
      try {
        partial = part.run(r[0], r[1]);
      } catch (RuntimeException | Error e) {
        int n = r[1] - r[0];
        if (!isOutOfMemory.test(e)) throw e;
        if (n / 2 < Math.max(1, minRows)) {
          throw new DeviceOutOfMemoryException("device out of memory on " + n + " rows (rows " + r[0] + ".." + r[1] + " of " + rows
              + "), and parts below " + Math.max(1, minRows) + " rows are not tried: " + e, e);
        }
        int mid = r[0] + n / 2;
        LOG.info("arrax gpu: device out of memory on rows {}..{} ({} rows); retrying as two parts of {} and {} rows",
            r[0], r[1], n, mid - r[0], r[1] - mid);
        todo.addFirst(new int[] {mid, r[1]});
        todo.addFirst(new int[] {r[0], mid});
        continue;
      }
      for (int i = 0; i < scalars; i++) total[i] += partial[i];
    }
    return total;
  }

  /** The device ran out of memory even on the smallest part tried. */
  public static final class DeviceOutOfMemoryException extends dev.arrax.ArraxException {
    /** An out-of-memory error; {@code cause} is the device error of the last attempt. */
    /** An out-of-memory error; {@code cause} is the device error of the last attempt. */
    public DeviceOutOfMemoryException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
