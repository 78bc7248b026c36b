package dev.arrax.gpu;

import dev.arrax.ArraxException;
import dev.arrax.backend.Backend;
import dev.arrax.backend.Claim;
import dev.arrax.backend.Executable;
import dev.arrax.backend.Placement;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.ir.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The GPU backend ({@code gpu}): runs vmapped per-row programs as column-wise work on an NVIDIA GPU through
 * RAPIDS cuDF's Java API. The lowering ({@link GpuLowering}) turns the program into a
 * {@link dev.arrax.gpu.plan.GpuPlan} of AST computes and column operations; {@link CudfExecutable} runs it.
 *
 * <p>Choosing it: {@code Arrax.jit(f, "gpu")} (an error before anything runs where no GPU is usable,
 * naming why), or {@code "auto"}: the GPU where {@link #availability()} is yes, every segment lowers
 * and the batch has at least {@code -Darrax.gpu.minRows} rows (default {@value #DEFAULT_MIN_ROWS}:
 * below that, the uploads and the hundred-odd kernel launches of a typical plan cost more than the CPU's
 * whole run), else the CPU with one INFO line saying why.
 *
 * <p>This class never touches cuDF's classes: the engine loads every backend through
 * {@link java.util.ServiceLoader}, also where cuDF is not on the classpath, and loading cuDF's natives
 * without a GPU extracts a 1.2 GB library and fails. Availability checks, in order: cuDF's classes are
 * present (without initializing them), {@code /dev/nvidiactl} exists, and only then CUDA reports a
 * device ({@code CudfProbe}, the first code that loads natives).
 */
public final class CudfBackend implements Backend {
  /** The backend's name. */
  public static final String NAME = "gpu";
  /** Default of {@code -Darrax.gpu.minRows}. */
  public static final int DEFAULT_MIN_ROWS = 100_000;

  private static volatile Claim availability;
  private static final Map<Program, Lowered> LOWERINGS = Collections.synchronizedMap(new WeakHashMap<>());

  private record Lowered(int rows, boolean[] rowMapped, GpuLowering.Result result) {}

  @Override public String name() { return NAME; }

  @Override public int priority() { return 10; }

  @Override public Claim availability() {
    Claim a = availability;
    if (a == null) {
      synchronized (CudfBackend.class) {
        if (availability == null) availability = probe();
        a = availability;
      }
    }
    return a;
  }

  /** The availability checks without caching (tests); see the class comment for the order. */
  static Claim probe() {
    if (Boolean.getBoolean("arrax.gpu.disabled")) return Claim.no("the GPU backend is disabled (-Darrax.gpu.disabled=true)");
    try {
      Class.forName("ai.rapids.cudf.Cuda", false, CudfBackend.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return Claim.no("cuDF is not on the classpath (add ai.rapids:cudf:26.08.1 with classifier cuda12 or cuda13)");
    }
    Path ctl = Path.of(System.getProperty("arrax.gpu.deviceFile", "/dev/nvidiactl"));
    if (!Files.exists(ctl)) return Claim.no("no NVIDIA GPU here (" + ctl + " does not exist)");
    return CudfProbe.probe();
  }

  @Override public Claim claim(Segment segment, ProgramPlan plan) {
    GpuLowering.Result r = lowering(plan);
    String why = r.declined().get(segment.index());
    return why == null ? Claim.yes() : Claim.no(why);
  }

  @Override public Claim claimProgram(ProgramPlan plan) {
    int min = minRows();
    if (plan.rows() < min) {
      return Claim.no("a batch of " + Math.max(plan.rows(), 0) + " rows is below arrax.gpu.minRows=" + min
          + " (smaller batches run faster on the CPU than the transfers and kernel launches take)");
    }
    GpuLowering.Result r = lowering(plan);
    if (!r.lowered()) return Claim.no(r.declined().values().iterator().next());
    return Claim.yes();
  }

  @Override public Executable compile(Placement placement) {
    GpuLowering.Result r = lowering(placement.plan());
    if (!r.lowered()) {
      throw new ArraxException("backend gpu cannot compile this program: " + r.declined());
    }
    return new CudfExecutable(r.plan(), placement);
  }

  /** The lowering of a plan, cached per program (weakly) so claims, compile and explain lower once. */
  public static GpuLowering.Result lowering(ProgramPlan plan) {
    Lowered l = LOWERINGS.get(plan.program());
    if (l != null && l.rows() == plan.rows() && Arrays.equals(l.rowMapped(), rowMapped(plan))) return l.result();
    GpuLowering.Result r = GpuLowering.lower(plan);
    LOWERINGS.put(plan.program(), new Lowered(plan.rows(), rowMapped(plan), r));
    return r;
  }

  private static boolean[] rowMapped(ProgramPlan plan) {
    boolean[] m = new boolean[plan.program().inVars().size()];
    for (int i = 0; i < m.length; i++) m[i] = plan.isRowMapped(i);
    return m;
  }

  /** {@code -Darrax.gpu.minRows}, default {@value #DEFAULT_MIN_ROWS}. */
  public static int minRows() {
    return Integer.getInteger("arrax.gpu.minRows", DEFAULT_MIN_ROWS);
  }
}
