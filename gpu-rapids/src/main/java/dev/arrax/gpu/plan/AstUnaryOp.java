package dev.arrax.gpu.plan;

/**
 * The unary operators of cuDF 26.08.1's AST ({@code ai.rapids.cudf.ast.UnaryOperator}), constant for
 * constant and in the same order, so a plan says exactly what the device evaluates. The executor maps
 * each constant with an exhaustive switch (a renamed constant is a compile error there). What the AST
 * lacks (a cast to FLOAT32, select, max/min, log1p, erf) the lowering builds from column operations.
 */
public enum AstUnaryOp {
  /** The operand unchanged. */
  IDENTITY,
  /** True where the operand is null ({@code BOOL8}). */
  IS_NULL,
  /** Sine. */
  SIN,
  /** Cosine. */
  COS,
  /** Tangent. */
  TAN,
  /** Arcsine. */
  ARCSIN,
  /** Arccosine. */
  ARCCOS,
  /** Arctangent. */
  ARCTAN,
  /** Hyperbolic sine. */
  SINH,
  /** Hyperbolic cosine. */
  COSH,
  /** Hyperbolic tangent. */
  TANH,
  /** Inverse hyperbolic sine. */
  ARCSINH,
  /** Inverse hyperbolic cosine. */
  ARCCOSH,
  /** Inverse hyperbolic tangent. */
  ARCTANH,
  /** {@code e^x}. */
  EXP,
  /** Natural logarithm. */
  LOG,
  /** Square root. */
  SQRT,
  /** Cube root. */
  CBRT,
  /** Ceiling. */
  CEIL,
  /** Floor. */
  FLOOR,
  /** Absolute value. */
  ABS,
  /** Round to the nearest integer value (ties to even). */
  RINT,
  /** Bitwise not (never emitted by the lowering). */
  BIT_INVERT,
  /** Logical not (emitted for {@code BOOL8} only). */
  NOT,
  /** Cast to int64 (never emitted by the lowering). */
  CAST_TO_INT64,
  /** Cast to uint64 (never emitted by the lowering). */
  CAST_TO_UINT64,
  /** Cast to {@code FLOAT64}. */
  CAST_TO_FLOAT64;

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
