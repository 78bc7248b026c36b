package dev.arrax.gpu.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * One unit of device work of a {@link GpuPlan}, in the order the plan runs them: each defines one
 * column (or, for {@link ColumnSum}, one scalar) from columns defined before it. Each maps to one or two
 * cuDF calls, which {@link #launches()} counts as the plan's kernels.
 *
 * <ul>
 *   <li>{@link Compute}: an AST expression, {@code CompiledExpression.computeColumn(table)};</li>
 *   <li>{@link IfElse}: {@code pred.ifElse(a, b)}: select, max/min with NaN propagation, guarded formulas;</li>
 *   <li>{@link Cast}: {@code castTo}: to FLOAT32 (the AST can only cast to FLOAT64), from bool;</li>
 *   <li>{@link SegmentedReduce}: a reduction within each row of a wide column ({@code segmentedReduce}
 *       over offsets {@code 0, w, 2w, ...});</li>
 *   <li>{@link RowBroadcast}: a value per row repeated {@code width} times ({@code Table.repeat});</li>
 *   <li>{@link ParamBroadcast}: a parameter vector tiled over the rows of a wide column ({@code gather});</li>
 *   <li>{@link Fill}: a constant column ({@code ColumnVector.fromScalar});</li>
 *   <li>{@link ColumnSum}: the sum over all rows of a column, accumulated in FLOAT64 ({@code reduce}).</li>
 * </ul>
 */
public sealed interface Step permits Step.Compute, Step.IfElse, Step.Cast, Step.SegmentedReduce, Step.RowBroadcast,
    Step.ParamBroadcast, Step.Fill, Step.ColumnSum {

  /** The column (for {@link ColumnSum}: the scalar) this step defines. */
  int out();

  /** The columns it reads, in order (repeats removed). */
  List<Integer> reads();

  /** cuDF calls that launch device work. */
  default int launches() { return 1; }

  /** One line, without the output. */
  String describe();

  /** {@code out = AST(expr)} over the columns the expression references, all of one length. */
  record Compute(int out, Expr expr) implements Step {
    /**
     * Checks the expression.
     * @throws IllegalArgumentException if it reads no column (use {@link Fill})
     */
    public Compute {
      if (!expr.readsColumns()) throw new IllegalArgumentException("an AST must read a column; use Fill for " + expr.render());
    }

    @Override public List<Integer> reads() {
      List<Integer> ids = new ArrayList<>();
      expr.forEachColumn(id -> {
        if (!ids.contains(id)) ids.add(id);
      });
      return ids;
    }

    @Override public String describe() { return "ast[" + expr.operators() + " ops] " + expr.render(160); }
  }

  /** {@code out = predicate ? onTrue : onFalse} elementwise; the predicate is a BOOL8 column. */
  record IfElse(int out, int predicate, Operand onTrue, Operand onFalse) implements Step {
    @Override public List<Integer> reads() {
      List<Integer> ids = new ArrayList<>(List.of(predicate));
      if (onTrue instanceof Operand.Col c && !ids.contains(c.id())) ids.add(c.id());
      if (onFalse instanceof Operand.Col c && !ids.contains(c.id())) ids.add(c.id());
      return ids;
    }

    @Override public String describe() { return "if_else(c" + predicate + ", " + onTrue.render() + ", " + onFalse.render() + ")"; }
  }

  /** {@code out = cast(in)}: FLOAT64 to FLOAT32 rounds to nearest; BOOL8 to a float gives 0 or 1. */
  record Cast(int out, int in, ColumnType to) implements Step {
    @Override public List<Integer> reads() { return List.of(in); }

    @Override public String describe() { return "cast(c" + in + ", " + to + ")"; }
  }

  /** Reductions within each row of a wide column. */
  enum ReduceOp {
    /** The sum of a row's values. */
    SUM,
    /** The largest of a row's values. */
    MAX,
    /** The smallest of a row's values. */
    MIN,
    /** True if any of a row's values is true (nonzero). */
    ANY
  }

  /**
   * {@code out[r] = op(in[r*w .. r*w + w - 1])} for a wide column {@code in} of width {@code w}, a row
   * column {@code out} of type {@code resultType}. SUM accumulates in the result type (the lowering asks
   * for FLOAT64 and casts back). cuDF's MAX and MIN do not define which value a NaN yields; the lowering
   * guards them with an ANY over {@code x != x}.
   */
  record SegmentedReduce(int out, int in, ReduceOp op, ColumnType resultType) implements Step {
    @Override public List<Integer> reads() { return List.of(in); }

    @Override public String describe() { return "segmented_" + op.name().toLowerCase(java.util.Locale.ROOT) + "(c" + in + ") as " + resultType; }
  }

  /** {@code out[r*width + k] = in[r]}: a value per row broadcast along a wide row. */
  record RowBroadcast(int out, int in, int width) implements Step {
    @Override public List<Integer> reads() { return List.of(in); }

    @Override public String describe() { return "repeat(c" + in + ", " + width + ")"; }
  }

  /**
   * {@code out[r*w + k] = slot[sourceIndex[k]]}, {@code w = sourceIndex.length}: a parameter vector tiled
   * over every row of a wide column (a bias over the 1024 logits of each row).
   */
  record ParamBroadcast(int out, int slot, int[] sourceIndex, ColumnType type) implements Step {
    @Override public List<Integer> reads() { return List.of(); }

    @Override public int launches() { return 2; }

    @Override public String describe() { return "tile($s" + slot + ", width " + sourceIndex.length + ")"; }
  }

  /** {@code out[i] = value} for every element: a column of one literal. */
  record Fill(int out, Expr value) implements Step {
    /**
     * Checks the value.
     * @throws IllegalArgumentException if it reads a column
     */
    public Fill {
      if (value.readsColumns()) throw new IllegalArgumentException("fill takes a literal expression, got " + value.render());
    }

    @Override public List<Integer> reads() { return List.of(); }

    @Override public String describe() { return "fill(" + value.render(80) + ")"; }
  }

  /** Scalar {@code out} = the sum of column {@code in} over all its elements, accumulated in FLOAT64. */
  record ColumnSum(int out, int in) implements Step {
    @Override public List<Integer> reads() { return List.of(in); }

    @Override public String describe() { return "sum_rows(c" + in + ") as FLOAT64"; }
  }
}
