package dev.arrax.gpu.plan;

/**
 * The binary operators of cuDF 26.08.1's AST ({@code ai.rapids.cudf.ast.BinaryOperator}), constant for
 * constant. Operands of one binary operation must have one type (the AST does not promote); comparisons
 * give {@link ColumnType#BOOL8}. There is no max, min or select among them: the lowering uses
 * {@link Step.IfElse} for those.
 */
public enum AstBinaryOp {
  /** {@code a + b}. */
  ADD,
  /** {@code a - b}. */
  SUB,
  /** {@code a * b}. */
  MUL,
  /** {@code a / b} in the operands' type. */
  DIV,
  /** {@code a / b} in floating point (printed {@code /.}). */
  TRUE_DIV,
  /** {@code floor(a / b)} (printed {@code //}). */
  FLOOR_DIV,
  /** Remainder with the sign of {@code a}, as C's {@code fmod}. */
  MOD,
  /** Remainder with the sign of {@code b}, as Python's {@code %}. */
  PYMOD,
  /** {@code a^b}. */
  POW,
  /** {@code a == b} ({@code BOOL8}). */
  EQUAL,
  /** {@code a == b} where two nulls are equal (printed {@code <=>}). */
  NULL_EQUAL,
  /** {@code a != b} ({@code BOOL8}). */
  NOT_EQUAL,
  /** {@code a < b} ({@code BOOL8}). */
  LESS,
  /** {@code a > b} ({@code BOOL8}). */
  GREATER,
  /** {@code a <= b} ({@code BOOL8}). */
  LESS_EQUAL,
  /** {@code a >= b} ({@code BOOL8}). */
  GREATER_EQUAL,
  /** Bitwise and. */
  BITWISE_AND,
  /** Bitwise or. */
  BITWISE_OR,
  /** Bitwise exclusive or. */
  BITWISE_XOR,
  /** Logical and. */
  LOGICAL_AND,
  /** Logical and with SQL null semantics ({@code null && false} is false; printed {@code &&?}). */
  NULL_LOGICAL_AND,
  /** Logical or. */
  LOGICAL_OR,
  /** Logical or with SQL null semantics ({@code null || true} is true; printed {@code ||?}). */
  NULL_LOGICAL_OR;

  /** Whether the operator compares (result {@code BOOL8}). */
  public boolean isComparison() {
    return switch (this) {
      case EQUAL, NULL_EQUAL, NOT_EQUAL, LESS, GREATER, LESS_EQUAL, GREATER_EQUAL -> true;
      default -> false;
    };
  }

  /** The infix symbol {@link Expr#render()} prints. */
  public String symbol() {
    return switch (this) {
      case ADD -> "+";
      case SUB -> "-";
      case MUL -> "*";
      case DIV -> "/";
      case TRUE_DIV -> "/.";
      case FLOOR_DIV -> "//";
      case MOD -> "fmod";
      case PYMOD -> "pymod";
      case POW -> "pow";
      case EQUAL -> "==";
      case NULL_EQUAL -> "<=>";
      case NOT_EQUAL -> "!=";
      case LESS -> "<";
      case GREATER -> ">";
      case LESS_EQUAL -> "<=";
      case GREATER_EQUAL -> ">=";
      case BITWISE_AND -> "&";
      case BITWISE_OR -> "|";
      case BITWISE_XOR -> "^";
      case LOGICAL_AND -> "&&";
      case NULL_LOGICAL_AND -> "&&?";
      case LOGICAL_OR -> "||";
      case NULL_LOGICAL_OR -> "||?";
    };
  }
}
