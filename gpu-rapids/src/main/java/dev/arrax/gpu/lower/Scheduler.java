package dev.arrax.gpu.lower;

import dev.arrax.gpu.plan.ColumnInfo;
import dev.arrax.gpu.plan.Expr;
import dev.arrax.gpu.plan.Operand;
import dev.arrax.gpu.plan.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Turns the element graph into device steps, deciding for each AST node whether it becomes a column of
 * its own ("materialized") or is inlined into the AST of its consumer:
 * <ul>
 *   <li>what a column operation reads, what an output is, and what is summed over rows is a column;</li>
 *   <li>a node read by more than one consumer is a column unless it is at most
 *       {@code fanoutInlineOperators} operators (cuDF's AST has no common subexpressions: an inlined node
 *       is evaluated once per use, so {@code tanh(x W + b)} read twice by {@code 1 - t*t} is computed once,
 *       into a column, while {@code x*x} is simply repeated);</li>
 *   <li>an AST over {@code maxAstOperators} operators has its largest inlined operand made a column
 *       (the AST interpreter keeps intermediates in shared memory, and a huge tree lowers occupancy).</li>
 * </ul>
 * Steps come out in dependency order, depth first from the outputs, which keeps the number of live
 * columns low (a column is freed after its last reader).
 */
final class Scheduler {
  private final GpuLowering.Limits limits;
  final List<ColumnInfo> columns;
  final List<Step> steps = new ArrayList<>();

  Scheduler(GpuLowering.Limits limits, List<ColumnInfo> inputColumns) {
    this.limits = limits;
    this.columns = new ArrayList<>(inputColumns);
  }

  /** Schedules everything the roots need; afterwards every root has its column id (sums: their scalar). */
  void schedule(List<Node> roots) {
    List<Node> all = reachable(roots);
    for (Node r : roots) {
      r.uses++;
      if (!(r instanceof Node.Sum)) r.required = true;
    }
    for (Node n : all) {
      for (Node c : n.children()) c.uses++;
      if (n instanceof Node.ColOp op) {
        for (int i = 0; i < op.inputs.size(); i++) {
          Node c = op.inputs.get(i);
          boolean scalarOperand = op.kind == Node.ColOp.Kind.FILL || (op.kind == Node.ColOp.Kind.IF_ELSE && i > 0 && c.width == 0);
          if (!scalarOperand) c.required = true;
        }
      } else if (n instanceof Node.Sum s) {
        s.input.required = true;
      }
    }
    // children come before parents in `all` (post order): decide materialization bottom up
    for (Node n : all) {
      if (!(n instanceof Node.Op op)) continue;
      op.cost = inlineCost(op);
      if (op.width > 0 && (op.required || (op.uses > 1 && op.cost > limits.fanoutInlineOperators()))) op.column = true;
      while (op.cost > limits.maxAstOperators()) {
        Node.Op biggest = null;
        for (Node c : op.children()) {
          if (c instanceof Node.Op co && !co.column && co.width > 0 && (biggest == null || co.cost > biggest.cost)) biggest = co;
        }
        if (biggest == null) break;
        biggest.column = true;
        op.cost = inlineCost(op);
      }
      if (op.width == 0 && op.required) throw new IllegalStateException("internal: a literal-only AST must be wrapped in a fill");
    }
    for (Node r : roots) emit(r);
  }

  private static int inlineCost(Node.Op op) {
    int c = 1;
    for (Node ch : op.children()) if (ch instanceof Node.Op o && !o.column) c += o.cost;
    return c;
  }

  /** Reachable nodes in post order (children first), iteratively (graphs can be deep). */
  private static List<Node> reachable(List<Node> roots) {
    List<Node> order = new ArrayList<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Object[]> stack = new ArrayDeque<>();
    for (Node r : roots) {
      if (!seen.add(r)) continue;
      stack.push(new Object[] {r, 0});
      while (!stack.isEmpty()) {
        Object[] top = stack.peek();
        Node n = (Node) top[0];
        int i = (Integer) top[1];
        List<Node> ch = n.children();
        if (i < ch.size()) {
          top[1] = i + 1;
          Node c = ch.get(i);
          if (seen.add(c)) stack.push(new Object[] {c, 0});
        } else {
          stack.pop();
          order.add(n);
        }
      }
    }
    return order;
  }

  /** Emits the steps for a node's columns, dependencies first (iterative post order). */
  private void emit(Node root) {
    Deque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    while (!stack.isEmpty()) {
      Object[] top = stack.peek();
      Node n = (Node) top[0];
      if (n.visited) {
        stack.pop();
        continue;
      }
      int i = (Integer) top[1];
      List<Node> ch = n.children();
      if (i < ch.size()) {
        top[1] = i + 1;
        Node c = ch.get(i);
        if (!c.visited) stack.push(new Object[] {c, 0});
        continue;
      }
      stack.pop();
      n.visited = true;
      if (n instanceof Node.Sum s) {
        steps.add(new Step.ColumnSum(s.scalar, s.input.id));
      } else if (n.column && n.id < 0) {
        n.id = columns.size();
        columns.add(new ColumnInfo(n.id, n.type, n.width));
        steps.add(stepFor(n));
      }
    }
  }

  private Step stepFor(Node n) {
    if (n instanceof Node.Op op) {
      Expr e = expr(op, true);
      return e.readsColumns() ? new Step.Compute(n.id, e) : new Step.Fill(n.id, e);
    }
    Node.ColOp c = (Node.ColOp) n;
    return switch (c.kind) {
      case IF_ELSE -> new Step.IfElse(n.id, c.inputs.get(0).id, operand(c.inputs.get(1)), operand(c.inputs.get(2)));
      case CAST -> new Step.Cast(n.id, c.inputs.get(0).id, c.type);
      case SEGMENTED -> new Step.SegmentedReduce(n.id, c.inputs.get(0).id, c.reduceOp, c.type);
      case ROW_BROADCAST -> new Step.RowBroadcast(n.id, c.inputs.get(0).id, c.width);
      case PARAM_BROADCAST -> new Step.ParamBroadcast(n.id, c.slot, c.sourceIndex, c.type);
      case FILL -> new Step.Fill(n.id, expr(c.inputs.get(0), false));
    };
  }

  private Operand operand(Node n) {
    if (n.column) return new Operand.Col(n.id, n.type);
    Expr e = expr(n, false);
    if (e.readsColumns()) throw new IllegalStateException("internal: an if_else operand reads columns but is not one: " + e.render());
    return new Operand.Scalar(e);
  }

  /** The AST of a node: columns become references, inlined operators recurse. */
  private static Expr expr(Node n, boolean top) {
    if (!top && n.column) return new Expr.Column(n.id, n.type);
    if (n instanceof Node.Lit l) return l.literal;
    Node.Op op = (Node.Op) n;
    if (op.unary != null) return Expr.Unary.of(op.unary, expr(op.a, false));
    return Expr.Binary.of(op.binary, expr(op.a, false), expr(op.b, false));
  }
}
