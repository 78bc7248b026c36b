package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.NDArray;
import dev.arrax.backend.Backends;
import dev.arrax.core.Primitive;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.gpu.plan.HostEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every primitive that lowers, at random shapes and seeds (printed in each test's name): the plan run by
 * the {@link HostEvaluator} (cuDF's semantics on the host) against the CPU backend, within
 * {@link Compare#F32_REL}.
 */
class PrimitiveLoweringTest {
  static final long[] SEEDS = {11, 12, 13};

  @TestFactory Stream<DynamicTest> everyPrimitiveMatchesTheCpu() {
    List<DynamicTest> tests = new ArrayList<>();
    for (PrimitiveCases.Case c : PrimitiveCases.all()) {
      for (long seed : SEEDS) tests.add(DynamicTest.dynamicTest(c.name() + " seed " + seed, () -> check(c, seed)));
    }
    return tests.stream();
  }

  static void check(PrimitiveCases.Case c, long seed) {
    Workloads.Case w = c.make().apply(seed);
    assertTrue(w.plan().program().primitiveCounts().containsKey(c.primitive().name()),
        c.name() + " (seed " + seed + "): the optimized program lost " + c.primitive().name() + ":\n" + w.plan().program());
    GpuLowering.Result r = GpuLowering.lower(w.plan());
    assertTrue(r.lowered(), c.name() + " (seed " + seed + ") declined: " + r.declined() + "\n" + w.plan().program());
    NDArray[] expected = c.cpuBackend() ? Backends.compile(w.plan(), "cpu").run(w.args()) : w.plan().program().call(w.args());
    NDArray[] actual = HostEvaluator.run(r.plan(), w.args());
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      Compare.assertClose(c.name() + " (seed " + seed + ", " + w.plan().rows() + " rows) output " + i, expected[i], actual[i], Compare.F32_REL);
    }
  }

  /** The case table covers every primitive the lowering claims per row. */
  @Test void everyLoweredPrimitiveHasACase() {
    Set<String> covered = new TreeSet<>();
    for (PrimitiveCases.Case c : PrimitiveCases.all()) covered.add(c.primitive().name());
    Set<String> missing = new TreeSet<>();
    for (Primitive<?> p : GpuLowering.perRowPrimitives()) if (!covered.contains(p.name())) missing.add(p.name());
    assertEquals(Set.of(), missing);
  }
}
