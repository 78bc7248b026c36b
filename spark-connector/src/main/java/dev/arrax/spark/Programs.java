package dev.arrax.spark;

import dev.arrax.DType;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.backend.Backends;
import dev.arrax.backend.Executable;
import dev.arrax.backend.Placement;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import dev.arrax.compile.Passes;
import dev.arrax.core.ArrayType;
import dev.arrax.ir.Program;
import dev.arrax.staging.Staging;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-row programs and the batched programs built from them, and the per-JVM cache of compiled ones.
 *
 * <p>The driver traces the user's function for ONE row and ships the program's text. Each executor JVM parses
 * it once, batches it with vmap at the sizes it meets (full batches, and power-of-two buckets for the last
 * batch of a partition), optimizes and plans each ({@link ProgramPlan}: the batch's feature columns and the
 * mask are row-mapped, parameters are not), compiles each once on the requested backend
 * ({@link Backends#compile(ProgramPlan, String)}) and keeps the {@link Executable}s, keyed by the SHA-256 of
 * the program text, the batching, the row count and the backend, in a bounded LRU cache.
 */
final class Programs {
  private static final Logger LOG = LoggerFactory.getLogger(Programs.class);
  private static final int MAX_ENTRIES = 128;
  /** The smallest batch bucket: tails are padded up to a power of two no smaller than this. */
  static final int MIN_BUCKET = 64;

  /** How the batched program is built from the per-row one. */
  enum Batching { MAP, GRADIENT_SUM, ROW }

  private Programs() {}

  private static final Map<String, Object> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** A hex SHA-256 of the program text: the cache key that identifies a program across JVMs. */
  static String digest(String text) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(64);
      for (byte b : h) sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The batch size for {@code n} real rows: the next power of two (at least {@link #MIN_BUCKET}), capped at {@code batchRows}. */
  static int bucket(int n, int batchRows) {
    int b = MIN_BUCKET;
    while (b < n && b < batchRows) b <<= 1;
    return Math.min(b, batchRows);
  }

  /** Every input mapped over a new leading axis of {@code rows}: {@code jit(vmap(perRow))}'s program. */
  static Program batchedMap(Program perRow, int rows) {
    ArrayType[] in = perRow.inTypes();
    ArrayType[] batched = new ArrayType[in.length];
    for (int i = 0; i < in.length; i++) batched[i] = withLeading(in[i], rows);
    MultiFn f = perRow::call;
    MultiFn v = f.vmap();
    return Staging.trace("arrax_map", batched, v::apply);
  }

  /**
   * For a per-row loss program {@code (params..., features...) -> loss} (a float scalar): the params unmapped, the
   * features mapped over {@code rows}, plus a trailing {@code bool[rows]} mask; the outputs are the loss summed over
   * the rows where the mask is true, in f64, and its gradient with respect to each parameter, in f64:
   * {@code valueAndGrad(p -> sum(where(mask, vmap(loss)(p, X), 0)))}. This is the gradient of the batch's summed
   * loss, not a sum of per-row gradients: the backward pass reduces over the rows where the model does (a
   * {@code dot(X^T, delta)} for a weight), so no {@code [rows, params]} array is ever built and the batch needs
   * memory for its activations plus one gradient. {@code where}, not a multiplication, drops the other rows; the
   * tasks also fill masked slots with a copy of a valid row, so the zero cotangent of a dropped row never meets an
   * infinite derivative (0 * inf = NaN) of a placeholder row.
   *
   * <p>With f32 parameters the loss is summed in f64 (cast per row) and the backward pass runs in f32, the
   * parameters' type; each batch's gradient is returned in f64 and the sums across batches and partitions are
   * (near-)exact, rounded to the parameters' type once on the driver.
   */
  static Program batchedGradientSum(Program perRow, int params, int rows) {
    ArrayType[] in = perRow.inTypes();
    ArrayType[] out = perRow.outTypes();
    if (out.length != 1 || out[0].rank() != 0 || !out[0].dtype().isFloating()) {
      throw new dev.arrax.ArraxException("the per-row loss must return one floating scalar, but it returns " + Arrays.toString(out));
    }
    ArrayType[] batched = new ArrayType[in.length + 1];
    Integer[] axes = new Integer[in.length];
    for (int i = 0; i < in.length; i++) {
      batched[i] = i < params ? in[i] : withLeading(in[i], rows);
      axes[i] = i < params ? null : 0;
    }
    batched[in.length] = ArrayType.of(DType.BOOL, rows);
    MultiFn f = perRow::call;
    MultiFn v = f.vmap(axes);
    dev.arrax.Fn summed = args -> {
      NDArray mask = args[args.length - 1];
      NDArray l = v.apply(Arrays.copyOf(args, args.length - 1))[0];
      NDArray l64 = l.dtype() == DType.FLOAT64 ? l : l.astype(DType.FLOAT64);
      return Np.sum(Np.where(mask, l64, 0.0));
    };
    int[] argnums = new int[params];
    for (int i = 0; i < params; i++) argnums[i] = i;
    MultiFn vg = dev.arrax.Arrax.valueAndGrad(summed, argnums);
    return Staging.trace("arrax_gradient_sum", batched, args -> {
      NDArray[] r = vg.apply(args);
      for (int i = 1; i < r.length; i++) if (r[i].dtype() != DType.FLOAT64) r[i] = r[i].astype(DType.FLOAT64);
      return r;
    });
  }

  /**
   * The bytes one more row adds to a batch of {@code batching}, estimated without running anything: the batched
   * program is built (and optimized) for 2 and for 3 rows, and the difference of the bytes of all its values
   * (inputs, intermediates, outputs) is what a row costs, so values that do not carry the row axis (parameters,
   * constants, a gradient summed over the rows) do not count. Fusion usually keeps intermediates from being
   * materialized, so this is an upper bound on the kernel's memory; for a map the row arena (the input row copied and
   * the outputs' places) is added.
   */
  static long bytesPerRow(Program perRow, Batching batching, int params) {
    if (batching == Batching.ROW) return 1;
    long two = valueBytes(Passes.optimize(batched(perRow, batching, params, 2)));
    long three = valueBytes(Passes.optimize(batched(perRow, batching, params, 3)));
    long perRowBytes = Math.max(1, three - two);
    if (batching == Batching.MAP) perRowBytes += valueBytes(perRow.inTypes()) + valueBytes(perRow.outTypes()) + 16;
    return perRowBytes;
  }

  /** {@link #bytesPerRow(Program, Batching, int)}, once per JVM and program (a training loop estimates once). */
  static long bytesPerRow(String digest, Program perRow, Batching batching, int params) {
    return (Long) memo("bytes|" + batching + "|" + params + "|" + digest, () -> bytesPerRow(perRow, batching, params)).get();
  }

  /**
   * The rows per batch: {@code batchRows}, or fewer so that a batch's estimated bytes ({@link #bytesPerRow}) stay
   * within {@code maxBytes}; at least one row.
   */
  static int rowsPerBatch(long bytesPerRow, int batchRows, long maxBytes) {
    long fit = maxBytes / Math.max(1, bytesPerRow);
    return (int) Math.max(1, Math.min(batchRows, fit));
  }

  private static long valueBytes(Program p) {
    long b = 0;
    for (dev.arrax.ir.Var v : p.inVars()) b += bytes(v.type());
    for (dev.arrax.ir.Eqn e : p.eqns()) {
      // A broadcast is read through an index map by the kernels that use it, never materialized (CPU backend).
      if (e.primitive() == dev.arrax.primitives.Primitives.BROADCAST_IN_DIM) continue;
      for (dev.arrax.ir.Var v : e.outputs()) b += bytes(v.type());
    }
    return b;
  }

  private static long valueBytes(ArrayType[] types) {
    long b = 0;
    for (ArrayType t : types) b += bytes(t);
    return b;
  }

  private static long bytes(ArrayType t) {
    return (long) t.size() * dev.arrax.backend.DirectArray.elementBytes(t.dtype());
  }

  private static ArrayType withLeading(ArrayType t, int rows) {
    int[] s = t.shape();
    int[] r = new int[s.length + 1];
    r[0] = rows;
    System.arraycopy(s, 0, r, 1, s.length);
    return ArrayType.of(t.dtype(), r);
  }

  /** The per-row program of {@code text}, parsed once per JVM. */
  static Program perRow(String digest, String text) {
    return (Program) memo("row|" + digest, () -> Program.parse(text)).get();
  }

  /** The batched program of a batching, before optimization. */
  static Program batched(Program perRow, Batching batching, int params, int rows) {
    return switch (batching) {
      case MAP -> batchedMap(perRow, rows);
      case GRADIENT_SUM -> batchedGradientSum(perRow, params, rows);
      case ROW -> perRow;
    };
  }

  /**
   * Which inputs of the batched program carry the row axis: every input of a map; for a gradient sum the
   * features and the trailing mask but not the {@code params} parameters; none for a one-row program.
   */
  static boolean[] rowMapped(Batching batching, int inputs, int params) {
    boolean[] m = new boolean[inputs];
    for (int i = 0; i < inputs; i++) {
      m[i] = switch (batching) {
        case MAP -> true;
        case GRADIENT_SUM -> i >= params;
        case ROW -> false;
      };
    }
    return m;
  }

  /** The optimized, segmented batched program (planned once per JVM and key; nothing compiled). */
  static ProgramPlan plan(String digest, String text, Batching batching, int params, int rows) {
    String key = "plan|" + batching + "|" + params + "|" + rows + "|" + digest;
    return (ProgramPlan) memo(key, () -> {
      Program optimized = Passes.optimize(batched(perRow(digest, text), batching, params, rows));
      return ProgramPlan.of(optimized, batching == Batching.ROW ? -1 : rows, rowMapped(batching, optimized.inVars().size(), params));
    }).get();
  }

  /** Where the batched program would run on {@code backend} ({@code cpu}, {@code gpu}, {@code auto}, ...), without compiling. */
  static Placement placement(String digest, String text, Batching batching, int params, int rows, String backend) {
    String key = "place|" + backend + "|" + batching + "|" + params + "|" + rows + "|" + digest;
    return (Placement) memo(key, () -> Backends.place(plan(digest, text, batching, params, rows), backend)).get();
  }

  /**
   * The batched program compiled on {@code backend}, once per JVM and key (concurrent tasks wait for the first).
   * Logs the plan ({@link Executable#explain()}) at DEBUG and one INFO line with the backend and its segments.
   */
  static Executable executable(String digest, String text, Batching batching, int params, int rows, String backend) {
    String key = "exec|" + backend + "|" + batching + "|" + params + "|" + rows + "|" + digest;
    return (Executable) memo(key, () -> {
      long t0 = System.nanoTime();
      ProgramPlan plan = plan(digest, text, batching, params, rows);
      Executable e = Backends.compile(plan, backend);
      LOG.info("arrax: compiled program {} ({}, {} rows per batch) for backend {} in {} ms: runs on {}, {}", digest.substring(0, 12),
          batching, rows, backend, (System.nanoTime() - t0) / 1_000_000, e.backend(), segments(e.placement()));
      if (LOG.isDebugEnabled()) LOG.debug("arrax: program {} ({}, {} rows per batch):\n{}", digest.substring(0, 12), batching, rows, e.explain());
      return e;
    }).get();
  }

  /**
   * Whether a task builds its batches off-heap (Arrow) for {@code backend}: when the full batch would run on a
   * backend other than the CPU. On the CPU the Java-array path is faster; either path runs any executable.
   */
  static boolean runsOffHeap(String digest, String text, Batching batching, int params, int batchRows, String backend) {
    if (backend.equals(Backends.CPU)) return false;
    return !placement(digest, text, batching, params, batchRows, backend).backend().equals(Backends.CPU);
  }

  /** The segments of a placement in one line: {@code 2 segments: FUSED[mul, tanh] f32[64,4] -> f32[64] on cpu; ...}. */
  static String segments(Placement p) {
    StringBuilder sb = new StringBuilder().append(p.decisions().size()).append(p.decisions().size() == 1 ? " segment" : " segments");
    String sep = ": ";
    for (Placement.Decision d : p.decisions()) {
      Segment s = d.segment();
      sb.append(sep).append(s.describe()).append(" on ").append(d.backend());
      sep = "; ";
    }
    return sb.toString();
  }

  /** The number of compiled or parsed programs held by this JVM (for tests and diagnostics). */
  static synchronized int cachedEntries() {
    return CACHE.size();
  }

  private static synchronized Memo memo(String key, java.util.function.Supplier<Object> compute) {
    Object m = CACHE.get(key);
    if (m == null) {
      m = new Memo(compute);
      CACHE.put(key, m);
    }
    return (Memo) m;
  }

  /** A value computed once, outside the cache's lock, by the first thread that asks. */
  private static final class Memo {
    private final java.util.function.Supplier<Object> compute;
    private Object value;
    private RuntimeException failure;

    Memo(java.util.function.Supplier<Object> compute) {
      this.compute = compute;
    }

    synchronized Object get() {
      if (value == null && failure == null) {
        try {
          value = compute.get();
        } catch (RuntimeException e) {
          failure = e;
        }
      }
      if (failure != null) throw failure;
      return value;
    }
  }

  /** Driver-side: digests whose batched programs were already checked to trace, so a training loop checks once. */
  private static final Map<String, Boolean> CHECKED = new LinkedHashMap<>(16, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 4 * MAX_ENTRIES;
    }
  };

  static synchronized boolean firstCheck(String key) {
    return CHECKED.put(key, Boolean.TRUE) == null;
  }
}
