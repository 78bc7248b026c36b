package dev.arrax.gpu.plan;

/**
 * A value operand of a column operation ({@link Step.IfElse}): a device column, or a literal that cuDF
 * takes as a {@code Scalar} (an {@link Expr} without column references, evaluated on the host when the
 * plan runs).
 */
public sealed interface Operand permits Operand.Col, Operand.Scalar {
  /** The element type of the operand. */
  ColumnType type();

  /** A device column. */
  record Col(int id, ColumnType type) implements Operand {}

  /** A scalar: a literal expression ({@link Expr#readsColumns()} is false). */
  record Scalar(Expr value) implements Operand {
    /**
     * Checks the literal.
     * @throws IllegalArgumentException if {@code value} reads a column
     */
    public Scalar {
      if (value.readsColumns()) throw new IllegalArgumentException("a scalar operand cannot read columns: " + value.render());
    }

    @Override public ColumnType type() { return value.type(); }
  }

  /** {@code c7} or the literal's rendering. */
  default String render() {
    if (this instanceof Col c) return "c" + c.id();
    return ((Scalar) this).value().render();
  }
}
