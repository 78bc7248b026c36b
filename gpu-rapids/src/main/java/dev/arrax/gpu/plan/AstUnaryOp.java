package dev.arrax.gpu.plan;

/**
 * The unary operators of cuDF 26.08.1's AST ({@code ai.rapids.cudf.ast.UnaryOperator}), constant for
 * constant and in the same order, so a plan says exactly what the device evaluates. The executor maps
 * each constant with an exhaustive switch (a renamed constant is a compile error there). What the AST
 * lacks (a cast to FLOAT32, select, max/min, log1p, erf) the lowering builds from column operations.
 */
public enum AstUnaryOp {
  IDENTITY, IS_NULL, SIN, COS, TAN, ARCSIN, ARCCOS, ARCTAN, SINH, COSH, TANH, ARCSINH, ARCCOSH, ARCTANH,
  EXP, LOG, SQRT, CBRT, CEIL, FLOOR, ABS, RINT, BIT_INVERT, NOT, CAST_TO_INT64, CAST_TO_UINT64, CAST_TO_FLOAT64;

  /** The result type for an operand of type {@code in}, or null when the lowering never emits the pair. */
  public ColumnType resultType(ColumnType in) {
    return switch (this) {
      case IS_NULL -> ColumnType.BOOL8;
      case NOT -> in == ColumnType.BOOL8 ? ColumnType.BOOL8 : null;
      case CAST_TO_FLOAT64 -> ColumnType.FLOAT64;
      case CAST_TO_INT64, CAST_TO_UINT64, BIT_INVERT -> null;
      case IDENTITY -> in;
      default -> in.isFloating() ? in : null;
    };
  }
}
