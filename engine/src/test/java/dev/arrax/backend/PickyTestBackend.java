package dev.arrax.backend;

import dev.arrax.NDArray;
import dev.arrax.primitives.Primitives;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only backend ("picky"), registered through this module's test META-INF/services: it claims every
 * segment but those holding a sort, declines programs of fewer than 8 rows, and runs what it claims through
 * the CPU backend while counting calls, so tests can see which backend ran.
 */
public final class PickyTestBackend implements Backend {
  static final AtomicInteger RUNS = new AtomicInteger();
  static volatile boolean usable = true;

  @Override public String name() { return "picky"; }

  @Override public Claim availability() { return usable ? Claim.yes() : Claim.no("the picky test device is switched off"); }

  @Override public Claim claim(Segment segment, ProgramPlan plan) {
    for (var e : segment.eqns()) {
      if (e.primitive() == Primitives.SORT) return Claim.no("sort " + e.inputs().get(0).type() + " has no picky lowering");
    }
    return Claim.yes();
  }

  @Override public Claim claimProgram(ProgramPlan plan) {
    return plan.rows() >= 8 ? Claim.yes() : Claim.no("a batch of " + plan.rows() + " rows is below the picky minimum of 8");
  }

  @Override public int priority() { return 5; }

  @Override public Executable compile(Placement placement) {
    Executable cpu = Backends.byName("cpu").compile(placement);
    return new Executable() {
      @Override public NDArray[] run(NDArray... args) {
        RUNS.incrementAndGet();
        return cpu.runOnCallerThread(args);
      }

      @Override public String backend() { return "picky"; }

      @Override public Placement placement() { return placement; }
    };
  }
}
