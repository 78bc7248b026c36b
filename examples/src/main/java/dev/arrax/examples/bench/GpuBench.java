package dev.arrax.examples.bench;

import dev.arrax.Arrax;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.backend.Backend;
import dev.arrax.backend.Backends;
import dev.arrax.backend.Claim;
import dev.arrax.backend.Executable;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import dev.arrax.compile.Passes;
import dev.arrax.gpu.CudfBackend;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.gpu.plan.GpuPlan;
import dev.arrax.gpu.plan.HostEvaluator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The GPU benchmark (issue 9): W1-W3 on the cuDF backend against the CPU backend.
 *
 * <pre>
 *   bash examples/bench.sh gpu [W1 W2 W3] [--rows N] [--reps R]     (default: all three, N = 10,000,000, R = 5)
 * </pre>
 *
 * Per workload, always (no GPU needed):
 * <pre>
 *   PLAN Wn gpu_segments=A cpu_segments=B kernels=K emulated_max_rel_err=E
 * </pre>
 * A and B: the segments of the optimized program the GPU backend claims and declines; K: the device
 * launches of its plan per run; E: the plan run by the host evaluator (cuDF's semantics, emulated) against
 * the CPU backend on 10,000 rows (max |gpu - cpu| / max |cpu| over every output). Then, with a usable GPU,
 * per workload on N rows (W2: N/10 rows of 1024 logits, as in the CPU benchmark):
 * <pre>
 *   RESULT GPU_Wn gpu_rows_per_s=.. cpu_rows_per_s=.. max_rel_err=..
 * </pre>
 * (best of R runs after warm-up; a GPU run includes the copies to and from the device), and without one a
 * single {@code NO_GPU <reason>} line; the exit status is 0 either way, 1 when a GPU run fails or disagrees
 * with the CPU by more than 1e-3.
 */
public final class GpuBench {
  private GpuBench() {}

  static final int EMULATED_ROWS = 10_000;
  private static volatile double sink;

  /** A workload: its function (as traced under jit) and seeded inputs for a row count. */
  private record W(String id, MultiFn fn, IntFunction<NDArray[]> inputs, int rowsPerBenchRow) {}

  private static final int D = 32, H = 64, V = 1024;

  private static final List<W> WORKLOADS = List.of(
      new W("W1", a -> new NDArray[] {Arrax.vmap(Arrax.grad(W1MlpInputGradients::mlp), 0, null, null, null).apply(a)}, n -> new NDArray[] {
          NDArray.fromFlat(Data.normal(14, n * D, 1), n, D), NDArray.fromFlat(Data.normal(11, D * H, 1 / Math.sqrt(D)), D, H),
          NDArray.fromFlat(Data.normal(12, H, 1), H), NDArray.fromFlat(Data.normal(13, H, 1 / Math.sqrt(H)), H)}, 1),
      new W("W2", a -> W2EntropyVarentropyKl.seed(a[0], a[1]), n -> new NDArray[] {
          NDArray.fromFlat(Data.normal(21, n * V, 1), n, V), NDArray.fromFlat(Data.logSoftmaxRows(Data.normal(22, n * V, 1), n, V), n, V)}, 10),
      new W("W3", a -> new NDArray[] {Arrax.grad(W3LogisticGradient::loss).apply(a)}, n -> new NDArray[] {
          NDArray.fromFlat(Data.normal(33, D, 1), D), NDArray.fromFlat(Data.normal(31, n * D, 1), n, D),
          NDArray.fromFlat(Data.coinFlips(32, n), n)}, 1));

  public static void main(String[] args) {
    Locale.setDefault(Locale.ROOT);
    int rows = 10_000_000, reps = 5;
    Set<String> selected = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--rows") || a.equals("--reps")) {
        if (i + 1 >= args.length) usage("missing value after " + a);
        int v = positive(a, args[++i]);
        if (a.equals("--rows")) rows = v; else reps = v;
      } else if (a.matches("(?i)w[123]")) {
        selected.add(a.toUpperCase(Locale.ROOT));
      } else {
        usage("unknown argument '" + a + "'");
      }
    }
    if (selected.isEmpty()) selected.addAll(List.of("W1", "W2", "W3"));
    Backend gpu = Backends.byName(CudfBackend.NAME);
    System.out.println("Arrax GPU benchmark (issue 9): cuDF backend vs CPU backend, float32; rows=" + rows + " (W2: rows/10), reps=" + reps
        + "; plans emulated on " + EMULATED_ROWS + " rows (W2: " + EMULATED_ROWS + " rows of " + V + ")");
    for (W w : WORKLOADS) if (selected.contains(w.id())) plan(w, gpu);
    Claim available = gpu.availability();
    if (!available.accepted()) {
      System.out.println("NO_GPU " + available.reason());
      return;
    }
    int failures = 0;
    for (W w : WORKLOADS) {
      if (!selected.contains(w.id())) continue;
      try {
        if (!measure(w, Math.max(1, rows / w.rowsPerBenchRow()), reps)) failures++;
      } catch (RuntimeException | Error e) {
        System.out.println("FAILED GPU_" + w.id() + " " + e);
        e.printStackTrace(System.out);
        failures++;
      }
      System.gc();
    }
    if (failures > 0) System.exit(1);
  }

  private static ProgramPlan trace(W w, NDArray[] args) {
    return ProgramPlan.of(Passes.optimize(Arrax.makeJaxprMulti(w.fn(), args)));
  }

  /** The PLAN line: claims, kernels and the emulated plan against the CPU on 10,000 rows. */
  private static void plan(W w, Backend gpu) {
    NDArray[] args = w.inputs().apply(EMULATED_ROWS);
    ProgramPlan plan = trace(w, args);
    int yes = 0, no = 0;
    for (Segment s : plan.segments()) {
      Claim c = gpu.claim(s, plan);
      if (c.accepted()) {
        yes++;
      } else {
        no++;
        System.out.println("   " + w.id() + " segment #" + s.index() + " " + s.describe() + " stays on the cpu: " + c.reason());
      }
    }
    GpuLowering.Result r = GpuLowering.lower(plan);
    String kernels = "-", err = "-";
    if (r.lowered()) {
      GpuPlan p = r.plan();
      kernels = Integer.toString(p.kernels());
      NDArray[] emulated = HostEvaluator.run(p, args);
      NDArray[] cpu = Backends.compile(plan, "cpu").run(args);
      err = String.format("%.2e", maxRelErr(emulated, cpu));
    }
    System.out.println("PLAN " + w.id() + " gpu_segments=" + yes + " cpu_segments=" + no + " kernels=" + kernels + " emulated_max_rel_err=" + err);
  }

  /** The RESULT line: the GPU and the CPU on the same inputs, best of {@code reps} after warm-up. */
  private static boolean measure(W w, int rows, int reps) {
    NDArray[] args = w.inputs().apply(rows);
    ProgramPlan plan = trace(w, args);
    Executable onGpu = Backends.compile(plan, CudfBackend.NAME);
    if (!onGpu.backend().equals(CudfBackend.NAME)) {
      System.out.println("FAILED GPU_" + w.id() + " the program runs on the " + onGpu.backend() + ":\n" + onGpu.explain());
      return false;
    }
    Executable onCpu = Backends.compile(plan, "cpu");
    double gpuBest = best(onGpu, args, reps), cpuBest = best(onCpu, args, reps);
    double err = maxRelErr(done(onGpu.run(args)), done(onCpu.run(args)));
    System.out.printf("   %s: %,d rows; gpu best %.2f ms, cpu best %.2f ms%n", w.id(), rows, gpuBest * 1e3, cpuBest * 1e3);
    System.out.printf("RESULT GPU_%s gpu_rows_per_s=%.0f cpu_rows_per_s=%.0f max_rel_err=%.2e%n", w.id(), rows / gpuBest, rows / cpuBest, err);
    if (!(err <= Bench.TOLERANCE)) {
      System.out.println("FAILED GPU_" + w.id() + " the GPU and the CPU disagree by " + err + " (more than " + Bench.TOLERANCE + ")");
      return false;
    }
    return true;
  }

  private static double best(Executable e, NDArray[] args, int reps) {
    for (int i = 0; i < 2; i++) sink += done(e.run(args)).length;
    double best = Double.MAX_VALUE;
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      sink += done(e.run(args)).length;
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }

  private static NDArray[] done(NDArray[] out) {
    for (NDArray a : out) a.blockUntilReady();
    return out;
  }

  private static double maxRelErr(NDArray[] a, NDArray[] b) {
    double worst = 0;
    for (int i = 0; i < b.length; i++) worst = Math.max(worst, Bench.normRelative(a[i].toFloatArray(), b[i].toFloatArray()));
    return worst;
  }

  private static int positive(String flag, String v) {
    return Bench.parsePositive(flag, v, GpuBench::usage);
  }

  private static void usage(String why) {
    System.err.println("bench gpu: " + why);
    System.err.println("usage: bash examples/bench.sh gpu [W1 W2 W3] [--rows N] [--reps R]   (default: all three, N = 10000000, R = 5)");
    System.exit(2);
  }
}
