package dev.arrax.gpu.plan;

import dev.arrax.DType;

/**
 * The element types a device column of a {@link GpuPlan} can have: the subset of cuDF's {@code DType}s
 * the lowering uses ({@code FLOAT32}, {@code FLOAT64}, {@code BOOL8}, one byte per element, 0 or 1).
 * Integer row values are not lowered: cuDF's integer casts and divisions do not follow the engine's
 * saturating, wrap-around semantics, and no workload needs them on the device.
 */
public enum ColumnType {
  /** cuDF {@code FLOAT32}, for engine {@code f32}; 4 bytes. */
  FLOAT32(DType.FLOAT32, 4),
  /** cuDF {@code FLOAT64}, for engine {@code f64}; 8 bytes. */
  FLOAT64(DType.FLOAT64, 8),
  /** cuDF {@code BOOL8}, for engine {@code bool}; one byte, 0 or 1. */
  BOOL8(DType.BOOL, 1);

  private final DType dtype;
  private final int bytes;

  ColumnType(DType dtype, int bytes) {
    this.dtype = dtype;
    this.bytes = bytes;
  }

  /** The engine dtype of this column type. */
  public DType dtype() { return dtype; }

  /** Bytes per element on the device (and in a {@link dev.arrax.backend.DirectArray}). */
  public int bytes() { return bytes; }

  /** True for {@link #FLOAT32} and {@link #FLOAT64}. */
  public boolean isFloating() { return this != BOOL8; }

  /** The column type of an engine dtype, or null when such row values are not lowered. */
  public static ColumnType of(DType d) {
    return switch (d) {
      case FLOAT32 -> FLOAT32;
      case FLOAT64 -> FLOAT64;
      case BOOL -> BOOL8;
      case INT32, INT64, UINT32 -> null;
    };
  }

  /** {@code f32}, {@code f64}, {@code bool}: as the engine prints dtypes. */
  public String shortName() { return dtype.shortName(); }
}
