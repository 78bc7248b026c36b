package dev.arrax.spark;

import dev.arrax.arrow.NullPolicy;
import dev.arrax.backend.Backends;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.RuntimeConfig;

/**
 * How {@link ArraxSpark} runs a function over a DataFrame. Immutable: every {@code with...} method returns a
 * new object. A setting left unset here is taken from the session's Spark conf ({@code spark.arrax.*}), else
 * from the default:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>Spark conf key</th><th>default</th></tr>
 *   <tr><td>{@link #withBatchRows rows per batch}</td><td>{@value #BATCH_ROWS_KEY}</td>
 *       <td>{@value #DEFAULT_BATCH_ROWS}</td></tr>
 *   <tr><td>{@link #withMaxBytesPerBatch bytes per batch}</td><td>{@value #MAX_BYTES_PER_BATCH_KEY}</td>
 *       <td>64 MiB</td></tr>
 *   <tr><td>{@link #withNullPolicy null policy}</td><td>{@value #NULL_POLICY_KEY}: {@code error},
 *       {@code null_row} or {@code fill:<value>}</td><td>{@code error}</td></tr>
 *   <tr><td>{@link #withBackend(String) backend}</td><td>{@value #BACKEND_KEY}: {@code cpu}, {@code gpu},
 *       {@code auto} or the name of another installed backend</td><td>{@code cpu}</td></tr>
 *   <tr><td>{@link #withExplain explain}</td><td>{@value #EXPLAIN_KEY}: {@code true} logs the plan
 *       ({@link ArraxSpark#explain}) at INFO once per program; also {@code -Darrax.explain=true}</td>
 *       <td>{@code false}</td></tr>
 * </table>
 *
 * <p>Backends ({@link dev.arrax.backend.Backends}): {@code cpu} runs the engine's code generator in each task.
 * {@code gpu} (the {@code arrax-gpu-rapids} module and {@code ai.rapids:cudf} on the driver's and the executors'
 * classpath) must be usable on the driver, else the job fails there, before any Spark job runs, saying why; a
 * program that the GPU backend does not take whole runs on the CPU, logged with the reason. {@code auto} runs on
 * the first usable backend that takes the whole program, else on the CPU, logged once with the reason. On a
 * cluster give each task its share of a GPU ({@code spark.executor.resource.gpu.amount=1},
 * {@code spark.task.resource.gpu.amount=1/<cores per executor>}); without it all concurrent tasks of an executor
 * share its GPU, and the connector warns. With a backend other than the CPU each task builds its batches as
 * Arrow batches (one child allocator per task) and hands them to the backend as off-heap buffers.
 *
 * <p>Null policies ({@link NullPolicy}): {@code ERROR} fails the task with a message naming the column and
 * the row; {@code NULL_ROW} gives null outputs for a row with any null input (other rows are computed as
 * usual; {@link ArraxSpark#sumGradient} skips such rows); {@code fill(v)} replaces each null input element
 * by {@code v}.
 *
 * <p>The length of an {@code array<...>} input column is read from its first non-null row (one small Spark
 * job) unless given with {@link #withArrayLength}; every row must then have that length.
 *
 * <pre>{@code
 * ArraxOptions opts = ArraxOptions.defaults().withBatchRows(8192).withNullPolicy(NullPolicy.NULL_ROW);
 * Dataset<Row> out = ArraxSpark.map(df, f, new String[] {"x"}, new String[] {"y"}, opts);
 * }</pre>
 */
public final class ArraxOptions {
  /**
   * Spark conf key for the rows per batch ({@link #withBatchRows}); e.g.
   * {@code spark.conf().set("spark.arrax.batchRows", "8192")}.
   */
  public static final String BATCH_ROWS_KEY = "spark.arrax.batchRows";
  /**
   * Spark conf key for the null policy ({@link #withNullPolicy}): {@code error}, {@code null_row} or
   * {@code fill:<value>}.
   */
  public static final String NULL_POLICY_KEY = "spark.arrax.nullPolicy";
  /**
   * Spark conf key for the backend ({@link #withBackend(String)}): {@code cpu}, {@code gpu}, {@code auto}
   * or an installed backend's name.
   */
  public static final String BACKEND_KEY = "spark.arrax.backend";
  /**
   * Spark conf key that logs the plan when a job is set up ({@link #withExplain}): {@code true} or
   * {@code false}.
   */
  public static final String EXPLAIN_KEY = "spark.arrax.explain";
  /**
   * Spark conf key that lets a map read its input as columns where the upstream plan produces columnar batches (a
   * vectorized Parquet/ORC scan, a columnar cache): {@code true} (the default) or {@code false} (read rows, as
   * before). Read when the query is planned.
   */
  public static final String COLUMNAR_INPUT_KEY = "spark.arrax.columnarInput";
  /** The JVM property that turns on {@link #withExplain} for every call: {@code -Darrax.explain=true}. */
  public static final String EXPLAIN_PROPERTY = "arrax.explain";
  /** Rows per batch when neither the options nor the Spark conf set it: 65,536. */
  public static final int DEFAULT_BATCH_ROWS = 65_536;
  /**
   * Spark conf key for the most bytes a batch may take ({@link #withMaxBytesPerBatch}): a number of bytes or a
   * size such as {@code 64m}, {@code 256MiB}, {@code 1g}; like {@code spark.sql.execution.arrow.maxBytesPerBatch}.
   */
  public static final String MAX_BYTES_PER_BATCH_KEY = "spark.arrax.maxBytesPerBatch";
  /** Bytes per batch when neither the options nor the Spark conf set it: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES_PER_BATCH = 64L << 20;

  /** The backends every build knows by name; {@link #withBackend(String)} also takes any other installed backend's name. */
  public enum Backend {
    /** The built-in CPU backend ({@code cpu}), the default. */
    CPU,
    /** The GPU backend ({@code gpu}, from the gpu-rapids module); an error if it cannot be used. */
    GPU,
    /** The highest-priority usable backend that claims the whole program, else the CPU ({@code auto}). */
    AUTO;

    /** {@code cpu}, {@code gpu} or {@code auto}, in any case. */
    public static Backend parse(String s) {
      if (s != null) {
        for (Backend b : values()) if (b.name().equalsIgnoreCase(s.trim())) return b;
      }
      throw new IllegalArgumentException("unknown Arrax backend '" + s + "'; use cpu, gpu or auto");
    }

    /** The name {@link dev.arrax.backend.Backends} knows it by ({@code cpu}, {@code gpu}, {@code auto}). */
    public String backendName() { return name().toLowerCase(Locale.ROOT); }
  }

  private final Integer batchRows;
  private final NullPolicy nullPolicy;
  private final String backend;
  private final Boolean explain;
  private final Map<String, Integer> arrayLengths;
  private final String name;
  private final Long maxBytesPerBatch;

  private ArraxOptions(Integer batchRows, NullPolicy nullPolicy, String backend, Boolean explain, Map<String, Integer> arrayLengths,
      String name, Long maxBytesPerBatch) {
    this.maxBytesPerBatch = maxBytesPerBatch;
    this.batchRows = batchRows;
    this.nullPolicy = nullPolicy;
    this.backend = backend;
    this.explain = explain;
    this.arrayLengths = Collections.unmodifiableMap(new LinkedHashMap<>(arrayLengths));
    this.name = name;
  }

  /** Nothing set: everything comes from the Spark conf or the defaults. */
  public static ArraxOptions defaults() {
    return new ArraxOptions(null, null, null, null, Map.of(), null, null);
  }

  /** Rows per batch handed to the compiled kernel (the last batch of a partition may be smaller). */
  public ArraxOptions withBatchRows(int rows) {
    if (rows < 1) throw new IllegalArgumentException("batchRows must be >= 1, got " + rows);
    return new ArraxOptions(rows, nullPolicy, backend, explain, arrayLengths, name, maxBytesPerBatch);
  }

  /**
   * What to do with null inputs: {@link NullPolicy#ERROR} (the default), {@link NullPolicy#NULL_ROW} or
   * {@link NullPolicy#fill(double)}.
   * @throws IllegalArgumentException if {@code policy} is null
   */
  public ArraxOptions withNullPolicy(NullPolicy policy) {
    if (policy == null) throw new IllegalArgumentException("null policy must not be null; use NullPolicy.ERROR, NULL_ROW or fill(v)");
    return new ArraxOptions(batchRows, policy, backend, explain, arrayLengths, name, maxBytesPerBatch);
  }

  /**
   * The backend to run on, by constant: {@code withBackend(Backend.GPU)} is {@code withBackend("gpu")}.
   * @throws IllegalArgumentException if {@code b} is null
   */
  public ArraxOptions withBackend(Backend b) {
    if (b == null) throw new IllegalArgumentException("backend must not be null; use Backend.CPU, GPU or AUTO");
    return withBackend(b.backendName());
  }

  /**
   * {@code cpu}, {@code gpu}, {@code auto} or the name of another installed backend, in any case. Whether the
   * backend exists and is usable is checked on the driver when a job is set up (before any Spark job runs).
   */
  public ArraxOptions withBackend(String b) {
    return new ArraxOptions(batchRows, nullPolicy, checkBackendName(b), explain, arrayLengths, name, maxBytesPerBatch);
  }

  /** Logs the plan ({@link ArraxSpark#explain}) at INFO once per program and backend when a job is set up. */
  public ArraxOptions withExplain(boolean on) {
    return new ArraxOptions(batchRows, nullPolicy, backend, on, arrayLengths, name, maxBytesPerBatch);
  }

  /** A backend name as {@link dev.arrax.backend.Backends} takes it: trimmed, lower case, letters, digits, '-' and '_'. */
  static String checkBackendName(String b) {
    String n = b == null ? "" : b.trim().toLowerCase(Locale.ROOT);
    if (!n.matches("[a-z0-9_-]+")) {
      throw new IllegalArgumentException("unknown Arrax backend '" + b + "'; use cpu, gpu, auto or the name of an installed backend");
    }
    return n;
  }

  /** The number of elements of every row of an array input column, instead of reading it from the first non-null row. */
  public ArraxOptions withArrayLength(String column, int length) {
    if (length < 0) throw new IllegalArgumentException("array length of column '" + column + "' must be >= 0, got " + length);
    Map<String, Integer> m = new LinkedHashMap<>(arrayLengths);
    m.put(column, length);
    return new ArraxOptions(batchRows, nullPolicy, backend, explain, m, name, maxBytesPerBatch);
  }

  /** A name for the function, used in Spark job descriptions, RDD names and log lines. */
  public ArraxOptions withName(String n) {
    return new ArraxOptions(batchRows, nullPolicy, backend, explain, arrayLengths, n, maxBytesPerBatch);
  }

  /** The rows per batch, or the default when unset (the Spark conf is consulted only when running). */
  public int batchRows() { return batchRows != null ? batchRows : DEFAULT_BATCH_ROWS; }

  /**
   * The null policy, or {@link NullPolicy#ERROR} when unset (the Spark conf is consulted only when
   * running).
   */
  public NullPolicy nullPolicy() { return nullPolicy != null ? nullPolicy : NullPolicy.ERROR; }

  /** The backend's name ({@code cpu}, {@code gpu}, {@code auto}, ...): {@code cpu} when unset. */
  public String backend() { return backend != null ? backend : Backends.CPU; }

  /** Whether the plan is logged when a job is set up: the option, else {@code -Darrax.explain}. */
  public boolean explain() { return explain != null ? explain : Boolean.getBoolean(EXPLAIN_PROPERTY); }

  /** The array lengths given with {@link #withArrayLength}, by column name, read-only (empty when none). */
  public Map<String, Integer> arrayLengths() { return arrayLengths; }

  /** The name given with {@link #withName}, or null. */
  public String name() { return name; }

  /**
   * The most bytes one batch may take, or the default (64 MiB) when unset (the Spark conf is consulted only when
   * running): with {@link #withBatchRows} it bounds the rows per batch, whichever is fewer, at least one row.
   */
  public long maxBytesPerBatch() { return maxBytesPerBatch != null ? maxBytesPerBatch : DEFAULT_MAX_BYTES_PER_BATCH; }

  /**
   * The most bytes a batch may take: a batch holds at most {@code bytes / (bytes per row)} rows (and at most
   * {@link #withBatchRows}, at least one), where a row's bytes are estimated on the driver from the traced per-row
   * program: its input and output elements and the intermediates that carry the row axis in the batched program.
   * Wide rows ({@code array<double>} of a million elements) then run a few rows at a time instead of 65,536, so an
   * executor's heap holds them; the default 64 MiB keeps batches of narrow rows at the full {@code batchRows}.
   */
  public ArraxOptions withMaxBytesPerBatch(long bytes) {
    if (bytes < 1) throw new IllegalArgumentException("maxBytesPerBatch must be >= 1 byte, got " + bytes);
    return new ArraxOptions(batchRows, nullPolicy, backend, explain, arrayLengths, name, bytes);
  }

  /** A size in bytes: a whole number, optionally followed by k, m, g (or kb/kib, mb/mib, gb/gib; powers of 1024) or b. */
  static long parseBytes(String key, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?").matcher(s);
    if (m.matches()) {
      String unit = m.group(2) == null ? "b" : m.group(2);
      int shift = switch (unit.charAt(0)) {
        case 'k' -> 10;
        case 'm' -> 20;
        case 'g' -> 30;
        case 't' -> 40;
        default -> 0;
      };
      try {
        long n = Long.parseLong(m.group(1));
        if (n >= 1 && n <= (Long.MAX_VALUE >> shift)) return n << shift;
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(key + "=" + v + ": expected a size >= 1 byte such as 67108864, 64m or 1g");
  }

  /** These options with every unset setting taken from {@code conf} ({@code spark.arrax.*}), then from the defaults. */
  public ArraxOptions resolve(RuntimeConfig conf) {
    Integer rows = batchRows;
    if (rows == null) {
      String v = conf.get(BATCH_ROWS_KEY, null);
      rows = v == null ? DEFAULT_BATCH_ROWS : parseRows(v);
    }
    NullPolicy policy = nullPolicy;
    if (policy == null) {
      String v = conf.get(NULL_POLICY_KEY, null);
      policy = v == null ? NullPolicy.ERROR : parseNullPolicy(v);
    }
    String b = backend;
    if (b == null) {
      String v = conf.get(BACKEND_KEY, null);
      try {
        b = v == null ? Backends.CPU : checkBackendName(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(BACKEND_KEY + "=" + v + ": " + e.getMessage(), e);
      }
    }
    Boolean ex = explain;
    if (ex == null) {
      String v = conf.get(EXPLAIN_KEY, null);
      ex = v == null ? Boolean.getBoolean(EXPLAIN_PROPERTY) : parseBoolean(EXPLAIN_KEY, v);
    }
    Long maxBytes = maxBytesPerBatch;
    if (maxBytes == null) {
      String v = conf.get(MAX_BYTES_PER_BATCH_KEY, null);
      maxBytes = v == null ? DEFAULT_MAX_BYTES_PER_BATCH : parseBytes(MAX_BYTES_PER_BATCH_KEY, v);
    }
    return new ArraxOptions(rows, policy, b, ex, arrayLengths, name, maxBytes);
  }

  /** Whether the backend was set here or in the conf rather than defaulted, and where: for error messages. */
  String backendSource(RuntimeConfig conf) {
    if (backend != null) return "ArraxOptions.withBackend(\"" + backend + "\")";
    return conf.get(BACKEND_KEY, null) != null ? BACKEND_KEY + "=" + conf.get(BACKEND_KEY, null) : "the default";
  }

  private static boolean parseBoolean(String key, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) return true;
    if (s.equals("false")) return false;
    throw new IllegalArgumentException(key + "=" + v + ": expected true or false");
  }

  private static int parseRows(String v) {
    try {
      int r = Integer.parseInt(v.trim());
      if (r >= 1) return r;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(BATCH_ROWS_KEY + "=" + v + ": expected a whole number of rows >= 1");
  }

  /**
   * {@code error}, {@code null_row} or {@code fill:<value>} (also {@code fill(<value>)}), in any case; the value is a
   * number, {@code NaN}, {@code Infinity} ({@code inf}) or {@code -Infinity} ({@code -inf}).
   */
  public static NullPolicy parseNullPolicy(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.equals("error")) return NullPolicy.ERROR;
    if (s.equals("null_row") || s.equals("nullrow") || s.equals("null-row")) return NullPolicy.NULL_ROW;
    String num = null;
    if (s.startsWith("fill:")) num = s.substring(5);
    else if (s.startsWith("fill(") && s.endsWith(")")) num = s.substring(5, s.length() - 1);
    if (num != null) {
      Double d = parseFillValue(num.trim());
      if (d != null) return NullPolicy.fill(d);
    }
    throw new IllegalArgumentException(NULL_POLICY_KEY + "=" + v + ": expected error, null_row or fill:<number> (a number, NaN, Infinity or "
        + "-Infinity)");
  }

  /**
   * A fill value in lower case (the policy is matched ignoring case): a decimal number, or {@code nan}, {@code inf} /
   * {@code infinity} with an optional sign, which {@link Double#parseDouble} only takes spelled {@code NaN} and
   * {@code Infinity}; null if it is none of these.
   */
  private static Double parseFillValue(String s) {
    String unsigned = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (unsigned.equals("nan")) return Double.NaN;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override public String toString() {
    return "ArraxOptions{batchRows=" + batchRows()
        + (maxBytesPerBatch() == DEFAULT_MAX_BYTES_PER_BATCH ? "" : ", maxBytesPerBatch=" + maxBytesPerBatch()) + ", nullPolicy=" + nullPolicy() + ", backend=" + backend()
        + (explain() ? ", explain" : "")
        + (arrayLengths.isEmpty() ? "" : ", arrayLengths=" + arrayLengths) + (name == null ? "" : ", name=" + name) + "}";
  }
}
