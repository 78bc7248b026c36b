package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.NDArray;
import dev.arrax.backend.Backends;
import dev.arrax.backend.Claim;
import dev.arrax.backend.Segment;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.gpu.plan.GpuPlan;
import dev.arrax.gpu.plan.HostEvaluator;
import org.junit.jupiter.api.Test;

/** W1, W2 and W3 lower wholly (no segment left to the CPU) and their plans, emulated, match the CPU backend at 10,000 rows. */
class WorkloadLoweringTest {
  private static final int ROWS = 10_000;

  private static void check(Workloads.Case c) {
    GpuLowering.Result r = GpuLowering.lower(c.plan());
    assertTrue(r.lowered(), c.id() + " declined: " + r.declined());
    CudfBackend gpu = new CudfBackend();
    for (Segment s : c.plan().segments()) {
      Claim claim = gpu.claim(s, c.plan());
      assertTrue(claim.accepted(), c.id() + " segment " + s.describe() + ": " + claim.reason());
    }
    GpuPlan plan = r.plan();
    NDArray[] expected = Backends.compile(c.plan(), "cpu").run(c.args());
    NDArray[] actual = HostEvaluator.run(plan, c.args());
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) Compare.assertClose(c.id() + " output " + i, expected[i], actual[i], Compare.F32_REL);
    if (Boolean.getBoolean("print.plans")) System.out.println(plan.describe());
    System.out.println(c.id() + ": " + plan.kernels() + " kernels, " + plan.steps().size() + " steps " + plan.stepCounts());
  }

  @Test void w1() { check(Workloads.w1(ROWS, 1)); }

  @Test void w2() { check(Workloads.w2(ROWS, 2)); }

  @Test void w3() { check(Workloads.w3(ROWS, 3)); }
}
