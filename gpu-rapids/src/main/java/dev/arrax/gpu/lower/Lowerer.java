package dev.arrax.gpu.lower;

import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ElementwiseOp;
import dev.arrax.core.Primitive;
import dev.arrax.core.Shapes;
import dev.arrax.gpu.plan.AstBinaryOp;
import dev.arrax.gpu.plan.AstUnaryOp;
import dev.arrax.gpu.plan.ColumnInfo;
import dev.arrax.gpu.plan.ColumnType;
import dev.arrax.gpu.plan.Expr;
import dev.arrax.gpu.plan.GpuPlan;
import dev.arrax.gpu.plan.HostStep;
import dev.arrax.gpu.plan.InputBinding;
import dev.arrax.gpu.plan.OutputBinding;
import dev.arrax.gpu.plan.SlotInfo;
import dev.arrax.gpu.plan.SlotView;
import dev.arrax.gpu.plan.Step;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.primitives.BroadcastInDim;
import dev.arrax.primitives.Concatenate;
import dev.arrax.primitives.ConvertElementType;
import dev.arrax.primitives.DotGeneral;
import dev.arrax.primitives.Primitives;
import dev.arrax.primitives.Reduce;
import dev.arrax.primitives.Reshape;
import dev.arrax.primitives.Slice;
import dev.arrax.primitives.Transpose;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * One lowering of a {@link ProgramPlan} (see {@link GpuLowering} for the model). Walks the equations in
 * order, classifying each value as per-row (narrow: one node per element; wide: one node), parameter
 * (a host slot view) or sums over rows (a host slot filled after the device work), and builds the element
 * graph the {@link Scheduler} turns into steps. Dispatch is on the primitive instance, its
 * {@link ElementwiseOp} and its typed params, never on names.
 */
final class Lowerer {
  static final String INTEGER_ROWS = "integer row values are not lowered (cuDF's integer casts and division differ from the engine's"
      + " saturating, wrap-around semantics)";

  private final ProgramPlan pp;
  private final GpuLowering.Limits lim;
  private final int rows;
  private final Map<Var, Val> vals = new IdentityHashMap<>();
  private final Map<Eqn, Integer> segmentOf = new IdentityHashMap<>();
  private final Map<Integer, String> declined = new TreeMap<>();
  private final List<SlotInfo> slots = new ArrayList<>();
  private final List<HostStep> prelude = new ArrayList<>();
  private final List<HostStep> epilogue = new ArrayList<>();
  private final List<ColumnInfo> inputColumns = new ArrayList<>();
  private final List<InputBinding> inputs = new ArrayList<>();
  private final List<Node.Sum> sums = new ArrayList<>();
  private final Map<String, Integer> literalSlots = new HashMap<>();
  private int hostSteps;

  Lowerer(ProgramPlan pp, GpuLowering.Limits lim) {
    this.pp = pp;
    this.lim = lim;
    this.rows = pp.rows();
  }

  /** A value of the program, as the lowering sees it. */
  sealed interface Val permits HostV, RowV, WideV, Poison {}

  /** A host array (parameter, constant, prelude result, or sums over rows when {@code afterDevice}). */
  record HostV(SlotView view, ArrayType type, boolean afterDevice) implements Val {}

  /** A narrow per-row value: one node per element of a row (row major over {@code type}'s axes after the first). */
  record RowV(ArrayType type, Node[] elems) implements Val {}

  /** A wide per-row value: one node, a column of {@code width} values per row. */
  record WideV(ArrayType type, Node node) implements Val {
    int width() { return type.size() / type.dim(0); }
  }

  /** A value the GPU does not compute, and why. */
  record Poison(String reason, int segment) implements Val {}

  /** Thrown to decline an equation; the message is the reason shown to users. */
  static final class Decline extends Exception {
    Decline(String reason) {
      super(reason, null, false, false);
    }
  }

  GpuLowering.Result run() {
    Program p = pp.program();
    for (Segment s : pp.segments()) for (Eqn e : s.eqns()) segmentOf.put(e, s.index());
    if (rows < 1) {
      for (Segment s : pp.segments()) declined.put(s.index(), "no input is mapped over rows (the GPU runs batches of rows; "
          + "a program without a row axis has nothing to spread over the device)");
      if (pp.segments().isEmpty()) declined.put(0, "no input is mapped over rows");
      return new GpuLowering.Result(null, declined);
    }
    bindInputs(p);
    for (int j = 0; j < p.constVars().size(); j++) {
      ArrayType t = p.constVars().get(j).type();
      int slot = newSlot(t, new SlotInfo.Constant(p.constValues().get(j)), false);
      vals.put(p.constVars().get(j), new HostV(SlotView.whole(slot, t.shape()), t, false));
    }
    for (Eqn e : p.eqns()) {
      int seg = segmentOf.getOrDefault(e, -1);
      try {
        Val[] in = new Val[e.inputs().size()];
        for (int i = 0; i < in.length; i++) {
          in[i] = valOf(e.inputs().get(i));
          if (in[i] instanceof Poison pz) {
            if (pz.segment() == seg) throw new Decline(null);
            throw new Decline(pz.segment() < 0 ? pz.reason() : "it depends on segment #" + pz.segment() + ", which the GPU declines");
          }
        }
        Val[] out = lowerEqn(e, in);
        for (int i = 0; i < out.length; i++) vals.put(e.outputs().get(i), out[i]);
      } catch (Decline d) {
        if (d.getMessage() != null) declined.putIfAbsent(seg, d.getMessage());
        for (Var v : e.outputs()) vals.put(v, new Poison(d.getMessage() == null ? declined.get(seg) : d.getMessage(), seg));
      }
    }
    // outputs
    List<Node> roots = new ArrayList<>();
    List<Object> outSpec = new ArrayList<>();
    int lastSegment = pp.segments().isEmpty() ? 0 : pp.segments().size() - 1;
    for (int o = 0; o < p.outs().size(); o++) {
      Val v = valOf(p.outs().get(o));
      if (v instanceof Poison pz) {
        if (pz.segment() < 0) declined.putIfAbsent(lastSegment, "output #" + o + ": " + pz.reason());
        outSpec.add(null);
      } else if (v instanceof HostV h) {
        outSpec.add(h.view());
      } else if (v instanceof RowV r) {
        Node[] cols = new Node[r.elems().length];
        for (int k = 0; k < cols.length; k++) cols[k] = asColumn(r.elems()[k], 1);
        roots.addAll(Arrays.asList(cols));
        outSpec.add(cols);
      } else {
        WideV w = (WideV) v;
        Node c = asColumn(w.node(), w.width());
        roots.add(c);
        outSpec.add(c);
      }
    }
    if (!declined.isEmpty()) return new GpuLowering.Result(null, declined);
    roots.addAll(sums);
    Scheduler sch = new Scheduler(lim, inputColumns);
    sch.schedule(roots);
    List<OutputBinding> outputs = new ArrayList<>();
    for (int o = 0; o < outSpec.size(); o++) {
      Object s = outSpec.get(o);
      if (s instanceof SlotView view) outputs.add(new OutputBinding.Host(o, view));
      else if (s instanceof Node[] cols) outputs.add(new OutputBinding.Rows(o, Arrays.stream(cols).mapToInt(n -> n.id).toArray()));
      else outputs.add(new OutputBinding.Wide(o, ((Node) s).id));
    }
    GpuPlan plan = new GpuPlan(rows, p.inTypes(), p.outTypes(), sch.columns, slots, inputs, prelude, sch.steps, epilogue, outputs, sums.size());
    return new GpuLowering.Result(plan, Map.of());
  }

  // ---- inputs, slots, literals ----

  private void bindInputs(Program p) {
    ArrayType[] in = p.inTypes();
    for (int i = 0; i < in.length; i++) {
      ArrayType t = in[i];
      Var v = p.inVars().get(i);
      if (!pp.isRowMapped(i)) {
        int slot = newSlot(t, new SlotInfo.Input(i), false);
        inputs.add(new InputBinding.Parameter(i, slot));
        vals.put(v, new HostV(SlotView.whole(slot, t.shape()), t, false));
        continue;
      }
      ColumnType ct = ColumnType.of(t.dtype());
      if (t.rank() == 0 || t.dim(0) != rows) {
        vals.put(v, new Poison("input #" + i + " " + t + " is marked row-mapped but its axis 0 is not the " + rows + " rows", -1));
      } else if (ct == null) {
        vals.put(v, new Poison("input #" + i + " " + t + ": " + INTEGER_ROWS, -1));
      } else if (t.size() == 0) {
        vals.put(v, new Poison("input #" + i + " " + t + " has rows of no elements", -1));
      } else {
        int e = t.size() / rows;
        if (e <= lim.narrowMax()) {
          int[] ids = new int[e];
          Node[] elems = new Node[e];
          for (int k = 0; k < e; k++) {
            ids[k] = newInputColumn(ct, 1);
            elems[k] = new Node.Leaf(ids[k], ct, 1);
          }
          inputs.add(new InputBinding.Rows(i, ids));
          vals.put(v, new RowV(t, elems));
        } else {
          int id = newInputColumn(ct, e);
          inputs.add(new InputBinding.Wide(i, id));
          vals.put(v, new WideV(t, new Node.Leaf(id, ct, e)));
        }
      }
    }
  }

  private int newInputColumn(ColumnType t, int width) {
    int id = inputColumns.size();
    inputColumns.add(new ColumnInfo(id, t, width));
    return id;
  }

  private int newSlot(ArrayType t, SlotInfo.Source source, boolean afterDevice) {
    int id = slots.size();
    slots.add(new SlotInfo(id, t, source, afterDevice));
    return id;
  }

  private Val valOf(Atom a) {
    if (a instanceof Literal l) {
      String key = l.type() + "=" + l.valueText();
      Integer slot = literalSlots.get(key);
      if (slot == null) {
        slot = newSlot(l.type(), new SlotInfo.Constant(l.value()), false);
        literalSlots.put(key, slot);
      }
      return new HostV(SlotView.whole(slot, new int[0]), l.type(), false);
    }
    Val v = vals.get((Var) a);
    if (v == null) throw new IllegalStateException("internal: variable read before it is defined: " + a);
    return v;
  }

  /** Element {@code flat} of a host view as an AST literal: a constant's value, or a parameter bound at run time. */
  private Node literalOf(SlotView v, int flat, ColumnType ct) {
    int idx = v.sourceIndex(flat);
    SlotInfo s = slots.get(v.slot());
    if (s.source() instanceof SlotInfo.Constant c) return cst(ct, ((dev.arrax.core.ConcreteArray) c.value()).buffer().getDouble(idx));
    return new Node.Lit(new Expr.Param(v.slot(), idx, ct));
  }

  /** The elements of one row of a host value of a per-row shape: it must repeat along the row axis. */
  private SlotView rowPart(HostV h, String what) throws Decline {
    ArrayType t = h.type();
    if (t.rank() == 0 || t.dim(0) != rows) throw new Decline("internal: " + what + " mixes " + t + " with per-row values");
    if (!h.view().rowInvariant()) {
      throw new Decline(what + ": " + t + " is not row-mapped but differs from row to row (it would have to be a column)");
    }
    return h.view().dropAxis0();
  }

  // ---- equations ----

  private Val[] lowerEqn(Eqn e, Val[] in) throws Decline {
    boolean anyRows = false, anyAfter = false;
    for (Val v : in) {
      anyRows |= v instanceof RowV || v instanceof WideV;
      anyAfter |= v instanceof HostV h && h.afterDevice();
    }
    if (!anyRows) return host(e, in, anyAfter);
    if (anyAfter) {
      throw new Decline(describe(e) + " reads a sum over rows inside per-row work (that needs a second pass over the rows)");
    }
    Primitive<?> p = e.primitive();
    ArrayType out = e.outputs().get(0).type();
    if (p.elementwiseOp() != null) return one(elementwiseRows(e, p.elementwiseOp(), in, out));
    if (p == Primitives.BROADCAST_IN_DIM) return one(broadcastRows(e, in[0], Primitives.BROADCAST_IN_DIM.params(e), out));
    if (p == Primitives.RESHAPE) return one(reshapeRows(e, in[0], Primitives.RESHAPE.params(e), out));
    if (p == Primitives.TRANSPOSE) return one(transposeRows(e, in[0], Primitives.TRANSPOSE.params(e), out));
    if (p == Primitives.REDUCE_SUM || p == Primitives.REDUCE_MAX || p == Primitives.REDUCE_MIN || p == Primitives.REDUCE_PROD) {
      Reduce r = (Reduce) p;
      return one(reduceRows(e, r.kind(), in[0], r.params(e).axes(), out));
    }
    if (p == Primitives.DOT_GENERAL) return one(dotRows(e, in[0], in[1], Primitives.DOT_GENERAL.params(e), out));
    if (p == Primitives.SLICE) return one(sliceRows(e, in[0], Primitives.SLICE.params(e), out));
    if (p == Primitives.CONCATENATE) return one(concatRows(e, in, Primitives.CONCATENATE.params(e), out));
    throw new Decline(describe(e) + " has no cuDF lowering");
  }

  private static Val[] one(Val v) { return new Val[] {v}; }

  /** {@code name in1, in2} with the operand types: {@code sort f32[1000,64]}. */
  private static String describe(Eqn e) {
    StringJoiner j = new StringJoiner(", ", e.primitive().name() + " ", "");
    for (Atom a : e.inputs()) j.add(a.type().toString());
    return j.toString();
  }

  // ---- parameters and sums: host work and views ----

  private Val[] host(Eqn e, Val[] in, boolean after) throws Decline {
    Primitive<?> p = e.primitive();
    ArrayType out = e.outputs().get(0).type();
    if (p == Primitives.BROADCAST_IN_DIM) {
      BroadcastInDim.P bp = Primitives.BROADCAST_IN_DIM.params(e);
      SlotView v = ((HostV) in[0]).view();
      int[] shape = bp.shape(), dims = bp.broadcastDimensions(), strides = new int[shape.length];
      for (int i = 0; i < dims.length; i++) strides[dims[i]] = v.shape()[i] == 1 && shape[dims[i]] != 1 ? 0 : v.strides()[i];
      return one(new HostV(new SlotView(v.slot(), shape, strides, v.offset()), out, after));
    }
    if (p == Primitives.TRANSPOSE) {
      int[] perm = Primitives.TRANSPOSE.params(e).permutation();
      SlotView v = ((HostV) in[0]).view();
      int[] shape = new int[perm.length], strides = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        shape[i] = v.shape()[perm[i]];
        strides[i] = v.strides()[perm[i]];
      }
      return one(new HostV(new SlotView(v.slot(), shape, strides, v.offset()), out, after));
    }
    if (p == Primitives.SLICE) {
      Slice.P sp = Primitives.SLICE.params(e);
      SlotView v = ((HostV) in[0]).view();
      int off = v.offset();
      int[] strides = new int[v.rank()];
      for (int i = 0; i < v.rank(); i++) {
        off += sp.startIndices()[i] * v.strides()[i];
        strides[i] = v.strides()[i] * sp.strides()[i];
      }
      return one(new HostV(new SlotView(v.slot(), out.shape(), strides, off), out, after));
    }
    if (p == Primitives.RESHAPE) {
      SlotView v = ((HostV) in[0]).view();
      int[] strides = reshapeStrides(v.shape(), v.strides(), out.shape());
      if (strides != null) return one(new HostV(new SlotView(v.slot(), out.shape(), strides, v.offset()), out, after));
    }
    List<SlotView> views = new ArrayList<>();
    for (Val v : in) views.add(((HostV) v).view());
    boolean rowInvariant = p.elementwiseOp() != null && rows > 1 && out.rank() >= 1 && out.dim(0) == rows;
    for (Val v : in) rowInvariant &= ((HostV) v).type().rank() == out.rank() && ((HostV) v).view().rowInvariant();
    if (rowInvariant) {
      // the same value in every row: computed on one row, viewed with stride 0 along the rows
      List<SlotView> row = new ArrayList<>();
      for (SlotView v : views) row.add(v.dropAxis0());
      ArrayType rowType = out.withShape(Arrays.copyOfRange(out.shape(), 1, out.rank()));
      checkHostSize(e, rowType);
      int slot = newSlot(rowType, new SlotInfo.Computed(hostSteps++), after);
      (after ? epilogue : prelude).add(new HostStep(p, e.params(), row, new int[] {slot}, after));
      int[] strides = new int[out.rank()];
      System.arraycopy(Shapes.strides(rowType.shape()), 0, strides, 1, out.rank() - 1);
      return one(new HostV(new SlotView(slot, out.shape(), strides, 0), out, after));
    }
    Val[] res = new Val[e.outputs().size()];
    int[] outSlots = new int[res.length];
    for (int i = 0; i < res.length; i++) {
      ArrayType t = e.outputs().get(i).type();
      checkHostSize(e, t);
      outSlots[i] = newSlot(t, new SlotInfo.Computed(hostSteps++), after);
      res[i] = new HostV(SlotView.whole(outSlots[i], t.shape()), t, after);
    }
    (after ? epilogue : prelude).add(new HostStep(p, e.params(), views, outSlots, after));
    return res;
  }

  private void checkHostSize(Eqn e, ArrayType t) throws Decline {
    if (t.size() > lim.hostMaxElements()) {
      throw new Decline(describe(e) + " on parameters would compute " + t + " on the host on every call (" + t.size()
          + " elements, above arrax.gpu.hostMaxElements=" + lim.hostMaxElements() + ")");
    }
  }

  /**
   * Strides that view {@code (shape, strides)} as {@code newShape} without copying, or null (NumPy's
   * {@code _attempt_nocopy_reshape}): groups of old axes that merge must be contiguous with each other.
   */
  static int[] reshapeStrides(int[] shape, int[] strides, int[] newShape) {
    if (Shapes.size(shape) != Shapes.size(newShape)) return null;
    int[] newStrides = new int[newShape.length];
    if (Shapes.size(shape) == 0) return newStrides;
    List<Integer> od = new ArrayList<>(), os = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] != 1) {
        od.add(shape[i]);
        os.add(strides[i]);
      }
    }
    int oldN = od.size(), newN = newShape.length;
    int oi = 0, oj = 1, ni = 0, nj = 1;
    while (ni < newN && oi < oldN) {
      long np = newShape[ni], op = od.get(oi);
      while (np != op) {
        if (np < op) np *= newShape[nj++];
        else op *= od.get(oj++);
      }
      for (int ok = oi; ok < oj - 1; ok++) {
        if (os.get(ok) != od.get(ok + 1) * os.get(ok + 1)) return null;
      }
      newStrides[nj - 1] = os.get(oj - 1);
      for (int nk = nj - 1; nk > ni; nk--) newStrides[nk - 1] = newStrides[nk] * newShape[nk];
      ni = nj++;
      oi = oj++;
    }
    for (int nk = ni; nk < newN; nk++) newStrides[nk] = 0;
    return newStrides;
  }

  // ---- per-row work ----

  private static int[] perRow(ArrayType t) { return Arrays.copyOfRange(t.shape(), 1, t.rank()); }

  private static ColumnType columnType(Eqn e, ArrayType t) throws Decline {
    ColumnType c = ColumnType.of(t.dtype());
    if (c == null) throw new Decline(describe(e) + ": " + INTEGER_ROWS);
    return c;
  }

  private Val elementwiseRows(Eqn e, ElementwiseOp op, Val[] in, ArrayType out) throws Decline {
    ColumnType ct = columnType(e, out);
    ColumnType[] inT = new ColumnType[in.length];
    for (int i = 0; i < in.length; i++) inT[i] = columnType(e, e.inputs().get(i).type());
    boolean wide = false;
    for (Val v : in) wide |= v instanceof WideV;
    if (wide) {
      int width = out.size() / rows;
      Node[] x = new Node[in.length];
      for (int i = 0; i < in.length; i++) {
        if (in[i] instanceof WideV w) x[i] = w.node();
        else if (in[i] instanceof RowV) throw new Decline("internal: " + describe(e) + " mixes narrow and wide rows");
        else x[i] = wideParameter(e, (HostV) in[i], inT[i], width);
      }
      return new WideV(out, elementwise(e, op, x, inT, ct, width));
    }
    int n = out.size() / rows;
    Node[][] x = new Node[in.length][];
    for (int i = 0; i < in.length; i++) {
      if (in[i] instanceof RowV r) {
        x[i] = r.elems();
      } else {
        SlotView row = rowPart((HostV) in[i], describe(e));
        x[i] = new Node[n];
        for (int k = 0; k < n; k++) x[i][k] = literalOf(row, k, inT[i]);
      }
    }
    Node[] res = new Node[n];
    Node[] args = new Node[in.length];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < in.length; i++) args[i] = x[i][k];
      res[k] = elementwise(e, op, args, inT, ct, 1);
    }
    return new RowV(out, res);
  }

  /** A parameter of a wide row's shape: one literal when it is the same along the row, else tiled over the rows. */
  private Node wideParameter(Eqn e, HostV h, ColumnType ct, int width) throws Decline {
    SlotView row = rowPart(h, describe(e));
    boolean constant = true;
    for (int s : row.strides()) constant &= s == 0;
    if (constant) return literalOf(row, 0, ct);
    int[] src = new int[width];
    for (int k = 0; k < width; k++) src[k] = row.sourceIndex(k);
    return new Node.ColOp(Node.ColOp.Kind.PARAM_BROADCAST, ct, width, List.of(), null, row.slot(), src);
  }

  /** One element of an elementwise operation: AST operators, or column operations where the AST has none. */
  private Node elementwise(Eqn e, ElementwiseOp op, Node[] x, ColumnType[] inT, ColumnType out, int width) throws Decline {
    ColumnType t = inT.length > 0 ? inT[0] : out;
    boolean bool = t == ColumnType.BOOL8;
    switch (op) {
      case NEG:
        return bin(AstBinaryOp.MUL, x[0], cst(t, -1));
      case EXP:
        return un(AstUnaryOp.EXP, x[0]);
      case LOG:
        return un(AstUnaryOp.LOG, x[0]);
      case TANH:
        return un(AstUnaryOp.TANH, x[0]);
      case SIN:
        return un(AstUnaryOp.SIN, x[0]);
      case COS:
        return un(AstUnaryOp.COS, x[0]);
      case TAN:
        return un(AstUnaryOp.TAN, x[0]);
      case SQRT:
        return un(AstUnaryOp.SQRT, x[0]);
      case ABS:
        return un(AstUnaryOp.ABS, x[0]);
      case FLOOR:
        return un(AstUnaryOp.FLOOR, x[0]);
      case CEIL:
        return un(AstUnaryOp.CEIL, x[0]);
      case LOG1P:
        return log1p(x[0], t, width);
      case EXPM1:
        return expm1(x[0], t, width);
      case LOGISTIC:
        return bin(AstBinaryOp.DIV, cst(t, 1), bin(AstBinaryOp.ADD, cst(t, 1), un(AstUnaryOp.EXP, bin(AstBinaryOp.MUL, x[0], cst(t, -1)))));
      case SIGN:
        return ifElse(bin(AstBinaryOp.GREATER, x[0], cst(t, 0)), cst(t, 1),
            ifElse(bin(AstBinaryOp.LESS, x[0], cst(t, 0)), cst(t, -1), x[0], width), width);
      case IS_FINITE:
        return bin(AstBinaryOp.EQUAL, bin(AstBinaryOp.SUB, x[0], x[0]), cst(t, 0));
      case STOP_GRADIENT:
        return x[0];
      case NOT:
        if (!bool) throw new Decline(describe(e) + ": " + INTEGER_ROWS);
        return un(AstUnaryOp.NOT, x[0]);
      case CONVERT_ELEMENT_TYPE:
        return convert(e, x[0], t, out, width);
      case ADD:
        return bin(AstBinaryOp.ADD, x[0], x[1]);
      case SUB:
        return bin(AstBinaryOp.SUB, x[0], x[1]);
      case MUL:
        return bin(AstBinaryOp.MUL, x[0], x[1]);
      case DIV:
        return bin(AstBinaryOp.DIV, x[0], x[1]);
      case POW:
        return bin(AstBinaryOp.POW, x[0], x[1]);
      case REM:
        return bin(AstBinaryOp.MOD, x[0], x[1]);
      case MAX:
        return bool ? bin(AstBinaryOp.LOGICAL_OR, x[0], x[1]) : maxMin(x[0], x[1], true, width);
      case MIN:
        return bool ? bin(AstBinaryOp.LOGICAL_AND, x[0], x[1]) : maxMin(x[0], x[1], false, width);
      case EQ:
        return bin(AstBinaryOp.EQUAL, x[0], x[1]);
      case NE:
        return bin(AstBinaryOp.NOT_EQUAL, x[0], x[1]);
      case LT:
      case LE:
      case GT:
      case GE:
        if (bool) throw new Decline(describe(e) + ": ordering comparisons of bool rows are not lowered");
        AstBinaryOp cmp = op == ElementwiseOp.LT ? AstBinaryOp.LESS : op == ElementwiseOp.LE ? AstBinaryOp.LESS_EQUAL
            : op == ElementwiseOp.GT ? AstBinaryOp.GREATER : AstBinaryOp.GREATER_EQUAL;
        return bin(cmp, x[0], x[1]);
      case AND:
      case OR:
      case XOR:
        if (!bool) throw new Decline(describe(e) + ": " + INTEGER_ROWS);
        return bin(op == ElementwiseOp.AND ? AstBinaryOp.LOGICAL_AND : op == ElementwiseOp.OR ? AstBinaryOp.LOGICAL_OR : AstBinaryOp.NOT_EQUAL, x[0], x[1]);
      case SELECT_N:
        return ifElse(x[0], x[2], x[1], width);
      case ERF:
      case ERF_INV:
        throw new Decline(describe(e) + " has no cuDF lowering (the cuDF 26.08.1 AST has no " + op.primitiveName() + ")");
      case SHIFT_LEFT:
      case SHIFT_RIGHT_LOGICAL:
        throw new Decline(describe(e) + ": " + INTEGER_ROWS);
      default:
        throw new Decline(describe(e) + " has no cuDF lowering");
    }
  }

  /**
   * max/min with the engine's NaN propagation: {@code (a > b || a != a) ? a : b}. A NaN {@code a} is chosen
   * by the second test, a NaN {@code b} because {@code a > NaN} is false. (cuDF's {@code NULL_MAX} binary
   * operation does not define what a NaN operand gives.)
   */
  private Node maxMin(Node a, Node b, boolean max, int width) {
    Node pred = bin(AstBinaryOp.LOGICAL_OR, bin(max ? AstBinaryOp.GREATER : AstBinaryOp.LESS, a, b), bin(AstBinaryOp.NOT_EQUAL, a, a));
    return ifElse(pred, a, b, width);
  }

  /**
   * log1p without cancellation (Goldberg): with {@code u = 1 + x}, {@code log1p(x) = log(u) * (x / (u - 1))},
   * exact to a few ulp, and {@code x} itself where {@code u - 1 == 0} (|x| below half an ulp of 1) or
   * {@code x == inf}. The AST has no log1p, and {@code log(1 + x)} loses every digit for tiny x.
   */
  private Node log1p(Node x, ColumnType t, int width) {
    Node u = bin(AstBinaryOp.ADD, cst(t, 1), x);
    Node d = bin(AstBinaryOp.SUB, u, cst(t, 1));
    Node pred = bin(AstBinaryOp.LOGICAL_OR, bin(AstBinaryOp.EQUAL, d, cst(t, 0)), bin(AstBinaryOp.EQUAL, x, cst(t, Double.POSITIVE_INFINITY)));
    Node formula = bin(AstBinaryOp.MUL, un(AstUnaryOp.LOG, u), bin(AstBinaryOp.DIV, x, d));
    return ifElse(pred, x, formula, width);
  }

  /**
   * expm1 without cancellation (Kahan): with {@code u = exp(x)}, {@code (u - 1) * (x / log(u))}; {@code x}
   * where {@code u == 1}, -1 where {@code u - 1 == -1}, inf where {@code u} overflows.
   */
  private Node expm1(Node x, ColumnType t, int width) {
    Node u = un(AstUnaryOp.EXP, x);
    Node um1 = bin(AstBinaryOp.SUB, u, cst(t, 1));
    Node formula = bin(AstBinaryOp.MUL, um1, bin(AstBinaryOp.DIV, x, un(AstUnaryOp.LOG, u)));
    Node r3 = ifElse(bin(AstBinaryOp.EQUAL, u, cst(t, Double.POSITIVE_INFINITY)), cst(t, Double.POSITIVE_INFINITY), formula, width);
    Node r2 = ifElse(bin(AstBinaryOp.EQUAL, um1, cst(t, -1)), cst(t, -1), r3, width);
    return ifElse(bin(AstBinaryOp.EQUAL, u, cst(t, 1)), x, r2, width);
  }

  private Node convert(Eqn e, Node x, ColumnType from, ColumnType to, int width) throws Decline {
    if (from == to) return x;
    if (from == ColumnType.FLOAT32 && to == ColumnType.FLOAT64) return un(AstUnaryOp.CAST_TO_FLOAT64, x);
    if (to == ColumnType.BOOL8) return bin(AstBinaryOp.NOT_EQUAL, x, cst(from, 0));
    if (x instanceof Node.Lit l && l.literal instanceof Expr.Const c) return cst(to, c.value());
    int w = x.width > 0 ? x.width : width;
    return new Node.ColOp(Node.ColOp.Kind.CAST, to, w, List.of(asColumn(x, w)), null, -1, null);
  }

  private Val broadcastRows(Eqn e, Val x, BroadcastInDim.P p, ArrayType out) throws Decline {
    int[] dims = p.broadcastDimensions(), shape = p.shape();
    ArrayType in = type(x);
    if (dims.length == 0 || dims[0] != 0 || shape[0] != rows || in.dim(0) != rows) {
      throw new Decline(describe(e) + ": broadcast_in_dim to " + out + " with broadcast_dimensions " + Shapes.str(dims)
          + " moves the row axis (it must stay axis 0)");
    }
    int outE = out.size() / rows;
    if (x instanceof WideV w) {
      if (outE == w.width()) return new WideV(out, w.node());
      throw new Decline(describe(e) + ": broadcast of a wide row " + in + " to " + out + " is not lowered");
    }
    RowV r = (RowV) x;
    if (outE > lim.narrowMax()) {
      if (r.elems().length != 1) {
        throw new Decline(describe(e) + ": broadcast of " + in + " to " + out + " (only a single value per row broadcasts to a wide row)");
      }
      Node n = r.elems()[0];
      if (n.width == 0) return new WideV(out, n);
      return new WideV(out, new Node.ColOp(Node.ColOp.Kind.ROW_BROADCAST, n.type, outE, List.of(n), null, -1, null));
    }
    int[] os = perRow(out), is = perRow(in);
    int[] oidx = new int[os.length], iidx = new int[is.length];
    Node[] res = new Node[outE];
    for (int f = 0; f < outE; f++) {
      unravel(f, os, oidx);
      for (int i = 0; i < is.length; i++) iidx[i] = is[i] == 1 ? 0 : oidx[dims[i + 1] - 1];
      res[f] = r.elems()[ravel(iidx, is)];
    }
    return new RowV(out, res);
  }

  private Val reshapeRows(Eqn e, Val x, Reshape.P p, ArrayType out) throws Decline {
    ArrayType in = type(x);
    if (out.rank() == 0 || out.dim(0) != rows || in.dim(0) != rows) {
      throw new Decline(describe(e) + ": reshape " + in + " -> " + out + " merges or splits the row axis");
    }
    if (x instanceof WideV w) return new WideV(out, w.node());
    return new RowV(out, ((RowV) x).elems());
  }

  private Val transposeRows(Eqn e, Val x, Transpose.P p, ArrayType out) throws Decline {
    int[] perm = p.permutation();
    if (perm[0] != 0) throw new Decline(describe(e) + ": transpose " + Shapes.str(perm) + " moves the row axis");
    ArrayType in = type(x);
    int[] is = perRow(in), os = perRow(out);
    if (x instanceof WideV w) {
      int last = -1;
      boolean sameOrder = true;
      for (int i = 1; i < perm.length; i++) {
        if (in.dim(perm[i]) == 1) continue;
        sameOrder &= perm[i] > last;
        last = perm[i];
      }
      if (sameOrder) return new WideV(out, w.node());
      throw new Decline(describe(e) + ": transpose " + Shapes.str(perm) + " within wide rows " + in + " is not lowered");
    }
    Node[] src = ((RowV) x).elems(), res = new Node[src.length];
    int[] oidx = new int[os.length], iidx = new int[is.length];
    for (int f = 0; f < res.length; f++) {
      unravel(f, os, oidx);
      for (int i = 0; i < os.length; i++) iidx[perm[i + 1] - 1] = oidx[i];
      res[f] = src[ravel(iidx, is)];
    }
    return new RowV(out, res);
  }

  private Val sliceRows(Eqn e, Val x, Slice.P p, ArrayType out) throws Decline {
    ArrayType in = type(x);
    if (p.startIndices()[0] != 0 || p.limitIndices()[0] != rows || p.strides()[0] != 1) {
      throw new Decline(describe(e) + ": slice of rows " + p.startIndices()[0] + ".." + p.limitIndices()[0] + " changes the row axis");
    }
    if (x instanceof WideV) throw new Decline(describe(e) + ": slice within wide rows " + in + " is not lowered");
    Node[] src = ((RowV) x).elems();
    int[] is = perRow(in), os = perRow(out);
    Node[] res = new Node[out.size() / rows];
    int[] oidx = new int[os.length], iidx = new int[is.length];
    for (int f = 0; f < res.length; f++) {
      unravel(f, os, oidx);
      for (int i = 0; i < os.length; i++) iidx[i] = p.startIndices()[i + 1] + oidx[i] * p.strides()[i + 1];
      res[f] = src[ravel(iidx, is)];
    }
    return new RowV(out, res);
  }

  private Val concatRows(Eqn e, Val[] in, Concatenate.P p, ArrayType out) throws Decline {
    int d = p.dimension();
    if (d == 0) throw new Decline(describe(e) + ": concatenate along the row axis changes the rows");
    int n = out.size() / rows;
    if (n > lim.narrowMax()) throw new Decline(describe(e) + ": concatenate into wide rows " + out + " is not lowered");
    ColumnType ct = columnType(e, out);
    List<Node[]> parts = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    for (Val v : in) {
      if (v instanceof WideV) throw new Decline(describe(e) + ": concatenate of wide rows is not lowered");
      ArrayType t = type(v);
      shapes.add(perRow(t));
      if (v instanceof RowV r) {
        parts.add(r.elems());
      } else {
        SlotView row = rowPart((HostV) v, describe(e));
        Node[] lits = new Node[t.size() / rows];
        for (int k = 0; k < lits.length; k++) lits[k] = literalOf(row, k, ct);
        parts.add(lits);
      }
    }
    int[] os = perRow(out), oidx = new int[os.length];
    Node[] res = new Node[n];
    for (int f = 0; f < n; f++) {
      unravel(f, os, oidx);
      int along = oidx[d - 1], part = 0;
      while (along >= shapes.get(part)[d - 1]) along -= shapes.get(part++)[d - 1];
      int[] iidx = oidx.clone();
      iidx[d - 1] = along;
      res[f] = parts.get(part)[ravel(iidx, shapes.get(part))];
    }
    return new RowV(out, res);
  }

  private Val reduceRows(Eqn e, Reduce.Kind kind, Val x, int[] axes, ArrayType out) throws Decline {
    ArrayType in = type(x);
    ColumnType ct = columnType(e, in);
    if (!ct.isFloating()) throw new Decline(describe(e) + ": reductions of bool rows are not lowered");
    boolean overRows = Shapes.contains(axes, 0);
    if (overRows && kind != Reduce.Kind.SUM) {
      throw new Decline(describe(e) + ": reduce_" + kind.name().toLowerCase(java.util.Locale.ROOT)
          + " over the row axis is not lowered (only sums over rows are)");
    }
    int[] is = perRow(in);
    boolean[] reduced = new boolean[is.length];
    for (int a : axes) if (a > 0) reduced[a - 1] = true;
    if (x instanceof WideV w) {
      boolean all = true;
      for (int i = 0; i < is.length; i++) all &= reduced[i] || is[i] == 1;
      if (!all) throw new Decline(describe(e) + ": reduction over some axes of wide rows " + in + " (axes " + Shapes.str(axes) + ") is not lowered");
      if (axes.length == 1 && overRows) throw new Decline(describe(e) + ": a sum over rows of wide rows " + in + " is not lowered");
      Node r = segmented(e, kind, w.node(), ct);
      if (overRows) return sumOverRows(new Node[] {r}, out);
      return new RowV(out, new Node[] {r});
    }
    Node[] src = ((RowV) x).elems();
    int[] ps = Shapes.removeAxes(is, reducedAxes(reduced));
    Node[] partial = new Node[Shapes.size(ps)];
    int[] idx = new int[is.length], pidx = new int[ps.length];
    for (int f = 0; f < src.length; f++) {
      unravel(f, is, idx);
      for (int i = 0, j = 0; i < is.length; i++) if (!reduced[i]) pidx[j++] = idx[i];
      int target = ravel(pidx, ps);
      Node acc = partial[target];
      partial[target] = acc == null ? src[f] : combine(kind, acc, src[f], ct);
    }
    if (overRows) return sumOverRows(partial, out);
    return new RowV(out, partial);
  }

  private static int[] reducedAxes(boolean[] reduced) {
    int n = 0;
    for (boolean b : reduced) if (b) n++;
    int[] r = new int[n];
    for (int i = 0, j = 0; i < reduced.length; i++) if (reduced[i]) r[j++] = i;
    return r;
  }

  private Node combine(Reduce.Kind kind, Node acc, Node v, ColumnType ct) {
    return switch (kind) {
      case SUM -> bin(AstBinaryOp.ADD, acc, v);
      case PROD -> bin(AstBinaryOp.MUL, acc, v);
      case MAX -> maxMin(acc, v, true, 1);
      case MIN -> maxMin(acc, v, false, 1);
    };
  }

  /**
   * A reduction of each wide row: segmented sum accumulated in FLOAT64 and cast back; segmented max/min
   * guarded so that a row holding a NaN gives NaN (the engine's semantics; cuDF leaves it undefined).
   */
  private Node segmented(Eqn e, Reduce.Kind kind, Node x, ColumnType ct) throws Decline {
    Node in = asColumn(x, x.width);
    switch (kind) {
      case SUM -> {
        Node s = new Node.ColOp(Node.ColOp.Kind.SEGMENTED, ColumnType.FLOAT64, 1, List.of(in), Step.ReduceOp.SUM, -1, null);
        return ct == ColumnType.FLOAT64 ? s : new Node.ColOp(Node.ColOp.Kind.CAST, ct, 1, List.of(s), null, -1, null);
      }
      case MAX, MIN -> {
        Step.ReduceOp op = kind == Reduce.Kind.MAX ? Step.ReduceOp.MAX : Step.ReduceOp.MIN;
        Node m = new Node.ColOp(Node.ColOp.Kind.SEGMENTED, ct, 1, List.of(in), op, -1, null);
        Node isNan = bin(AstBinaryOp.NOT_EQUAL, in, in);
        Node anyNan = new Node.ColOp(Node.ColOp.Kind.SEGMENTED, ColumnType.BOOL8, 1, List.of(isNan), Step.ReduceOp.ANY, -1, null);
        return ifElse(anyNan, cst(ct, Double.NaN), m, 1);
      }
      default -> throw new Decline(describe(e) + ": reduce_prod within wide rows is not lowered");
    }
  }

  /** Sums over rows of per-row nodes: column sums read back into a host slot of type {@code out}. */
  private Val sumOverRows(Node[] perRow, ArrayType out) {
    int[] ids = new int[perRow.length];
    for (int i = 0; i < perRow.length; i++) {
      Node.Sum s = new Node.Sum(asColumn(perRow[i], 1), sums.size());
      sums.add(s);
      ids[i] = s.scalar;
    }
    int slot = newSlot(out, new SlotInfo.Sums(ids), true);
    return new HostV(SlotView.whole(slot, out.shape()), out, true);
  }

  /**
   * dot_general unrolled into sums of products: with a parameter matrix (W1's {@code x @ W1}: each of the
   * 64 outputs of a row is {@code sum_i x_i * W1[i, j]} with {@code W1}'s elements as literals), between
   * two per-row operands paired on their row axes as a batch axis (a dot product per row), or contracting
   * their row axes (a sum over rows, W3's {@code X^T r}: one column sum per output element).
   */
  private Val dotRows(Eqn e, Val l, Val r, DotGeneral.P p, ArrayType out) throws Decline {
    ArrayType lt = type(l), rt = type(r);
    if (l instanceof WideV || r instanceof WideV) {
      throw new Decline(describe(e) + ": dot_general over wide rows (more than " + lim.narrowMax() + " values per row) is not lowered");
    }
    ColumnType ct = columnType(e, out);
    if (!ct.isFloating()) throw new Decline(describe(e) + ": " + INTEGER_ROWS);
    boolean lr = l instanceof RowV, rr = r instanceof RowV;
    int[] lc = p.lhsContract(), rc = p.rhsContract(), lb = p.lhsBatch(), rb = p.rhsBatch();
    boolean overRows = false;
    if (lr && rr) {
      int jb = pairIndex(lb, rb), jc = pairIndex(lc, rc);
      if (jb > 0) throw new Decline(describe(e) + ": dot_general pairs the row axes as batch axis " + jb + ", so the rows of the result are not axis 0");
      if (jb < 0 && jc < 0) {
        throw new Decline(describe(e) + ": dot_general of two row-mapped operands " + lt + " and " + rt
            + " that does not pair their row axes (an outer product over rows, or a row axis paired with another axis)");
      }
      overRows = jb < 0;
    } else {
      HostV param = (HostV) (lr ? r : l);
      int paired = lr ? rowAxisPlacement(e, lt, rt, lc, rc, lb, rb, 0) : rowAxisPlacement(e, rt, lt, rc, lc, rb, lb, lt.rank() - lc.length - lb.length);
      if (paired >= 0 && rows > 1 && param.view().strides()[paired] != 0) {
        throw new Decline(describe(e) + ": dot_general pairs the rows with axis " + paired + " of the parameter " + param.type()
            + ", which differs along it (it would have to be a column)");
      }
    }
    int[] os = out.shape();
    int outN = overRows ? out.size() : out.size() / rows;
    if (!overRows && outN > lim.narrowMax()) {
      throw new Decline(describe(e) + ": dot_general gives " + outN + " values per row (" + out + "), more than arrax.gpu.narrowMax=" + lim.narrowMax());
    }
    int[] cs = new int[lc.length];
    for (int j = 0; j < lc.length; j++) cs[j] = lr && rr && lc[j] == 0 && rc[j] == 0 ? 1 : lt.dim(lc[j]);
    int terms = Shapes.size(cs);
    if ((long) terms * outN > 4L * lim.maxAstOperators() * Math.max(1, lim.narrowMax())) {
      throw new Decline(describe(e) + ": dot_general of " + terms + " terms per value is too large to unroll into ASTs");
    }
    int[] lfree = freeAxes(lt.rank(), lc, lb), rfree = freeAxes(rt.rank(), rc, rb);
    int nb = lb.length;
    int[] oidx = new int[os.length], lidx = new int[lt.rank()], ridx = new int[rt.rank()], cidx = new int[cs.length];
    int[] outIter = overRows ? os : perRow(out);
    int[] sub = new int[outIter.length];
    Node[] res = new Node[outN];
    for (int f = 0; f < outN; f++) {
      unravel(f, outIter, sub);
      if (overRows) System.arraycopy(sub, 0, oidx, 0, sub.length);
      else System.arraycopy(sub, 0, oidx, 1, sub.length);
      for (int j = 0; j < nb; j++) {
        lidx[lb[j]] = oidx[j];
        ridx[rb[j]] = oidx[j];
      }
      for (int k = 0; k < lfree.length; k++) lidx[lfree[k]] = oidx[nb + k];
      for (int k = 0; k < rfree.length; k++) ridx[rfree[k]] = oidx[nb + lfree.length + k];
      Node acc = null;
      for (int c = 0; c < terms; c++) {
        unravel(c, cs, cidx);
        for (int j = 0; j < cs.length; j++) {
          lidx[lc[j]] = cidx[j];
          ridx[rc[j]] = cidx[j];
        }
        Node term = bin(AstBinaryOp.MUL, element(l, lidx, ct), element(r, ridx, ct));
        acc = acc == null ? term : bin(AstBinaryOp.ADD, acc, term);
      }
      res[f] = acc;
    }
    if (overRows) return sumOverRows(res, out);
    return new RowV(out, res);
  }

  /**
   * Checks that a per-row operand's row axis lands at axis 0 of the result; returns the parameter's axis
   * paired with the rows as a batch axis, or -1.
   */
  private int rowAxisPlacement(Eqn e, ArrayType rowed, ArrayType param, int[] c, int[] pc, int[] b, int[] pb, int freeBefore)
      throws Decline {
    for (int j = 0; j < c.length; j++) {
      if (c[j] == 0) {
        throw new Decline(describe(e) + ": dot_general contracts the row axis of " + rowed + " with axis " + pc[j] + " of the parameter " + param
            + " (a parameter that differs per row)");
      }
    }
    int jb = indexOf(b, 0);
    if (jb > 0 || (jb < 0 && (b.length > 0 || freeBefore > 0))) {
      int at = jb > 0 ? jb : b.length + freeBefore;
      throw new Decline(describe(e) + ": dot_general puts the row axis of " + rowed + " at axis " + at + " of the result, not axis 0");
    }
    return jb == 0 ? pb[0] : -1;
  }

  private Node element(Val v, int[] idx, ColumnType ct) {
    if (v instanceof RowV r) {
      int[] s = perRow(r.type());
      return r.elems()[ravel(Arrays.copyOfRange(idx, 1, idx.length), s)];
    }
    SlotView view = ((HostV) v).view();
    return literalOf(view, ravel(idx, view.shape()), ct);
  }

  private static int pairIndex(int[] a, int[] b) {
    for (int j = 0; j < a.length; j++) if (a[j] == 0 && b[j] == 0) return j;
    return -1;
  }

  private static int indexOf(int[] xs, int v) {
    for (int i = 0; i < xs.length; i++) if (xs[i] == v) return i;
    return -1;
  }

  private static int[] freeAxes(int rank, int[] c, int[] b) {
    List<Integer> f = new ArrayList<>();
    for (int a = 0; a < rank; a++) if (!Shapes.contains(c, a) && !Shapes.contains(b, a)) f.add(a);
    return f.stream().mapToInt(Integer::intValue).toArray();
  }

  // ---- node helpers ----

  private static ArrayType type(Val v) {
    if (v instanceof RowV r) return r.type();
    if (v instanceof WideV w) return w.type();
    return ((HostV) v).type();
  }

  private static Node un(AstUnaryOp op, Node x) { return new Node.Op(op, x); }

  private static Node bin(AstBinaryOp op, Node a, Node b) { return new Node.Op(op, a, b); }

  private static Node cst(ColumnType t, double v) {
    return new Node.Lit(new Expr.Const(t, t == ColumnType.FLOAT32 ? (double) (float) v : t == ColumnType.BOOL8 ? (v != 0 ? 1 : 0) : v));
  }

  /** A node that must be a column: a literal (or an AST of literals) becomes a fill of the given width. */
  private static Node asColumn(Node n, int width) {
    if (n.width > 0) return n;
    return new Node.ColOp(Node.ColOp.Kind.FILL, n.type, width, List.of(n), null, -1, null);
  }

  private static Node ifElse(Node pred, Node onTrue, Node onFalse, int width) {
    int w = Math.max(pred.width, Math.max(onTrue.width, onFalse.width));
    if (w == 0) w = width;
    return new Node.ColOp(Node.ColOp.Kind.IF_ELSE, onTrue.type, w, List.of(asColumn(pred, w), onTrue, onFalse), null, -1, null);
  }

  static void unravel(int flat, int[] shape, int[] idx) {
    for (int a = shape.length - 1; a >= 0; a--) {
      idx[a] = flat % shape[a];
      flat /= shape[a];
    }
  }

  static int ravel(int[] idx, int[] shape) {
    int f = 0;
    for (int a = 0; a < shape.length; a++) f = f * shape[a] + idx[a];
    return f;
  }
}
