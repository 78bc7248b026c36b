package dev.arrax.spark;

import dev.arrax.arrow.NullPolicy;
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
 *   <tr><td>{@link #withNullPolicy null policy}</td><td>{@value #NULL_POLICY_KEY}: {@code error},
 *       {@code null_row} or {@code fill:<value>}</td><td>{@code error}</td></tr>
 *   <tr><td>{@link #withBackend backend}</td><td>{@value #BACKEND_KEY}: {@code cpu}, {@code gpu} or
 *       {@code auto}</td><td>{@code cpu}</td></tr>
 * </table>
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
  public static final String BATCH_ROWS_KEY = "spark.arrax.batchRows";
  public static final String NULL_POLICY_KEY = "spark.arrax.nullPolicy";
  public static final String BACKEND_KEY = "spark.arrax.backend";
  public static final int DEFAULT_BATCH_ROWS = 65_536;

  /** Where kernels run. There is no GPU backend in this build yet: {@code GPU} and {@code AUTO} run on the CPU and log why. */
  public enum Backend {
    CPU, GPU, AUTO;

    /** {@code cpu}, {@code gpu} or {@code auto}, in any case. */
    public static Backend parse(String s) {
      if (s != null) {
        for (Backend b : values()) if (b.name().equalsIgnoreCase(s.trim())) return b;
      }
      throw new IllegalArgumentException("unknown Arrax backend '" + s + "'; use cpu, gpu or auto");
    }
  }

  private final Integer batchRows;
  private final NullPolicy nullPolicy;
  private final Backend backend;
  private final Map<String, Integer> arrayLengths;
  private final String name;

  private ArraxOptions(Integer batchRows, NullPolicy nullPolicy, Backend backend, Map<String, Integer> arrayLengths, String name) {
    this.batchRows = batchRows;
    this.nullPolicy = nullPolicy;
    this.backend = backend;
    this.arrayLengths = Collections.unmodifiableMap(new LinkedHashMap<>(arrayLengths));
    this.name = name;
  }

  /** Nothing set: everything comes from the Spark conf or the defaults. */
  public static ArraxOptions defaults() {
    return new ArraxOptions(null, null, null, Map.of(), null);
  }

  /** Rows per batch handed to the compiled kernel (the last batch of a partition may be smaller). */
  public ArraxOptions withBatchRows(int rows) {
    if (rows < 1) throw new IllegalArgumentException("batchRows must be >= 1, got " + rows);
    return new ArraxOptions(rows, nullPolicy, backend, arrayLengths, name);
  }

  public ArraxOptions withNullPolicy(NullPolicy policy) {
    if (policy == null) throw new IllegalArgumentException("null policy must not be null; use NullPolicy.ERROR, NULL_ROW or fill(v)");
    return new ArraxOptions(batchRows, policy, backend, arrayLengths, name);
  }

  public ArraxOptions withBackend(Backend b) {
    if (b == null) throw new IllegalArgumentException("backend must not be null; use Backend.CPU, GPU or AUTO");
    return new ArraxOptions(batchRows, nullPolicy, b, arrayLengths, name);
  }

  /** {@code cpu}, {@code gpu} or {@code auto}. */
  public ArraxOptions withBackend(String b) {
    return withBackend(Backend.parse(b));
  }

  /** The number of elements of every row of an array input column, instead of reading it from the first non-null row. */
  public ArraxOptions withArrayLength(String column, int length) {
    if (length < 0) throw new IllegalArgumentException("array length of column '" + column + "' must be >= 0, got " + length);
    Map<String, Integer> m = new LinkedHashMap<>(arrayLengths);
    m.put(column, length);
    return new ArraxOptions(batchRows, nullPolicy, backend, m, name);
  }

  /** A name for the function, used in Spark job descriptions, RDD names and log lines. */
  public ArraxOptions withName(String n) {
    return new ArraxOptions(batchRows, nullPolicy, backend, arrayLengths, n);
  }

  /** The rows per batch, or the default when unset (the Spark conf is consulted only when running). */
  public int batchRows() { return batchRows != null ? batchRows : DEFAULT_BATCH_ROWS; }

  public NullPolicy nullPolicy() { return nullPolicy != null ? nullPolicy : NullPolicy.ERROR; }

  public Backend backend() { return backend != null ? backend : Backend.CPU; }

  public Map<String, Integer> arrayLengths() { return arrayLengths; }

  /** The name given with {@link #withName}, or null. */
  public String name() { return name; }

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
    Backend b = backend;
    if (b == null) {
      String v = conf.get(BACKEND_KEY, null);
      try {
        b = v == null ? Backend.CPU : Backend.parse(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(BACKEND_KEY + "=" + v + ": " + e.getMessage(), e);
      }
    }
    return new ArraxOptions(rows, policy, b, arrayLengths, name);
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

  /** {@code error}, {@code null_row} or {@code fill:<value>} (also {@code fill(<value>)}), in any case. */
  public static NullPolicy parseNullPolicy(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.equals("error")) return NullPolicy.ERROR;
    if (s.equals("null_row") || s.equals("nullrow") || s.equals("null-row")) return NullPolicy.NULL_ROW;
    String num = null;
    if (s.startsWith("fill:")) num = s.substring(5);
    else if (s.startsWith("fill(") && s.endsWith(")")) num = s.substring(5, s.length() - 1);
    if (num != null) {
      try {
        return NullPolicy.fill(Double.parseDouble(num.trim()));
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(NULL_POLICY_KEY + "=" + v + ": expected error, null_row or fill:<number>");
  }

  @Override public String toString() {
    return "ArraxOptions{batchRows=" + batchRows() + ", nullPolicy=" + nullPolicy() + ", backend=" + backend()
        + (arrayLengths.isEmpty() ? "" : ", arrayLengths=" + arrayLengths) + (name == null ? "" : ", name=" + name) + "}";
  }
}
