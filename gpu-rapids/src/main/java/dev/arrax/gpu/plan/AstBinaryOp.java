package dev.arrax.gpu.plan;

/**
 * The binary operators of cuDF 26.08.1's AST ({@code ai.rapids.cudf.ast.BinaryOperator}), constant for
 * constant. Operands of one binary operation must have one type (the AST does not promote); comparisons
 * give {@link ColumnType#BOOL8}. There is no max, min or select among them: the lowering uses
 * {@link Step.IfElse} for those.
 */
public enum AstBinaryOp {
  ADD, SUB, MUL, DIV, TRUE_DIV, FLOOR_DIV, MOD, PYMOD, POW, EQUAL, NULL_EQUAL, NOT_EQUAL, LESS, GREATER,
  LESS_EQUAL, GREATER_EQUAL, BITWISE_AND, BITWISE_OR, BITWISE_XOR, LOGICAL_AND, NULL_LOGICAL_AND, LOGICAL_OR,
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
