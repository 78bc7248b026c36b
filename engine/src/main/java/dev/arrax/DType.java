package dev.arrax;

/**
 * Element types of {@link NDArray}, with JAX's type promotion (64-bit mode, {@code jax_enable_x64}).
 *
 * <p>Promotion is the join on JAX's type lattice restricted to these types:
 * <pre>
 *            bool   u32    i32    i64    f32    f64
 *   bool     bool   u32    i32    i64    f32    f64
 *   u32      u32    u32    i64    i64    f32    f64
 *   i32      i32    i64    i32    i64    f32    f64
 *   i64      i64    i64    i64    i64    f32    f64
 *   f32      f32    f32    f32    f32    f32    f64
 *   f64      f64    f64    f64    f64    f64    f64
 * </pre>
 * As in JAX (and unlike NumPy) any integer combined with {@code f32} stays {@code f32}. A Java {@code double}
 * passed where an array is expected is weakly typed: it takes the dtype of a floating array it meets
 * ({@code f32 + 2.0 -> f32}) and is {@code f64} against integers or booleans.
 */
public enum DType {
  /** 32-bit IEEE 754 float, {@code f32} ({@code jnp.float32}); 4 bytes. */
  FLOAT32("f32", 4),
  /** 64-bit IEEE 754 float, {@code f64} ({@code jnp.float64}); 8 bytes. The default of {@code NDArray.of} and {@code Np.zeros}. */
  FLOAT64("f64", 8),
  /** 32-bit signed integer, {@code i32} ({@code jnp.int32}); 4 bytes, wraps on overflow. */
  INT32("i32", 4),
  /** 64-bit signed integer, {@code i64} ({@code jnp.int64}); 8 bytes. Integer sums and argmax indices use it. */
  INT64("i64", 8),
  /** 32-bit unsigned integer, {@code u32} ({@code jnp.uint32}); 4 bytes. PRNG keys and bits use it. */
  UINT32("u32", 4),
  /** Boolean, {@code bool} ({@code jnp.bool_}); 1 byte per element. Comparisons return it. */
  BOOL("bool", 1);

  private final String shortName;
  private final int byteWidth;

  DType(String shortName, int byteWidth) {
    this.shortName = shortName;
    this.byteWidth = byteWidth;
  }

  /** The short name used in printed programs: {@code f32, f64, i32, i64, u32, bool}. */
  public String shortName() { return shortName; }

  /** Bytes per element in a packed buffer. */
  public int byteWidth() { return byteWidth; }

  /**
   * True for {@link #FLOAT32} and {@link #FLOAT64} ({@code jnp.issubdtype(d, jnp.floating)}): the types
   * that carry gradients.
   */
  public boolean isFloating() { return this == FLOAT32 || this == FLOAT64; }

  /** True for {@link #INT32}, {@link #INT64} and {@link #UINT32}; false for bool. */
  public boolean isInteger() { return this == INT32 || this == INT64 || this == UINT32; }

  /** True for {@link #BOOL}. */
  public boolean isBool() { return this == BOOL; }

  /** Parses a short name as printed by {@link #shortName()}. */
  public static DType fromShortName(String s) {
    for (DType t : values()) {
      if (t.shortName.equals(s)) return t;
    }
    throw new IllegalArgumentException("unknown dtype '" + s + "'; expected one of f32, f64, i32, i64, u32, bool");
  }

  /** The result dtype of combining two arrays of these dtypes (see the table above). */
  public static DType promote(DType a, DType b) {
    if (a == b) return a;
    if (a == BOOL) return b;
    if (b == BOOL) return a;
    if (a == FLOAT64 || b == FLOAT64) return FLOAT64;
    if (a == FLOAT32 || b == FLOAT32) return FLOAT32;
    return INT64; // two different integer types: u32/i32, u32/i64, i32/i64 all join at i64
  }

  /** The dtype a weakly typed Java {@code double} takes next to an array of this dtype. */
  public DType withWeakFloat() { return isFloating() ? this : FLOAT64; }
}
