package dev.arrax.arrow;

import dev.arrax.DType;

/** Applies a {@link NullPolicy} to column data already copied out of Arrow. */
final class Nulls {
  private Nulls() {}

  static String fix() {
    return "NullPolicy.ERROR (the default) rejects nulls; pass NullPolicy.NULL_ROW or NullPolicy.fill(value) to convert them";
  }

  /** Rejects a fill value that the dtype cannot hold exactly (a fractional or out-of-range integer, a bool not 0/1). */
  static void checkFill(String column, DType dt, NullPolicy policy) {
    if (policy.kind() != NullPolicy.Kind.FILL) return;
    double v = policy.fillValue();
    boolean ok = switch (dt) {
      case FLOAT32, FLOAT64 -> true;
      case INT32 -> v == Math.rint(v) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      case INT64 -> v == Math.rint(v) && v >= -0x1p63 && v < 0x1p63;
      case UINT32 -> v == Math.rint(v) && v >= 0 && v <= 4294967295.0;
      case BOOL -> v == 0.0 || v == 1.0;
    };
    if (!ok) {
      throw new ArrowConversionException("column '" + column + "': " + policy + " cannot fill a " + dt.shortName()
          + " column; use " + (dt == DType.BOOL ? "0 or 1" : "a whole number in range"));
    }
  }

  /**
   * Applies the policy to {@code rows x width} row-major data. {@code rowOk} (null: all valid) marks rows that
   * are null as a whole (a null list); {@code elemOk} (null: all valid) marks single null elements.
   */
  static void apply(String column, DType dt, Object data, int rows, int width, boolean[] rowOk, boolean[] elemOk,
      NullPolicy policy) {
    if (rowOk == null && elemOk == null) return;
    for (int r = 0; r < rows; r++) {
      boolean rowNull = rowOk != null && !rowOk[r];
      if (rowNull) {
        switch (policy.kind()) {
          case ERROR -> throw new ArrowConversionException("column '" + column + "': row " + r + " is null; " + fix());
          case NULL_ROW -> fillRow(data, dt, r, width, 0.0);
          case FILL -> fillRow(data, dt, r, width, policy.fillValue());
        }
        continue;
      }
      if (elemOk == null) continue;
      for (int c = 0; c < width; c++) {
        if (elemOk[r * width + c]) continue;
        switch (policy.kind()) {
          case ERROR -> throw new ArrowConversionException("column '" + column + "': row " + r
              + " holds a null at element " + c + "; " + fix());
          case NULL_ROW -> {
            fillRow(data, dt, r, width, 0.0);
            c = width; // the whole row is now a placeholder
          }
          case FILL -> ScalarColumns.set(data, dt, r * width + c, policy.fillValue());
        }
      }
    }
  }

  static void fillRow(Object data, DType dt, int r, int width, double v) {
    for (int c = 0; c < width; c++) ScalarColumns.set(data, dt, r * width + c, v);
  }
}
