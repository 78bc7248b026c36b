package dev.arrax.compile.cpu;

import dev.arrax.backend.Backend;
import dev.arrax.backend.Claim;
import dev.arrax.backend.Executable;
import dev.arrax.backend.Placement;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;

/**
 * The CPU backend ({@code cpu}): fused loops generated as Java source and compiled with Janino (Vector API
 * for f32), register-tiled matmul kernels, row-blocked runs across cores, and the reference evaluator for
 * what has no kernel (logged and counted). It runs every segment, so it is where other backends fall back.
 */
public final class CpuBackend implements Backend {
  @Override public String name() { return "cpu"; }

  @Override public Claim availability() { return Claim.yes(); }

  @Override public Claim claim(Segment segment, ProgramPlan plan) { return Claim.yes(); }

  @Override public Executable compile(Placement placement) {
    Warmup.startInBackground(); // the first compile of a process (e.g. a Spark task's) starts it if jit did not
    return new CpuExecutable(CompiledProgram.compileOptimized(placement.plan().program()), placement);
  }

  /** A program compiled for the CPU. */
  static final class CpuExecutable implements Executable {
    private final CompiledProgram compiled;
    private final Placement placement;

    CpuExecutable(CompiledProgram compiled, Placement placement) {
      this.compiled = compiled;
      this.placement = placement;
    }

    /** Asynchronous dispatch on the dispatch thread unless this thread runs single-threaded ({@link Dispatcher}). */
    @Override public dev.arrax.NDArray[] run(dev.arrax.NDArray... args) {
      return Dispatcher.run(compiled, args);
    }

    @Override public dev.arrax.NDArray[] runOnCallerThread(dev.arrax.NDArray... args) {
      dev.arrax.NDArray[][] out = new dev.arrax.NDArray[1][];
      Parallel.runSingleThreaded(() -> out[0] = compiled.run(args));
      return out[0];
    }

    @Override public String backend() { return "cpu"; }

    @Override public Placement placement() { return placement; }

    /** The CPU's own steps (fused loops, matmuls, interpreted equations) under the segment plan. */
    @Override public String explain() {
      StringBuilder sb = new StringBuilder(placement.explain());
      sb.append("  cpu steps:\n");
      for (String s : compiled.describeSteps()) sb.append("    ").append(s).append('\n');
      return sb.toString();
    }
  }
}
