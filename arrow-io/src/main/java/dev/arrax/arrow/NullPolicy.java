package dev.arrax.arrow;

/**
 * What {@link ArrowArrays} does with null entries when it turns Arrow vectors into arrays. Arrays have no
 * nulls, so each null must be rejected, remembered or replaced:
 *
 * <ul>
 *   <li>{@link #ERROR} (the default) rejects the column with an {@link ArrowConversionException} that names the
 *       column and the first null row.
 *   <li>{@link #NULL_ROW} treats a row as null when any of its inputs is null. The array holds {@code 0} at such
 *       rows (a placeholder the computation may read but whose result is discarded); take the row mask from
 *       {@link ArrowArrays#validity(java.util.List)} and pass it to
 *       {@link ArrowArrays#fromArray(dev.arrax.NDArray, String, org.apache.arrow.memory.BufferAllocator, boolean[])}
 *       so those rows come out null again.
 *   <li>{@link #fill(double)} replaces each null element by a constant (a null list row: all of its elements).
 * </ul>
 *
 * <p>NaN is a value, not a null: a non-null NaN passes through under every policy.
 *
 * <pre>{@code
 * NDArray x = ArrowArrays.toArray(vector, NullPolicy.fill(0.0));
 * }</pre>
 */
public final class NullPolicy {
  /** The three behaviours; {@link #kind()} tells which one a policy has. */
  public enum Kind {
    /** Any null is an {@link ArrowConversionException} naming the column and row. */
    ERROR,
    /** A row with a null input is null: 0 in the array, masked back to null on output. */
    NULL_ROW,
    /** Each null element is replaced by {@link NullPolicy#fillValue()}. */
    FILL
  }

  /** Rejects any null (the default). */
  public static final NullPolicy ERROR = new NullPolicy(Kind.ERROR, 0.0);

  /** Marks a row with any null input as null and expects the caller to carry the row mask to the outputs. */
  public static final NullPolicy NULL_ROW = new NullPolicy(Kind.NULL_ROW, 0.0);

  private final Kind kind;
  private final double fillValue;

  private NullPolicy(Kind kind, double fillValue) {
    this.kind = kind;
    this.fillValue = fillValue;
  }

  /**
   * Replaces nulls by {@code value}, converted to the column's dtype. For integer columns the value must be a
   * whole number in range, for boolean columns 0 or 1; otherwise conversion fails naming the column.
   */
  public static NullPolicy fill(double value) {
    return new NullPolicy(Kind.FILL, value);
  }

  /** Which of the three behaviours this policy has, e.g. {@code NullPolicy.fill(0.0).kind() == Kind.FILL}. */
  public Kind kind() { return kind; }

  /** The replacement value of a {@link Kind#FILL} policy (0 for the others). */
  public double fillValue() { return fillValue; }

  @Override public boolean equals(Object o) {
    return o instanceof NullPolicy p && p.kind == kind && Double.compare(p.fillValue, fillValue) == 0;
  }

  @Override public int hashCode() { return 31 * kind.hashCode() + Double.hashCode(fillValue); }

  @Override public String toString() {
    return kind == Kind.FILL ? "NullPolicy.fill(" + fillValue + ")" : "NullPolicy." + kind;
  }
}
