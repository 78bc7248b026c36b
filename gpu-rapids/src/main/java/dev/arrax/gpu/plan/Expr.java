package dev.arrax.gpu.plan;

import java.util.function.IntConsumer;

/**
 * An expression tree of cuDF's AST as plain data: what one {@code CompiledExpression.computeColumn} call
 * evaluates for every element of a column. Leaves are {@link Column} references (device columns of one
 * length), {@link Const} literals known when the plan is made, and {@link Param} literals: element
 * {@code index} of host slot {@code slot} (a parameter such as a weight matrix), bound when the plan runs,
 * so a changed parameter needs no new plan. Inner nodes are {@link Unary} and {@link Binary} operations
 * with cuDF's operators.
 *
 * <p>Example: {@code tanh(x0 * W[0,5] + x1 * W[1,5] + b[5])}, one hidden unit of an MLP layer over
 * feature columns {@code x0, x1}, is
 * <pre>
 *   Unary(TANH, Binary(ADD, Binary(ADD, Binary(MUL, Column(0), Param(w, 5)), Binary(MUL, Column(1), Param(w, 69))), Param(b, 5)))
 * </pre>
 * and renders as {@code tanh(((c0 * $s0[5]) + (c1 * $s0[69])) + $s1[5])}.
 */
public sealed interface Expr permits Expr.Column, Expr.Const, Expr.Param, Expr.Unary, Expr.Binary {
  /** The type of the expression's values. */
  ColumnType type();

  /** Number of AST operators (unary and binary nodes). */
  int operators();

  /** A device column, by id. */
  record Column(int id, ColumnType type) implements Expr {
    @Override public int operators() { return 0; }
  }

  /** A literal known when the plan is made (a constant of the program); bool as 0 or 1. */
  record Const(ColumnType type, double value) implements Expr {
    /**
     * Checks the literal.
     * @throws IllegalArgumentException for an f32 literal that is not exactly a float value
     */
    public Const {
      if (type == ColumnType.FLOAT32 && !Double.isNaN(value) && (double) (float) value != value) {
        throw new IllegalArgumentException("f32 literal " + value + " is not a float value");
      }
    }

    @Override public int operators() { return 0; }
  }

  /** Element {@code index} (row major) of host slot {@code slot}, bound as a literal when the plan runs. */
  record Param(int slot, int index, ColumnType type) implements Expr {
    @Override public int operators() { return 0; }
  }

  /** A unary AST operation; {@link #of} checks the types. */
  record Unary(AstUnaryOp op, Expr operand, ColumnType type) implements Expr {
    /**
     * {@code op(operand)} with its result type.
     * @throws IllegalArgumentException if {@code op} does not take the operand's type
     */
    public static Unary of(AstUnaryOp op, Expr operand) {
      ColumnType t = op.resultType(operand.type());
      if (t == null) throw new IllegalArgumentException("AST " + op + " does not take " + operand.type());
      return new Unary(op, operand, t);
    }

    @Override public int operators() { return 1 + operand.operators(); }
  }

  /** A binary AST operation on two operands of one type; {@link #of} checks the types. */
  record Binary(AstBinaryOp op, Expr left, Expr right, ColumnType type) implements Expr {
    /**
     * {@code left op right} with its result type.
     * @throws IllegalArgumentException if the operand types differ or {@code op} does not take them
     */
    public static Binary of(AstBinaryOp op, Expr left, Expr right) {
      if (left.type() != right.type()) {
        throw new IllegalArgumentException("AST " + op + " operands differ in type: " + left.type() + " and " + right.type() + " (the AST does not promote)");
      }
      boolean logical = op == AstBinaryOp.LOGICAL_AND || op == AstBinaryOp.LOGICAL_OR;
      if (logical && left.type() != ColumnType.BOOL8) throw new IllegalArgumentException("AST " + op + " takes bool operands, got " + left.type());
      if (!logical && !op.isComparison() && !left.type().isFloating()) {
        throw new IllegalArgumentException("AST " + op + " is not used on " + left.type());
      }
      return new Binary(op, left, right, op.isComparison() ? ColumnType.BOOL8 : left.type());
    }

    @Override public int operators() { return 1 + left.operators() + right.operators(); }
  }

  /** Whether the expression reads a device column (an expression of literals only becomes a {@link Step.Fill}). */
  default boolean readsColumns() {
    if (this instanceof Column) return true;
    if (this instanceof Unary u) return u.operand().readsColumns();
    if (this instanceof Binary b) return b.left().readsColumns() || b.right().readsColumns();
    return false;
  }

  /** Calls {@code f} with the id of every column reference, left to right (repeats included). */
  default void forEachColumn(IntConsumer f) {
    if (this instanceof Column c) {
      f.accept(c.id());
    } else if (this instanceof Unary u) {
      u.operand().forEachColumn(f);
    } else if (this instanceof Binary b) {
      b.left().forEachColumn(f);
      b.right().forEachColumn(f);
    }
  }

  /** The expression in infix form: {@code c3}, {@code 1.0f}, {@code $s2[17]}, {@code tanh(x)}, {@code (a * b)}. */
  default String render() {
    StringBuilder sb = new StringBuilder();
    render(this, sb, Integer.MAX_VALUE);
    return sb.toString();
  }

  /** {@link #render()} cut after about {@code max} characters. */
  default String render(int max) {
    StringBuilder sb = new StringBuilder();
    render(this, sb, max);
    if (sb.length() > max) {
      sb.setLength(max);
      sb.append(" ...");
    }
    return sb.toString();
  }

  private static void render(Expr e, StringBuilder sb, int max) {
    if (sb.length() > max) return;
    if (e instanceof Column c) {
      sb.append('c').append(c.id());
    } else if (e instanceof Const c) {
      sb.append(literalText(c.type(), c.value()));
    } else if (e instanceof Param p) {
      sb.append("$s").append(p.slot()).append('[').append(p.index()).append(']');
    } else if (e instanceof Unary u) {
      sb.append(u.op().name().toLowerCase(java.util.Locale.ROOT)).append('(');
      render(u.operand(), sb, max);
      sb.append(')');
    } else if (e instanceof Binary b) {
      sb.append('(');
      render(b.left(), sb, max);
      sb.append(' ').append(b.op().symbol()).append(' ');
      render(b.right(), sb, max);
      sb.append(')');
    }
  }

  /** A literal as the plan prints it: {@code 1.0f}, {@code 2.5d}, {@code true}. */
  static String literalText(ColumnType t, double v) {
    return switch (t) {
      case FLOAT32 -> (float) v + "f";
      case FLOAT64 -> v + "d";
      case BOOL8 -> v != 0 ? "true" : "false";
    };
  }
}
