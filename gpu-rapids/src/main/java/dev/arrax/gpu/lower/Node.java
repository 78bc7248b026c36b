package dev.arrax.gpu.lower;

import dev.arrax.gpu.plan.AstBinaryOp;
import dev.arrax.gpu.plan.AstUnaryOp;
import dev.arrax.gpu.plan.ColumnType;
import dev.arrax.gpu.plan.Expr;
import dev.arrax.gpu.plan.Step;
import java.util.List;

/**
 * A value of the lowering's element graph: one element of a per-row value (for narrow rows) or a whole
 * wide value. The {@link Scheduler} later decides which nodes become device columns and which are inlined
 * into a consumer's AST. {@code width} is the values per row of the column the node would be (1 for a row
 * column), 0 for a literal, which fits any column.
 */
abstract class Node {
  final ColumnType type;
  final int width;
  // scheduling state
  int uses;
  boolean required;
  boolean column;
  int cost;
  int id = -1;
  boolean visited;

  Node(ColumnType type, int width) {
    this.type = type;
    this.width = width;
  }

  abstract List<Node> children();

  /** An existing device column (an input feature, a wide input). */
  static final class Leaf extends Node {
    Leaf(int id, ColumnType type, int width) {
      super(type, width);
      this.id = id;
      this.column = true;
    }

    @Override List<Node> children() { return List.of(); }
  }

  /** A literal ({@link Expr.Const} or {@link Expr.Param}). */
  static final class Lit extends Node {
    final Expr literal;

    Lit(Expr literal) {
      super(literal.type(), 0);
      this.literal = literal;
    }

    @Override List<Node> children() { return List.of(); }
  }

  /** One AST operator over nodes of one width (or literals). */
  static final class Op extends Node {
    final AstUnaryOp unary;
    final AstBinaryOp binary;
    final Node a, b;

    Op(AstUnaryOp op, Node a) {
      super(requireType(op.resultType(a.type), op + " of " + a.type), a.width);
      this.unary = op;
      this.binary = null;
      this.a = a;
      this.b = null;
    }

    Op(AstBinaryOp op, Node a, Node b) {
      super(binaryType(op, a, b), widthOf(a, b));
      this.unary = null;
      this.binary = op;
      this.a = a;
      this.b = b;
    }

    @Override List<Node> children() { return b == null ? List.of(a) : List.of(a, b); }

    private static ColumnType binaryType(AstBinaryOp op, Node a, Node b) {
      if (a.type != b.type) throw new IllegalStateException("internal: AST " + op + " over " + a.type + " and " + b.type);
      return op.isComparison() ? ColumnType.BOOL8 : a.type;
    }
  }

  /** A column operation (its result is always a column). */
  static final class ColOp extends Node {
    enum Kind { IF_ELSE, CAST, SEGMENTED, ROW_BROADCAST, PARAM_BROADCAST, FILL }

    final Kind kind;
    final List<Node> inputs;
    final Step.ReduceOp reduceOp;
    final int slot;
    final int[] sourceIndex;

    ColOp(Kind kind, ColumnType type, int width, List<Node> inputs, Step.ReduceOp reduceOp, int slot, int[] sourceIndex) {
      super(type, width);
      if (width <= 0) throw new IllegalStateException("internal: column operation " + kind + " without a width");
      this.kind = kind;
      this.inputs = List.copyOf(inputs);
      this.reduceOp = reduceOp;
      this.slot = slot;
      this.sourceIndex = sourceIndex;
      this.column = true;
    }

    @Override List<Node> children() { return inputs; }
  }

  /** The sum over all rows of a column: a scalar read back to the host. */
  static final class Sum extends Node {
    final Node input;
    final int scalar;

    Sum(Node input, int scalar) {
      super(ColumnType.FLOAT64, input.width);
      this.input = input;
      this.scalar = scalar;
    }

    @Override List<Node> children() { return List.of(input); }
  }

  static int widthOf(Node a, Node b) {
    if (a.width != 0 && b.width != 0 && a.width != b.width) {
      throw new IllegalStateException("internal: AST over columns of widths " + a.width + " and " + b.width);
    }
    return Math.max(a.width, b.width);
  }

  private static ColumnType requireType(ColumnType t, String what) {
    if (t == null) throw new IllegalStateException("internal: AST " + what + " has no type");
    return t;
  }
}
