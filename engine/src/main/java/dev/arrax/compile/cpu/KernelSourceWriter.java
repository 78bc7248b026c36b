package dev.arrax.compile.cpu;

import dev.arrax.DType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Shapes;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Var;
import dev.arrax.core.ElementwiseOp;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes the Java source of a {@link FusedGroup}'s loop nest: one loop over rows, one over the
 * innermost axis, each member equation one local variable. The source depends on the group's shape
 * except its leading axis, so batches of different sizes share one compiled kernel.
 *
 * <p>f32 groups whose operations all have SIMD forms ({@link #simdForm}) compute SIMD arithmetic:
 * with the Vector API when it is present ({@code FloatVector} over {@code SPECIES_PREFERRED},
 * transcendental functions from {@link dev.arrax.compile.cpu.math.VectorMath}, a scalar tail with the
 * bitwise-identical {@link dev.arrax.compile.cpu.math.ScalarMath}), else one lane at a time with
 * ScalarMath, giving the same bits; they differ from the reference evaluator by a few ulps (VectorMath
 * documents the bounds). Every other group is written with scalar Java arithmetic in its dtype and
 * {@link Math} functions rounded once, which gives the reference evaluator's bits elementwise.
 *
 * <p>Reductions over the innermost axis follow {@link Summation}'s order in both flavours: sums in 16
 * lanes (one vector of 16, two of 8, or a 16-float array), blocks and super-blocks, the fixed lane tree,
 * then the tail; maxima and minima are exact in any order. So a kernel's bits do not depend on the
 * Vector API, the vector width or the thread count.
 */
final class KernelSourceWriter {
  /** Operations with a Vector API form (the reductions of a group always have one). */
  private static final Set<ElementwiseOp> VECTOR_OPS = EnumSet.of(
      ElementwiseOp.ADD, ElementwiseOp.SUB, ElementwiseOp.MUL, ElementwiseOp.DIV, ElementwiseOp.MAX, ElementwiseOp.MIN,
      ElementwiseOp.NEG, ElementwiseOp.ABS, ElementwiseOp.SQRT, ElementwiseOp.EXP, ElementwiseOp.LOG, ElementwiseOp.LOG1P,
      ElementwiseOp.EXPM1, ElementwiseOp.TANH, ElementwiseOp.LOGISTIC, ElementwiseOp.ERF, ElementwiseOp.SIN, ElementwiseOp.COS,
      ElementwiseOp.EQ, ElementwiseOp.NE, ElementwiseOp.LT, ElementwiseOp.LE, ElementwiseOp.GT, ElementwiseOp.GE,
      ElementwiseOp.AND, ElementwiseOp.OR, ElementwiseOp.NOT, ElementwiseOp.IS_FINITE, ElementwiseOp.SELECT_N,
      ElementwiseOp.STOP_GRADIENT, ElementwiseOp.CONVERT_ELEMENT_TYPE);
  /**
   * The transcendental functions of {@link dev.arrax.compile.cpu.math.VectorMath}: an f32 scalar tail computes them
   * with {@link dev.arrax.compile.cpu.math.ScalarMath} (bitwise equal to the vector lanes), and a vector body with two
   * or more of them calls them on arrays ({@code VectorMath.expLanes(in, i, vt, 0)}, the vector then read back from
   * the scratch {@code vt}). Passed as a vector, the argument would be boxed whenever C2 leaves the call out of
   * line, which it does in large kernels (NodeCountInliningCutoff), and the callee would then run the Vector API's
   * Java fallbacks: W3's kernel ran a third of its time there.
   */
  private static final Set<ElementwiseOp> TRANSCENDENTAL = EnumSet.of(ElementwiseOp.EXP, ElementwiseOp.LOG, ElementwiseOp.LOG1P,
      ElementwiseOp.EXPM1, ElementwiseOp.TANH, ElementwiseOp.LOGISTIC, ElementwiseOp.ERF, ElementwiseOp.SIN, ElementwiseOp.COS);

  private final FusedGroup g;
  /** f32 with SIMD forms for every operation: SIMD arithmetic, in vector registers or (scalar flavour) one lane at a time. */
  private final boolean simd;
  /** Written with the Vector API. */
  private final boolean vector;
  /**
   * Whether the vector body calls its transcendental functions on arrays (lane calls): with two or more of them,
   * where a kernel grows past C2's inlining budget. With one, the per-vector call is inlined (measured: W1's
   * tanh kernel ran up to 1.6x slower through an out-of-line lane call, which C2 inlined in some runs only).
   */
  private final boolean laneCalls;
  /** Vectors per 16 logical lanes ({@link Summation#LANES}) in a group with reductions. */
  private final int unroll;
  /** While writing a body: the vector of the 16 lanes it fills, and whether it is the scalar 16-lane loop. */
  private int curVector;
  private boolean scalarLanes;
  /** The lane partials a body's sums add to: "b" (a block's) or "v" (the row's running lanes, rows of one block). */
  private String blockLevel = "b";
  private final StringBuilder src = new StringBuilder();
  private final Map<Var, String> names = new IdentityHashMap<>();
  private final Map<String, String> vectorConstants = new LinkedHashMap<>();
  /** In the order of the group's members, so the same program gives the same source (and a KernelCache hit) every time. */
  private final Map<Var, String> accumulators = new LinkedHashMap<>();
  private final long[][] strides;
  private final int[] shape;
  private int fresh;

  private KernelSourceWriter(FusedGroup g) {
    this.g = g;
    this.simd = simdForm(g);
    this.vector = vectorizable(g);
    this.laneCalls = laneCalls(g);
    this.unroll = vector && g.hasReductions() ? Summation.LANES / VectorMatmul.lanes() : 1;
    this.shape = g.rank() == 0 ? new int[] {1} : g.shape;
    this.strides = new long[g.inputs.size()][];
    for (int i = 0; i < strides.length; i++) strides[i] = groupStrides(g.inputs.get(i), shape.length);
    int k = 0;
    for (Eqn e : g.members) {
      Var v = e.outputs().get(0);
      if (g.reductions.contains(v)) accumulators.put(v, "acc" + (k++));
    }
  }

  static String write(FusedGroup g) {
    return new KernelSourceWriter(g).generate();
  }

  /**
   * Whether the group is computed as SIMD arithmetic: f32 and every operation with a vector form. Does not
   * depend on the Vector API being present, so a JVM without it computes the same bits lane by lane.
   */
  static boolean simdForm(FusedGroup g) {
    if (g.floatType != DType.FLOAT32) return false;
    for (Eqn e : g.members) {
      if (g.reductions.contains(e.outputs().get(0))) continue;
      if (!VECTOR_OPS.contains(e.primitive().elementwiseOp())) return false;
    }
    return true;
  }

  /** Whether the group is written with the Vector API: SIMD form, the module present, and (with reductions) 16 or 8 lanes per vector. */
  static boolean vectorizable(FusedGroup g) {
    if (!simdForm(g) || !VectorSupport.AVAILABLE) return false;
    int l = VectorMatmul.lanes();
    return !g.hasReductions() || l == Summation.LANES || l == Summation.LANES / 2;
  }

  private String generate() {
    line(0, "public final class " + KernelCache.placeholder() + " implements dev.arrax.compile.cpu.Kernel {");
    if (vector) line(1, "private static final jdk.incubator.vector.VectorSpecies S = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;");
    if (vector && g.hasReductions()) {
      // lane i + h moved to lane i: the steps of Summation's lane tree
      for (int h : new int[] {8, 4, 2, 1}) {
        line(1, "private static final jdk.incubator.vector.VectorShuffle SH" + h + " = jdk.incubator.vector.VectorShuffle.iota(S, " + h + " % S.length(), 1, true);");
      }
    }
    line(1, "public void run(Object[] b, int[] eo, int rowFrom, int rowTo, int colFrom, int colTo) {");
    int nIn = g.inputs.size();
    for (int i = 0; i < nIn; i++) {
      String t = javaType(g.inputs.get(i).source().type().dtype());
      line(2, "final " + t + "[] in" + i + " = (" + t + "[]) b[" + i + "];");
    }
    for (int k = 0; k < g.outputs.size(); k++) {
      String t = javaType(g.outputs.get(k).type().dtype());
      line(2, "final " + t + "[] out" + k + " = (" + t + "[]) b[" + (nIn + k) + "];");
      line(2, "final int oo" + k + " = eo[" + (nIn + k) + "];");
    }
    if (vector && laneCalls) line(2, "final float[] vt = new float[S.length()];");
    int constantsAt = src.length();
    int inner = g.inner(), r = shape.length;
    if (!vector) {
      for (Map.Entry<Var, String> acc : accumulators.entrySet()) {
        if (!isSum(acc.getKey())) continue;
        String t = javaType(g.floatType);
        String a = acc.getValue(), n = " = new " + t + "[" + Summation.LANES + "]";
        line(2, "final " + t + "[] l" + a + n + ", t" + a + n + ", m" + a + n + ";");
      }
    }
    line(2, "for (int o = rowFrom; o < rowTo; o++) {");
    boolean needUnravel = false;
    for (int i = 0; i < nIn; i++) needUnravel |= !isContiguous(strides[i], shape) && r > 1;
    if (needUnravel) {
      line(3, "int q = o;");
      for (int a = r - 2; a >= 1; a--) line(3, "final int i" + a + " = q % " + shape[a] + "; q /= " + shape[a] + ";");
      line(3, "final int i0 = q;");
    }
    for (int i = 0; i < nIn; i++) {
      StringBuilder off = new StringBuilder();
      if (isContiguous(strides[i], shape)) {
        off.append("o * ").append(inner);
      } else {
        for (int a = 0; a < r - 1; a++) {
          if (strides[i][a] != 0) off.append(off.length() > 0 ? " + " : "").append("i").append(a).append(" * ").append(strides[i][a]);
        }
        if (off.length() == 0) off.append("0");
      }
      line(3, "final int base" + i + " = " + off + " - eo[" + i + "];");
    }
    String ft = javaType(g.floatType);
    for (Map.Entry<Var, String> acc : accumulators.entrySet()) {
      line(3, ft + " " + acc.getValue() + " = " + reductionInit(producer(acc.getKey()), false) + ";");
    }
    line(3, "int j = colFrom;");
    if (vector && g.hasReductions()) broadcasts(3); // without reductions, step declares them
    String step = null;
    if (vector && !g.hasReductions()) {
      line(3, "for (final int vEnd = colTo - S.length(); j <= vEnd; j += S.length()) {");
      line(4, "step(" + stepSignature(false) + ");");
      line(3, "}");
      int at = src.length();
      body(true);
      step = src.substring(at);
      src.setLength(at);
    } else if (g.hasReductions()) {
      // Summation's order: 16 lanes (elements l, l+16, ...) summed within blocks of Summation.BLOCK elements,
      // block lanes added per super-block, super-block lanes to the running lanes, the fixed lane tree, then
      // the tail in order. The vector flavour holds the 16 lanes in `unroll` vectors, the scalar one in
      // arrays: the same additions.
      for (Map.Entry<Var, String> acc : accumulators.entrySet()) {
        boolean sum = isSum(acc.getKey());
        for (int u = 0; u < unroll && vector; u++) {
          line(3, "jdk.incubator.vector.FloatVector v" + acc.getValue() + "_" + u + " = jdk.incubator.vector.FloatVector.broadcast(S, "
              + reductionInit(producer(acc.getKey()), true) + ");");
        }
        if (sum && !vector) line(3, "java.util.Arrays.fill(l" + acc.getValue() + ", " + reductionInit(producer(acc.getKey()), false) + ");");
      }
      // Blocking levels by the row length, which is in the source: rows of at most one block sum straight
      // into the running lanes (no nested loops in the common case), longer ones in blocks, the longest in
      // super-blocks too. Both flavours make the same choice.
      int levels = g.inner() <= Summation.BLOCK ? 1 : g.inner() <= Summation.SUPER_BLOCK ? 2 : 3;
      blockLevel = levels == 1 ? "v" : "b";
      line(3, "for (final int vEnd = colTo - " + Summation.LANES + "; j <= vEnd; ) {");
      int ind = 4;
      if (levels == 3) {
        line(4, "final int sEnd = Math.min(vEnd, j + " + (Summation.SUPER_BLOCK - Summation.LANES) + ");");
        blockPartials(4, "s", "zero");
        line(4, "while (j <= sEnd) {");
        ind = 5;
      }
      if (levels >= 2) {
        line(ind, "final int bEnd = Math.min(" + (levels == 3 ? "sEnd" : "vEnd") + ", j + " + (Summation.BLOCK - Summation.LANES) + ");");
        blockPartials(ind, "b", "zero");
        line(ind, "while (j <= bEnd) {");
      }
      if (vector) {
        for (int u = 0; u < unroll; u++) {
          curVector = u;
          body(true);
          line(6, "j += S.length();");
        }
      } else {
        line(6, "for (int l = 0; l < " + Summation.LANES + "; l++, j++) {");
        scalarLanes = true;
        body(false);
        scalarLanes = false;
        line(6, "}");
      }
      if (levels >= 2) {
        line(ind, "}");
        blockPartials(ind, levels == 3 ? "s" : "v", "b");
      }
      if (levels == 3) {
        line(4, "}");
        blockPartials(4, "v", "s");
      }
      line(3, "}");
      for (Map.Entry<Var, String> acc : accumulators.entrySet()) {
        String a = acc.getValue();
        if (isSum(acc.getKey())) {
          if (vector) {
            // Summation.tree in registers, written out here: Vector API calls are always inlined, a helper
            // method in a big kernel may not be, and would then box its vector argument on every row.
            String t = "t" + a;
            line(3, "jdk.incubator.vector.FloatVector " + t + " = " + (unroll == 2 ? "v" + a + "_0.add(v" + a + "_1)" : "v" + a + "_0.add(v" + a + "_0.rearrange(SH8))") + ";");
            for (int h : new int[] {4, 2, 1}) line(3, t + " = " + t + ".add(" + t + ".rearrange(SH" + h + "));");
            line(3, a + " = " + t + ".lane(0);");
          } else {
            line(3, a + " = dev.arrax.compile.cpu.Summation.tree(l" + a + ");");
          }
        } else if (vector) {
          String op = Fusion.reductionKind(producer(acc.getKey())) == dev.arrax.primitives.Reduce.Kind.MAX ? "MAX" : "MIN";
          for (int u = 0; u < unroll; u++) {
            line(3, a + " = " + combine(producer(acc.getKey()), a, "v" + a + "_" + u + ".reduceLanes(jdk.incubator.vector.VectorOperators." + op + ")") + ";");
          }
        }
      }
    }
    line(3, "for (; j < colTo; j++) {");
    body(false);
    line(3, "}");
    int k = 0;
    for (Var out : g.outputs) {
      if (g.reductions.contains(out)) line(3, "out" + k + "[o - oo" + k + "] = " + accumulators.get(out) + ";");
      k++;
    }
    line(2, "}");
    line(1, "}");
    StringBuilder consts = new StringBuilder();
    for (Map.Entry<String, String> c : vectorConstants.entrySet()) consts.append("    final ").append(c.getValue()).append('\n');
    if (step == null) {
      src.insert(constantsAt, consts);
    } else {
      // the vector loop's body, called once per vector of elements: see stepSignature
      line(1, "static void step(" + stepSignature(true) + ") {");
      src.append(consts);
      broadcasts(2);
      src.append(step);
      line(1, "}");
    }
    line(0, "}");
    return src.toString();
  }

  /**
   * Whether a {@link TiledChain} can call this group's vector {@code step} directly: a 2-d group of whole vectors per row
   * without reductions, written with the Vector API (then its kernel has a {@code step} and no column tail).
   */
  static boolean hasStep(FusedGroup g) {
    return g.shape.length == 2 && vectorizable(g) && !g.hasReductions() && g.inner() % VectorMatmul.lanes() == 0;
  }

  /**
   * Whether the group's vector body makes lane calls ({@link #laneCalls}): two or more transcendental functions. Its
   * step then takes the lane-call scratch {@code vt} (a float[lanes]) after {@code j}.
   */
  static boolean laneCalls(FusedGroup g) {
    return transcendentals(g) > 1;
  }

  /** How many of the group's operations are transcendental functions (exp, log, tanh, ...). */
  static int transcendentals(FusedGroup g) {
    int n = 0;
    for (Eqn e : g.members) if (TRANSCENDENTAL.contains(e.primitive().elementwiseOp())) n++;
    return n;
  }

  /**
   * For a 2-d group: the element offset of row {@code o}'s first element in input {@code i}'s array (its {@code base}
   * before the buffer origin is subtracted), as a Java expression in {@code o}.
   */
  static String rowBase(FusedGroup g, int i) {
    long[] s = groupStrides(g.inputs.get(i), 2);
    if (isContiguous(s, g.shape)) return "o * " + g.inner();
    return s[0] != 0 ? "o * " + s[0] : "0";
  }

  /** Declares {@code bc<i>}, the row's value of each input that does not move along the row, as a vector (or mask). */
  private void broadcasts(int indent) {
    for (int i = 0; i < g.inputs.size(); i++) {
      if (moves(i)) continue;
      DType d = g.inputs.get(i).source().type().dtype();
      line(indent, "final " + (d == DType.BOOL ? "jdk.incubator.vector.VectorMask" : "jdk.incubator.vector.FloatVector") + " bc" + i + " = "
          + (d == DType.BOOL ? "S.maskAll(in" + i + "[base" + i + "])" : "jdk.incubator.vector.FloatVector.broadcast(S, in" + i + "[base" + i + "])") + ";");
    }
  }

  /**
   * The vector loop's {@code step} call's arguments ({@code declare} false) or its parameters (true): the arrays, each
   * input's row base, each output's origin, the row, the element and the lane-call scratch; never a vector (a call C2
   * does not inline would box it). A new program's kernel class starts in the interpreter, and HotSpot compiles a method
   * with C2 once it has been called or looped some thousands of times: {@code run} is called once per row block,
   * {@code step} once per vector, so its Vector API code is compiled early in a new program's first call instead of
   * running the API's Java fallbacks. C2 inlines {@code step} into {@code run} where it is small enough, else calls it.
   */
  private String stepSignature(boolean declare) {
    StringBuilder a = new StringBuilder();
    for (int i = 0; i < g.inputs.size(); i++) {
      param(a, declare, javaType(g.inputs.get(i).source().type().dtype()) + "[]", "in" + i);
      param(a, declare, "int", "base" + i);
    }
    for (int k = 0; k < g.outputs.size(); k++) {
      param(a, declare, javaType(g.outputs.get(k).type().dtype()) + "[]", "out" + k);
      param(a, declare, "int", "oo" + k);
    }
    param(a, declare, "int", "o");
    param(a, declare, "int", "j");
    if (laneCalls) param(a, declare, "float[]", "vt");
    return a.toString();
  }

  private static void param(StringBuilder a, boolean declare, String type, String name) {
    if (a.length() > 0) a.append(", ");
    if (declare) a.append("final ").append(type).append(' ');
    a.append(name);
  }

  /** One pass of the member equations: vector lanes at {@code j} or one scalar element. */
  private void body(boolean v) {
    names.clear();
    int inner = g.inner();
    for (Eqn e : g.members) {
      Var out = e.outputs().get(0);
      if (g.reductions.contains(out)) {
        String x = ref(e.inputs().get(0), v);
        String a = accumulators.get(out);
        boolean sum = isSum(out);
        if (v) {
          String acc = (sum ? blockLevel : "v") + a + "_" + curVector;
          line(6, acc + " = " + vectorCombine(e, acc, x) + ";");
        } else if (scalarLanes && sum) {
          String t = (blockLevel.equals("v") ? "l" : "m") + a;
          line(7, t + "[l] = " + t + "[l] + " + x + ";");
        } else {
          line(4, a + " = " + combine(e, a, x) + ";");
        }
        continue;
      }
      String name = (v ? "w" : "s") + (fresh++);
      if (v && laneCalls && TRANSCENDENTAL.contains(e.primitive().elementwiseOp())) {
        // through arrays, never a vector argument: see VectorMath's lane methods
        String fn = "dev.arrax.compile.cpu.math.VectorMath." + e.primitive().elementwiseOp().primitiveName() + "Lanes(";
        Atom x = e.inputs().get(0);
        Integer in = x instanceof Var xv && !names.containsKey(xv) ? g.inputIndexOfVar.get(xv) : null;
        if (in != null && moves(in)) {
          line(4, fn + "in" + in + ", base" + in + " + j, vt, 0);");
        } else {
          line(4, ref(x, true) + ".intoArray(vt, 0);");
          line(4, fn + "vt, 0, vt, 0);");
        }
        names.put(out, name);
        line(4, "final jdk.incubator.vector.FloatVector " + name + " = jdk.incubator.vector.FloatVector.fromArray(S, vt, 0);");
        continue;
      }
      names.put(out, name);
      line(4, "final " + (v ? vectorType(out.type().dtype()) : javaType(out.type().dtype())) + " " + name + " = "
          + (v ? vectorExpression(e) : scalarExpression(e)) + ";");
    }
    int k = 0;
    for (Var out : g.outputs) {
      if (!g.reductions.contains(out)) {
        String at = "o * " + inner + " + j - oo" + k;
        line(4, v ? names.get(out) + ".intoArray(out" + k + ", " + at + ");" : "out" + k + "[" + at + "] = " + names.get(out) + ";");
      }
      k++;
    }
  }

  /**
   * Lane partial sums of one blocking level ({@code to} = "b" block, "s" super-block, "v" the row's running
   * lanes): with {@code from} = "zero", declares/zeroes them; else adds level {@code from} into them.
   */
  private void blockPartials(int indent, String to, String from) {
    for (Map.Entry<Var, String> acc : accumulators.entrySet()) {
      if (!isSum(acc.getKey())) continue;
      String a = acc.getValue();
      if (vector) {
        for (int u = 0; u < unroll; u++) {
          String t = to + a + "_" + u;
          line(indent, from.equals("zero") ? "jdk.incubator.vector.FloatVector " + t + " = jdk.incubator.vector.FloatVector.zero(S);"
              : t + " = " + t + ".add(" + from + a + "_" + u + ");");
        }
      } else {
        String t = (to.equals("v") ? "l" : to.equals("s") ? "t" : "m") + a;
        if (from.equals("zero")) {
          line(indent, "java.util.Arrays.fill(" + t + ", " + reductionInit(producer(acc.getKey()), false) + ");");
        } else {
          String f = (from.equals("s") ? "t" : "m") + a;
          line(indent, "for (int l = 0; l < " + Summation.LANES + "; l++) " + t + "[l] = " + t + "[l] + " + f + "[l];");
        }
      }
    }
  }

  private boolean isSum(Var v) {
    return Fusion.reductionKind(producer(v)) == dev.arrax.primitives.Reduce.Kind.SUM;
  }

  private Eqn producer(Var v) {
    for (Eqn e : g.members) if (e.outputs().get(0) == v) return e;
    throw new IllegalStateException("internal: no producer in group");
  }

  private String reductionInit(Eqn e, boolean asFloatLiteral) {
    boolean f32 = g.floatType == DType.FLOAT32;
    return switch (Fusion.reductionKind(e)) {
      case SUM -> f32 || asFloatLiteral ? "0f" : "0d";
      case MAX -> f32 ? "Float.NEGATIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
      case MIN -> f32 ? "Float.POSITIVE_INFINITY" : "Double.POSITIVE_INFINITY";
      case PROD -> throw new IllegalStateException("internal: reduce_prod is not fused");
    };
  }

  private static String combine(Eqn e, String acc, String x) {
    return switch (Fusion.reductionKind(e)) {
      case SUM -> acc + " + " + x;
      case MAX -> "Math.max(" + acc + ", " + x + ")";
      case MIN -> "Math.min(" + acc + ", " + x + ")";
      case PROD -> throw new IllegalStateException("internal: reduce_prod is not fused");
    };
  }

  private static String vectorCombine(Eqn e, String acc, String x) {
    return switch (Fusion.reductionKind(e)) {
      case SUM -> acc + ".add(" + x + ")";
      case MAX -> acc + ".max(" + x + ")";
      case MIN -> acc + ".min(" + x + ")";
      case PROD -> throw new IllegalStateException("internal: reduce_prod is not fused");
    };
  }

  /** Per group axis, the stride of this input in its own (row-major) array; 0 where it is broadcast. */
  private static long[] groupStrides(FusedGroup.Input in, int rank) {
    long[] s = new long[rank];
    int[] p = in.sourceShape();
    int[] ps = Shapes.strides(p);
    for (int k = 0; k < p.length; k++) {
      if (p[k] > 1) s[in.dims()[k]] = ps[k];
    }
    return s;
  }

  private static boolean isContiguous(long[] strides, int[] shape) {
    long acc = 1;
    for (int a = shape.length - 1; a >= 0; a--) {
      if (shape[a] > 1 && strides[a] != acc) return false;
      acc *= shape[a];
    }
    return true;
  }

  /** Whether input i advances along the innermost axis (else it is one value per row). */
  private boolean moves(int i) {
    return strides[i][strides[i].length - 1] != 0 || (isContiguous(strides[i], shape) && shape[shape.length - 1] > 1);
  }

  /** Java expression reading an atom: a value computed in this body, an input element, or a constant. */
  private String ref(Atom a, boolean v) {
    if (a instanceof Literal l) return v ? vectorConstant(l.value()) : constant(l.value());
    Var var = (Var) a;
    String n = names.get(var);
    if (n != null) return n;
    Atom c = g.constantOfVar.get(var);
    if (c != null) return v ? vectorConstant(((Literal) c).value()) : constant(((Literal) c).value());
    Integer i = g.inputIndexOfVar.get(var);
    if (i == null) throw new IllegalStateException("internal: group reads an unknown value " + var);
    boolean isBool = g.inputs.get(i).source().type().dtype() == DType.BOOL;
    if (v) {
      if (!moves(i)) return "bc" + i;
      String load = isBool ? "S.loadMask(in" + i + ", base" + i + " + j)" : "jdk.incubator.vector.FloatVector.fromArray(S, in" + i + ", base" + i + " + j)";
      // loaded once per body: a lane call's store to vt (or the call itself) would make C2 load it again at each use
      String name = "x" + (fresh++);
      names.put(var, name);
      line(4, "final " + (isBool ? "jdk.incubator.vector.VectorMask" : "jdk.incubator.vector.FloatVector") + " " + name + " = " + load + ";");
      return name;
    }
    return "in" + i + "[base" + i + (moves(i) ? " + j" : "") + "]";
  }

  private String vectorConstant(ConcreteArray c) {
    String text = constant(c);
    boolean isBool = c.dtype() == DType.BOOL;
    String decl = (isBool ? "jdk.incubator.vector.VectorMask" : "jdk.incubator.vector.FloatVector") + " k" + vectorConstants.size() + " = "
        + (isBool ? "S.maskAll(" + text + ")" : "jdk.incubator.vector.FloatVector.broadcast(S, " + text + ")") + ";";
    String existing = vectorConstants.get(text);
    if (existing != null) return existing.substring(existing.indexOf(" k") + 1, existing.indexOf(" = "));
    vectorConstants.put(text, decl);
    return "k" + (vectorConstants.size() - 1);
  }

  private String scalarExpression(Eqn e) {
    ElementwiseOp op = e.primitive().elementwiseOp();
    DType t = e.outputs().get(0).type().dtype();
    String cast = t == DType.FLOAT32 ? "(float) " : "";
    String a = e.inputs().isEmpty() ? null : ref(e.inputs().get(0), false);
    String b = e.inputs().size() > 1 ? ref(e.inputs().get(1), false) : null;
    if (simd && TRANSCENDENTAL.contains(op)) return "dev.arrax.compile.cpu.math.ScalarMath." + op.primitiveName() + "(" + a + ")";
    return switch (op) {
      case ADD -> "(" + a + " + " + b + ")";
      case SUB -> "(" + a + " - " + b + ")";
      case MUL -> "(" + a + " * " + b + ")";
      case DIV -> "(" + a + " / " + b + ")";
      // On bool, max is "or" and min is "and" (false < true), as in JAX.
      case MAX -> t == DType.BOOL ? "(" + a + " || " + b + ")" : "Math.max(" + a + ", " + b + ")";
      case MIN -> t == DType.BOOL ? "(" + a + " && " + b + ")" : "Math.min(" + a + ", " + b + ")";
      case POW -> cast + "Math.pow(" + a + ", " + b + ")";
      case NEG -> "(-" + a + ")";
      case EXP -> cast + "Math.exp(" + a + ")";
      case LOG -> cast + "Math.log(" + a + ")";
      case LOG1P -> cast + "Math.log1p(" + a + ")";
      case EXPM1 -> cast + "Math.expm1(" + a + ")";
      case TANH -> cast + "Math.tanh(" + a + ")";
      case SIN -> cast + "Math.sin(" + a + ")";
      case COS -> cast + "Math.cos(" + a + ")";
      case TAN -> cast + "Math.tan(" + a + ")";
      case SQRT -> cast + "Math.sqrt(" + a + ")";
      case FLOOR -> cast + "Math.floor(" + a + ")";
      case CEIL -> cast + "Math.ceil(" + a + ")";
      case ABS -> "Math.abs(" + a + ")";
      case SIGN -> "Math.signum(" + a + ")";
      case LOGISTIC -> cast + "dev.arrax.compile.cpu.ScalarKernels.logistic(" + a + ")";
      case ERF -> cast + "dev.arrax.primitives.SpecialFunctions.erf(" + a + ")";
      case EQ -> "(" + a + " == " + b + ")";
      case NE -> "(" + a + " != " + b + ")";
      // Java has no order on booleans: false < true written out
      case LT -> boolOperands(e) ? "(!" + a + " & " + b + ")" : "(" + a + " < " + b + ")";
      case LE -> boolOperands(e) ? "(!" + a + " | " + b + ")" : "(" + a + " <= " + b + ")";
      case GT -> boolOperands(e) ? "(" + a + " & !" + b + ")" : "(" + a + " > " + b + ")";
      case GE -> boolOperands(e) ? "(" + a + " | !" + b + ")" : "(" + a + " >= " + b + ")";
      case AND -> "(" + a + " && " + b + ")";
      case OR -> "(" + a + " || " + b + ")";
      case NOT -> "(!" + a + ")";
      case IS_FINITE -> (e.inputs().get(0).type().dtype() == DType.FLOAT32 ? "Float" : "Double") + ".isFinite(" + a + ")";
      case STOP_GRADIENT -> a;
      case SELECT_N -> "(" + a + " ? " + ref(e.inputs().get(2), false) + " : " + b + ")";
      case CONVERT_ELEMENT_TYPE -> convert(e.inputs().get(0).type().dtype(), t, a);
      case ERF_INV, REM, XOR, SHIFT_LEFT, SHIFT_RIGHT_LOGICAL -> throw new IllegalStateException("internal: no code generation for " + op);
    };
  }

  private String vectorExpression(Eqn e) {
    ElementwiseOp op = e.primitive().elementwiseOp();
    String a = e.inputs().isEmpty() ? null : ref(e.inputs().get(0), true);
    String b = e.inputs().size() > 1 ? ref(e.inputs().get(1), true) : null;
    String cmp = "jdk.incubator.vector.VectorOperators.";
    return switch (op) {
      case ADD -> a + ".add(" + b + ")";
      case SUB -> a + ".sub(" + b + ")";
      case MUL -> a + ".mul(" + b + ")";
      case DIV -> a + ".div(" + b + ")";
      case MAX -> e.outputs().get(0).type().dtype() == DType.BOOL ? a + ".or(" + b + ")" : a + ".max(" + b + ")";
      case MIN -> e.outputs().get(0).type().dtype() == DType.BOOL ? a + ".and(" + b + ")" : a + ".min(" + b + ")";
      case NEG -> a + ".neg()";
      case ABS -> a + ".abs()";
      case SQRT -> a + ".sqrt()";
      case EXP, LOG, LOG1P, EXPM1, TANH, LOGISTIC, ERF, SIN, COS -> "dev.arrax.compile.cpu.math.VectorMath." + op.primitiveName() + "(" + a + ")";
      // bool operands are masks, which have no compare: false < true, as in the scalar code
      case EQ -> boolOperands(e) ? a + ".eq(" + b + ")" : a + ".compare(" + cmp + "EQ, " + b + ")";
      case NE -> boolOperands(e) ? a + ".eq(" + b + ").not()" : a + ".compare(" + cmp + "NE, " + b + ")";
      case LT -> boolOperands(e) ? b + ".andNot(" + a + ")" : a + ".compare(" + cmp + "LT, " + b + ")";
      case LE -> boolOperands(e) ? a + ".andNot(" + b + ").not()" : a + ".compare(" + cmp + "LE, " + b + ")";
      case GT -> boolOperands(e) ? a + ".andNot(" + b + ")" : a + ".compare(" + cmp + "GT, " + b + ")";
      case GE -> boolOperands(e) ? b + ".andNot(" + a + ").not()" : a + ".compare(" + cmp + "GE, " + b + ")";
      case AND -> a + ".and(" + b + ")";
      case OR -> a + ".or(" + b + ")";
      case NOT -> a + ".not()";
      case IS_FINITE -> a + ".test(" + cmp + "IS_FINITE)";
      case STOP_GRADIENT -> a;
      // Janino resolves blend to Vector.blend (it ignores generics), hence the cast.
      // bool cases are masks, which have no blend: (onFalse & !pred) | (onTrue & pred)
      case SELECT_N -> e.outputs().get(0).type().dtype() == DType.BOOL
          ? b + ".andNot(" + a + ").or(" + ref(e.inputs().get(2), true) + ".and(" + a + "))"
          : "((jdk.incubator.vector.FloatVector) " + b + ".blend(" + ref(e.inputs().get(2), true) + ", " + a + "))";
      case CONVERT_ELEMENT_TYPE -> {
        DType from = e.inputs().get(0).type().dtype(), to = e.outputs().get(0).type().dtype();
        if (from == to) yield a;
        if (from == DType.BOOL) {
          yield "((jdk.incubator.vector.FloatVector) " + vectorConstant(zeroF32()) + ".blend(" + vectorConstant(oneF32()) + ", " + a + "))";
        }
        yield a + ".compare(" + cmp + "NE, " + vectorConstant(zeroF32()) + ")";
      }
      case POW, TAN, SIGN, FLOOR, CEIL, ERF_INV, REM, XOR, SHIFT_LEFT, SHIFT_RIGHT_LOGICAL ->
          throw new IllegalStateException("internal: no vector code generation for " + op);
    };
  }

  private static boolean boolOperands(Eqn e) { return e.inputs().get(0).type().dtype() == DType.BOOL; }

  private static ConcreteArray zeroF32() { return ConcreteArray.full(dev.arrax.core.ArrayType.of(DType.FLOAT32), 0); }

  private static ConcreteArray oneF32() { return ConcreteArray.full(dev.arrax.core.ArrayType.of(DType.FLOAT32), 1); }

  private static String convert(DType from, DType to, String a) {
    if (from == to) return a;
    if (from == DType.BOOL) return "(" + a + " ? " + (to == DType.FLOAT32 ? "1f : 0f" : "1d : 0d") + ")";
    if (to == DType.BOOL) return "(" + a + " != 0)";
    throw new IllegalStateException("internal: no fused conversion " + from + " -> " + to);
  }

  static String constant(ConcreteArray c) {
    return switch (c.dtype()) {
      case FLOAT32 -> "Float.intBitsToFloat(" + Float.floatToRawIntBits((float) c.buffer().getDouble(0)) + ")";
      case FLOAT64 -> "Double.longBitsToDouble(" + Double.doubleToRawLongBits(c.buffer().getDouble(0)) + "L)";
      case BOOL -> Boolean.toString(c.buffer().getBool(0));
      default -> throw new IllegalStateException("internal: no fused constant of " + c.dtype());
    };
  }

  static String javaType(DType d) {
    return switch (d) {
      case FLOAT32 -> "float";
      case FLOAT64 -> "double";
      case BOOL -> "boolean";
      default -> throw new IllegalStateException("internal: no fused type for " + d);
    };
  }

  private static String vectorType(DType d) {
    return d == DType.BOOL ? "jdk.incubator.vector.VectorMask" : "jdk.incubator.vector.FloatVector";
  }

  private void line(int indent, String s) {
    src.append("  ".repeat(indent)).append(s).append('\n');
  }
}
