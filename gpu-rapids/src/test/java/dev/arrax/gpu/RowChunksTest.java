package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arrax.NDArray;
import dev.arrax.backend.HostArrays;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.gpu.plan.GpuPlan;
import dev.arrax.gpu.plan.HostEvaluator;
import dev.arrax.gpu.plan.RowChunks;
import org.junit.jupiter.api.Test;

/**
 * Out of memory: a part of rows too large for the (simulated) device is split in halves and retried; row
 * outputs are the same bits, sums over rows equal up to the order of FLOAT64 additions.
 */
class RowChunksTest {
  private static void splitMatchesWhole(Workloads.Case c, int maxRows, int memoryRows) {
    GpuPlan plan = GpuLowering.lower(c.plan()).plan();
    NDArray[] whole = HostEvaluator.run(plan, c.args());
    NDArray[] split = HostEvaluator.run(plan, maxRows, memoryRows, c.args());
    for (int i = 0; i < whole.length; i++) {
      if (whole[i].type().rank() > 0 && whole[i].type().dim(0) == plan.rows()) {
        assertArrayEquals((float[]) HostArrays.data(whole[i]), (float[]) HostArrays.data(split[i]), c.id() + " output " + i);
      } else {
        Compare.assertClose(c.id() + " output " + i, whole[i], split[i], 1e-6);
      }
    }
  }

  @Test void rowOutputsAcrossParts() { splitMatchesWhole(Workloads.w1(1000, 5), 400, 150); }

  @Test void wideRowsAcrossParts() { splitMatchesWhole(Workloads.w2(300, 6), 1000, 70); }

  @Test void sumsOverRowsAcrossParts() { splitMatchesWhole(Workloads.w3(1000, 7), 1000, 99); }

  @Test void givesUpBelowTheSmallestPart() {
    int[] calls = {0};
    RowChunks.DeviceOutOfMemoryException e = assertThrows(RowChunks.DeviceOutOfMemoryException.class,
        () -> RowChunks.run(1000, 0, 1000, 200, (from, to) -> {
          calls[0]++;
          throw new OutOfMemoryError("Could not allocate native memory: simulated");
        }, t -> t instanceof OutOfMemoryError));
    assertEquals("device out of memory on 250 rows (rows 0..250 of 1000), and parts below 200 rows are not tried:"
        + " java.lang.OutOfMemoryError: Could not allocate native memory: simulated", e.getMessage());
    assertEquals(3, calls[0]);
  }
}
