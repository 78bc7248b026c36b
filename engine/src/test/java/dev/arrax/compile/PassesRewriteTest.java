package dev.arrax.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.ir.Atom;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Literal;
import dev.arrax.ir.Program;
import dev.arrax.ir.Var;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One focused test per rewrite of {@link Passes#optimize}: the primitive counts before and after, and
 * the results, bit for bit, against the unoptimized program and against values computed here (the
 * identity rewrites must return the input's own bits, NaN, infinities and -0.0 included).
 */
class PassesRewriteTest {
  static final double NZ = -0.0;

  static Program optimize(Program p) {
    String before = p.toText();
    Program q = Passes.optimize(p);
    IrVerifier.verify(q);
    assertEquals(before, p.toText(), "optimize changed its input program");
    Program reparsed = Program.parse(q.toText());
    assertEquals(q.toText(), reparsed.toText(), "optimized program does not round-trip through its text");
    return q;
  }

  /** The optimized program gives the bits of the original on {@code args}; returns its outputs. */
  static NDArray[] sameResults(Program p, Program q, NDArray... args) {
    NDArray[] expected = p.call(args), actual = q.call(args);
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) Exact.sameBits(expected[i], actual[i], "output " + i + " of\n" + p + "\noptimized to\n" + q);
    return actual;
  }

  static NDArray f64(double... v) { return NDArray.of(v); }

  // ---- algebraic simplification ----

  @Test
  void multiplyAndDivideByOneVanish() {
    Program p = Program.parse("""
        { lambda ; a:f64[3] . let
            b:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 1.0:f64[]
            c:f64[3] = mul a b
            d:f64[3] = mul b c
            e:f64[3] = div d b
            f:f64[] = reduce_sum[axes=(0,)] e
            g:f64[] = mul f 1.0:f64[]
            h:f64[] = mul 1.0:f64[] g
            i:f64[] = div h 1.0:f64[]
          in (e i) }""");
    Program q = optimize(p);
    assertEquals(Map.of("broadcast_in_dim", 1, "div", 2, "mul", 4, "reduce_sum", 1), p.primitiveCounts());
    assertEquals(Map.of("reduce_sum", 1), q.primitiveCounts());
    assertSame(q.inVars().get(0), q.outs().get(0), "x*1*... is the input itself");
    NDArray x = f64(NZ, Double.NaN, Double.POSITIVE_INFINITY);
    NDArray[] r = sameResults(p, q, x);
    Exact.sameBits(x, r[0], "x*1 keeps NaN, inf and -0.0");
    NDArray y = f64(0.5, -2.25, 4.0);
    Exact.sameBits(NDArray.scalar(0.5 - 2.25 + 4.0), sameResults(p, q, y)[1], "sum");
  }

  @Test
  void multiplyByOneInFloat32AndIntegers() {
    Program p = Program.parse("""
        { lambda ; a:f32[2] b:i32[2] c:u32[] . let
            d:f32[2] = broadcast_in_dim[shape=(2,) broadcast_dimensions=()] 1.0:f32[]
            e:f32[2] = mul d a
            f:i32[2] = broadcast_in_dim[shape=(2,) broadcast_dimensions=()] 1:i32[]
            g:i32[2] = mul b f
            h:i32[2] = div g f
            i:u32[] = mul c 1:u32[]
          in (e h i) }""");
    Program q = optimize(p);
    assertEquals(Map.of(), q.primitiveCounts(), "every equation is an identity:\n" + q);
    NDArray a = NDArray.of(-0.0f, 3.5f);
    NDArray b = Exact.ints(DType.INT32, new int[] {2}, new long[] {Integer.MIN_VALUE, -7});
    NDArray c = Exact.ints(DType.UINT32, new int[0], new long[] {4294967295L});
    NDArray[] r = sameResults(p, q, a, b, c);
    Exact.sameBits(a, r[0], "f32 x*1");
    Exact.sameBits(b, r[1], "i32 x*1/1");
    Exact.sameBits(c, r[2], "u32 x*1");
  }

  @Test
  void addingZeroKeepsTheSignOfZero() {
    // x + (-0.0) and x - (+0.0) are identities; x + (+0.0) and x - (-0.0) turn -0.0 into +0.0 and stay.
    Program p = Program.parse("""
        { lambda ; a:f64[2] . let
            b:f64[2] = broadcast_in_dim[shape=(2,) broadcast_dimensions=()] 0.0:f64[]
            c:f64[2] = add a b
            d:f64[2] = broadcast_in_dim[shape=(2,) broadcast_dimensions=()] -0.0:f64[]
            e:f64[2] = add d a
            f:f64[2] = sub a b
            g:f64[2] = sub a d
            h:f64[2] = add b a
          in (c e f g h) }""");
    Program q = optimize(p);
    assertEquals(Map.of("add", 3, "broadcast_in_dim", 2, "sub", 2), p.primitiveCounts());
    assertEquals(Map.of("add", 2, "broadcast_in_dim", 2, "sub", 1), q.primitiveCounts(), q.toString());
    NDArray x = f64(NZ, 0.0);
    NDArray[] r = sameResults(p, q, x);
    Exact.sameBits(f64(0.0, 0.0), r[0], "-0.0 + 0.0 is +0.0");
    Exact.sameBits(x, r[1], "-0.0 + x is x");
    Exact.sameBits(x, r[2], "x - 0.0 is x");
    Exact.sameBits(f64(0.0, 0.0), r[3], "-0.0 - (-0.0) is +0.0");
    assertSame(q.inVars().get(0), q.outs().get(1));
    assertSame(q.inVars().get(0), q.outs().get(2));
    sameResults(p, q, f64(Double.NaN, Double.NEGATIVE_INFINITY));
  }

  @Test
  void addingIntegerZeroVanishes() {
    Program p = Program.parse("""
        { lambda ; a:i64[3] b:i32[] . let
            c:i64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 0:i64[]
            d:i64[3] = add c a
            e:i64[3] = sub d c
            f:i32[] = add b 0:i32[]
            g:i32[] = sub f 0:i32[]
          in (e g) }""");
    Program q = optimize(p);
    assertEquals(Map.of(), q.primitiveCounts(), q.toString());
    NDArray a = Exact.ints(DType.INT64, new int[] {3}, new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE});
    NDArray b = Exact.ints(DType.INT32, new int[0], new long[] {-5});
    NDArray[] r = sameResults(p, q, a, b);
    Exact.sameBits(a, r[0], "i64 x+0-0");
    Exact.sameBits(b, r[1], "i32 x+0-0");
  }

  @Test
  void inexactIdentitiesAreNotApplied() {
    // x*0 (NaN*0 is NaN, -1*0 is -0.0), x-x (inf-inf is NaN), x/x, 0*x and 0.0+x all stay.
    Program p = Program.parse("""
        { lambda ; a:f64[4] . let
            b:f64[4] = broadcast_in_dim[shape=(4,) broadcast_dimensions=()] 0.0:f64[]
            c:f64[4] = mul a b
            d:f64[4] = sub a a
            e:f64[4] = div a a
            f:f64[4] = mul b a
            g:f64[4] = add b c
          in (c d e f g) }""");
    Program q = optimize(p);
    assertEquals(p.primitiveCounts(), q.primitiveCounts(), q.toString());
    NDArray[] r = sameResults(p, q, f64(Double.NaN, Double.POSITIVE_INFINITY, -1.0, 0.0));
    assertTrue(Double.isNaN(r[0].toDoubleArray()[0]) && Double.isNaN(r[0].toDoubleArray()[1]), "NaN*0 and inf*0 are NaN");
    assertEquals(Double.doubleToRawLongBits(NZ), Double.doubleToRawLongBits(r[0].toDoubleArray()[2]), "-1*0 is -0.0");
    assertTrue(Double.isNaN(r[1].toDoubleArray()[0]) && Double.isNaN(r[1].toDoubleArray()[1]), "NaN-NaN and inf-inf are NaN");
  }

  @Test
  void doubleNegationVanishes() {
    Program p = Program.parse("""
        { lambda ; a:f64[2] b:i32[] . let
            c:f64[2] = neg a
            d:f64[2] = neg c
            e:f64[2] = neg d
            f:i32[] = neg b
            g:i32[] = neg f
          in (d e g) }""");
    Program q = optimize(p);
    assertEquals(Map.of("neg", 5), p.primitiveCounts());
    assertEquals(Map.of("neg", 1), q.primitiveCounts(), "neg(neg(neg a)) is the first neg a, merged:\n" + q);
    NDArray a = f64(NZ, Double.NaN);
    NDArray b = Exact.ints(DType.INT32, new int[0], new long[] {Integer.MIN_VALUE});
    NDArray[] r = sameResults(p, q, a, b);
    Exact.sameBits(a, r[0], "neg neg");
    assertEquals(0L, Double.doubleToRawLongBits(r[1].toDoubleArray()[0]), "neg -0.0 is +0.0");
    assertTrue(Double.isNaN(r[1].toDoubleArray()[1]), "neg NaN");
    Exact.sameBits(b, r[2], "neg neg of INT_MIN wraps back");
  }

  @Test
  void transposeMovingOnlyUnitAxesIsAReshape() {
    // [1,4] -> [4,1] (a gradient's row turned into a column), [2,1,3] -> [1,2,3], and a real transpose that stays
    Program p = Program.parse("""
        { lambda ; a:f32[1,4] b:f32[2,1,3] c:f32[2,3] . let
            d:f32[4,1] = transpose[permutation=(1,0)] a
            e:f32[4] = reshape[new_sizes=(4,)] d
            f:f32[1,2,3] = transpose[permutation=(1,0,2)] b
            g:f32[3,2] = transpose[permutation=(1,0)] c
          in (e f g) }""");
    Program q = optimize(p);
    assertEquals(Map.of("reshape", 2, "transpose", 1), q.primitiveCounts(), q.toString());
    assertTrue(q.toString().contains("reshape[new_sizes=(4,)] a"), "reshape of a reshape merges:\n" + q);
    NDArray a = NDArray.fromFlat(new float[] {1.5f, -0f, Float.NaN, 7f}, 1, 4);
    NDArray b = NDArray.fromFlat(new float[] {1, 2, 3, 4, 5, 6}, 2, 1, 3);
    NDArray c = NDArray.fromFlat(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    NDArray[] r = sameResults(p, q, a, b, c);
    Exact.sameBits(NDArray.fromFlat(new float[] {1.5f, -0f, Float.NaN, 7f}, 4), r[0], "e = a's elements in order");
    Exact.sameBits(NDArray.fromFlat(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3), r[1], "f = b's elements in order");
    Exact.sameBits(NDArray.fromFlat(new float[] {1, 4, 2, 5, 3, 6}, 3, 2), r[2], "g = c transposed");
  }

  @Test
  void transposeOfTransposeComposes() {
    Program p = Program.parse("""
        { lambda ; a:f64[2,3,4] . let
            b:f64[3,4,2] = transpose[permutation=(1,2,0)] a
            c:f64[2,3,4] = transpose[permutation=(2,0,1)] b
            d:f64[4,3,2] = transpose[permutation=(1,0,2)] b
            e:f64[2,3,4] = transpose[permutation=(0,1,2)] a
          in (c d e) }""");
    Program q = optimize(p);
    assertEquals(Map.of("transpose", 1), q.primitiveCounts(), q.toString());
    assertTrue(q.toString().contains("transpose[permutation=(2,1,0)] a"), q.toString());
    assertSame(q.inVars().get(0), q.outs().get(0));
    assertSame(q.inVars().get(0), q.outs().get(2));
    double[] v = new double[24];
    for (int i = 0; i < 24; i++) v[i] = i + 0.25;
    NDArray a = NDArray.fromFlat(v, 2, 3, 4);
    NDArray[] r = sameResults(p, q, a);
    double[] expected = new double[24];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++) expected[(i * 3 + j) * 2 + k] = v[(k * 3 + j) * 4 + i];
    Exact.sameBits(NDArray.fromFlat(expected, 4, 3, 2), r[1], "d[i,j,k] = a[k,j,i]");
  }

  @Test
  void reshapeOfReshapeComposes() {
    Program p = Program.parse("""
        { lambda ; a:f64[2,3] . let
            b:f64[3,2] = reshape[new_sizes=(3,2)] a
            c:f64[6] = reshape[new_sizes=(6,)] b
            d:f64[2,3] = reshape[new_sizes=(2,3)] b
            e:f64[2,3] = reshape[new_sizes=(2,3)] a
          in (c d e) }""");
    Program q = optimize(p);
    assertEquals(Map.of("reshape", 4), p.primitiveCounts());
    assertEquals(Map.of("reshape", 1), q.primitiveCounts(), q.toString());
    assertTrue(q.toString().contains("reshape[new_sizes=(6,)] a"), q.toString());
    NDArray a = NDArray.fromFlat(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    NDArray[] r = sameResults(p, q, a);
    Exact.sameBits(NDArray.of(1.0, 2, 3, 4, 5, 6), r[0], "flattened");
    Exact.sameBits(a, r[1], "back to its shape");
  }

  @Test
  void convertToTheSameDtypeVanishes() {
    Program p = Program.parse("""
        { lambda ; a:f32[2] . let
            b:f32[2] = convert_element_type[new_dtype=f32] a
            c:f64[2] = convert_element_type[new_dtype=f64] b
          in (b c) }""");
    Program q = optimize(p);
    assertEquals(Map.of("convert_element_type", 1), q.primitiveCounts(), q.toString());
    NDArray a = NDArray.of(1.5f, -0.0f);
    Exact.sameBits(a, sameResults(p, q, a)[0], "f32 -> f32");
  }

  @Test
  void broadcastOfBroadcastComposes() {
    Program p = Program.parse("""
        { lambda ; a:f64[3] . let
            b:f64[1,3] = broadcast_in_dim[shape=(1,3) broadcast_dimensions=(1,)] a
            c:f64[2,4,3] = broadcast_in_dim[shape=(2,4,3) broadcast_dimensions=(0,2)] b
            d:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=(0,)] a
            e:f64[1] = reshape[new_sizes=(1,)] 2.5:f64[]
            f:f64[5,1] = broadcast_in_dim[shape=(5,1) broadcast_dimensions=(1,)] e
            g:f64[5,2] = broadcast_in_dim[shape=(5,2) broadcast_dimensions=(0,1)] f
          in (c d g) }""");
    Program q = optimize(p);
    assertEquals(Map.of("broadcast_in_dim", 5, "reshape", 1), p.primitiveCounts());
    // c: one broadcast with dimensions (2,); e folds to the constant [2.5], and g becomes a broadcast of the literal.
    assertEquals(Map.of("broadcast_in_dim", 2), q.primitiveCounts(), q.toString());
    assertTrue(q.toString().contains("broadcast_in_dim[shape=(2,4,3) broadcast_dimensions=(2,)] a"), q.toString());
    assertTrue(q.toString().contains("broadcast_in_dim[shape=(5,2) broadcast_dimensions=()] 2.5:f64[]"), q.toString());
    assertTrue(q.constVars().isEmpty(), "no constant left:\n" + q.toText());
    assertSame(q.inVars().get(0), q.outs().get(1));
    NDArray a = f64(1.25, NZ, 7);
    NDArray[] r = sameResults(p, q, a);
    double[] expected = new double[24];
    for (int i = 0; i < 24; i++) expected[i] = a.toDoubleArray()[i % 3];
    Exact.sameBits(NDArray.fromFlat(expected, 2, 4, 3), r[0], "c[i,j,k] = a[k]");
  }

  @Test
  void selectWithAConstantPredicatePicksTheBranch() {
    Program p = Program.parse("""
        { lambda ; a:f64[3] b:f64[3] c:bool[3] x:f64[] y:f64[] . let
            d:bool[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] true:bool[]
            e:f64[3] = select_n d a b
            f:f64[] = select_n false:bool[] x y
            g:f64[3] = select_n c a a
            h:f64[3] = select_n c a b
          in (e f g h) }""");
    Program q = optimize(p);
    assertEquals(Map.of("broadcast_in_dim", 1, "select_n", 4), p.primitiveCounts());
    assertEquals(Map.of("select_n", 1), q.primitiveCounts(), q.toString());
    assertSame(q.inVars().get(1), q.outs().get(0), "true picks the third operand");
    assertSame(q.inVars().get(3), q.outs().get(1), "false picks the second operand");
    assertSame(q.inVars().get(0), q.outs().get(2), "both branches the same");
    NDArray c = NDArray.ofBools(true, false, true);
    NDArray[] r = sameResults(p, q, f64(1, 2, 3), f64(4, 5, 6), c, NDArray.scalar(8.0), NDArray.scalar(9.0));
    Exact.sameBits(f64(4, 2, 6), r[3], "select by c");
  }

  @Test
  void stopGradientIsTheIdentityAfterDifferentiation() {
    Fn f = a -> Np.multiply(dev.arrax.Lax.stopGradient(a[0]), Np.sin(a[0]));
    NDArray x = f64(0.5, -1.0);
    Program p = Arrax.makeJaxpr(f, x);
    Program q = optimize(p);
    assertEquals(Map.of("mul", 1, "sin", 1, "stop_gradient", 1), p.primitiveCounts());
    assertEquals(Map.of("mul", 1, "sin", 1), q.primitiveCounts());
    NDArray[] r = sameResults(p, q, x);
    Check.close(new double[] {0.5 * Math.sin(0.5), -Math.sin(-1.0)}, r[0], 1e-15, 0, "x * sin x");
  }

  // ---- constant folding ----

  @Test
  void scalarLiteralsFoldToALiteral() {
    Program p = Program.parse("""
        { lambda ; a:f64[] . let
            b:f64[] = mul 2.0:f64[] 3.0:f64[]
            c:f64[] = sqrt b
            d:f64[] = add a c
            e:i32[] = div 7:i32[] 0:i32[]
          in (d e) }""");
    Program q = optimize(p);
    assertEquals(Map.of("add", 1), q.primitiveCounts(), q.toString());
    Atom lit = q.eqns().get(0).inputs().get(1);
    assertTrue(lit instanceof Literal, q.toString());
    Exact.sameBits(NDArray.scalar(Math.sqrt(6.0)), ((Literal) lit).value(), "folded sqrt(2*3)");
    assertTrue(q.outs().get(1) instanceof Literal, "an output folded to a literal: " + q);
    NDArray[] r = sameResults(p, q, NDArray.scalar(1.0));
    Exact.sameBits(Exact.ints(DType.INT32, new int[0], new long[] {-1}), r[1], "integer division by zero is -1 (XLA)");
  }

  @Test
  void smallConstantsFoldToNewConstants() {
    Program p = Program.parse("""
        { lambda k:f64[3] ; a:f64[3] . let
            b:f64[3] = exp k
            c:f64[3] = add a b
            d:i32[4] = iota[dtype=i32 shape=(4,) dimension=0]
            e:i32[4] = mul d d
          in (c e) }
        consts
          k = 0.0,1.0,-2.0
        end""");
    Program q = optimize(p);
    assertEquals(Map.of("add", 1), q.primitiveCounts(), q.toText());
    assertEquals(2, q.constVars().size(), "exp k and the squares replace k:\n" + q.toText());
    Exact.sameBits(NDArray.of(Math.exp(0.0), Math.exp(1.0), Math.exp(-2.0)), q.constValues().get(0), "folded exp");
    assertSame(q.constVars().get(1), q.outs().get(1));
    NDArray[] r = sameResults(p, q, f64(1, 2, 3));
    Exact.sameBits(Exact.ints(DType.INT32, new int[] {4}, new long[] {0, 1, 4, 9}), r[1], "iota squared");
  }

  @Test
  void largeValuesAreNotMaterialized() {
    // iota[100] and broadcasts of scalars stay as they are (folding would add 100-element constants);
    // exp of a 20-element constant folds, since it replaces a constant of the same size.
    Program p = Program.parse("""
        { lambda k:f64[20] s:f64[5] ; a:f64[100] b:f64[20] c:f64[4,5] . let
            d:f64[100] = iota[dtype=f64 shape=(100,) dimension=0]
            e:f64[100] = add a d
            f:f64[20] = broadcast_in_dim[shape=(20,) broadcast_dimensions=()] 3.0:f64[]
            g:f64[20] = exp k
            h:f64[20] = mul b g
            i:f64[20] = mul h f
            j:f64[4,5] = broadcast_in_dim[shape=(4,5) broadcast_dimensions=(1,)] s
            l:f64[4,5] = add c j
            m:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 3.0:f64[]
          in (e i l m) }
        consts
          k = %s
          s = 1.0,2.0,3.0,4.0,5.0
        end""".formatted(String.join(",", java.util.stream.IntStream.range(0, 20).mapToObj(i -> Double.toString(i * 0.25)).toList())));
    Program q = optimize(p);
    assertEquals(Map.of("add", 2, "broadcast_in_dim", 3, "exp", 1, "iota", 1, "mul", 2), p.primitiveCounts());
    assertEquals(Map.of("add", 2, "broadcast_in_dim", 3, "iota", 1, "mul", 2), q.primitiveCounts(), q.toText());
    for (NDArray c : q.constValues()) assertTrue(c.size() <= 20, "a constant of " + c.type() + " in\n" + q.toText());
    NDArray a = NDArray.fromFlat(new double[100], 100), b = NDArray.fromFlat(new double[20], 20);
    sameResults(p, q, a, b, NDArray.fromFlat(new double[20], 4, 5));
  }

  @Test
  void elementwiseOpsOnSplatsFoldToASplat() {
    // Uniform values of any size fold through elementwise ops without becoming constants.
    Program p = Program.parse("""
        { lambda ; a:f64[1000] . let
            b:f64[1000] = broadcast_in_dim[shape=(1000,) broadcast_dimensions=()] 2.0:f64[]
            c:f64[1000] = broadcast_in_dim[shape=(1000,) broadcast_dimensions=()] 3.0:f64[]
            d:f64[1000] = mul b c
            e:f64[1000] = exp d
            f:bool[1000] = gt d b
            g:f64[1000] = select_n f a e
            h:f32[1000] = convert_element_type[new_dtype=f32] g
            i:f64[1000] = mul a e
          in (h i) }""");
    Program q = optimize(p);
    // d = 6.0 everywhere, e = exp 6, f = true everywhere so g = e, h = (f32) exp 6: two splats and one mul remain.
    assertEquals(Map.of("broadcast_in_dim", 2, "mul", 1), q.primitiveCounts(), q.toText());
    assertTrue(q.constVars().isEmpty(), q.toText());
    assertTrue(q.toString().contains("broadcast_in_dim[shape=(1000,) broadcast_dimensions=()] " + (float) Math.exp(6.0) + ":f32[]"), q.toString());
    sameResults(p, q, NDArray.fromFlat(new double[1000], 1000));
  }

  @Test
  void foldingWorksWhileAnotherFunctionIsBeingTraced() {
    // jit may optimize while an outer trace is recording; folding must still compute, not record.
    Program p = Program.parse("""
        { lambda ; a:f64[] . let
            b:f64[] = exp 1.0:f64[]
            c:f64[] = add a b
          in (c) }""");
    Program[] inside = new Program[1];
    Arrax.makeJaxpr(a -> {
      inside[0] = Passes.optimize(p);
      return a[0];
    }, NDArray.scalar(0.0));
    IrVerifier.verify(inside[0]);
    assertEquals(Map.of("add", 1), inside[0].primitiveCounts(), inside[0].toString());
    sameResults(p, inside[0], NDArray.scalar(0.25));
  }

  // ---- common subexpressions ----

  @Test
  void equalEquationsAreMerged() {
    Program p = Program.parse("""
        { lambda ; a:f64[2,3] . let
            b:f64[2,3] = sin a
            c:f64[2,3] = sin a
            d:f64[2,3] = add b c
            e:f64[3] = reduce_sum[axes=(0,)] d
            f:f64[3] = reduce_sum[axes=(0,)] d
            g:f64[2] = reduce_sum[axes=(1,)] d
            m:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 2.0:f64[]
            n:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] -0.0:f64[]
            o:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 0.0:f64[]
            h:f64[3] = mul e m
            i:f64[3] = mul f m
            j:f64[3] = mul e n
            k:f64[3] = mul e o
          in (h i g j k) }""");
    Program q = optimize(p);
    assertEquals(Map.of("add", 1, "broadcast_in_dim", 3, "mul", 4, "reduce_sum", 3, "sin", 2), p.primitiveCounts());
    // sin, reduce_sum[axes=(0,)] and mul by the same broadcast merge; axes (1,) differs, and so do 0.0 and -0.0.
    assertEquals(Map.of("add", 1, "broadcast_in_dim", 3, "mul", 3, "reduce_sum", 2, "sin", 1), q.primitiveCounts(), q.toString());
    assertSame(q.outs().get(0), q.outs().get(1));
    double[] v = {0.1, 0.2, 0.3, -0.4, 0.5, 0.6};
    NDArray[] r = sameResults(p, q, NDArray.fromFlat(v, 2, 3));
    double[] expected = new double[3];
    for (int j = 0; j < 3; j++) expected[j] = 2 * (2 * Math.sin(v[j]) + 2 * Math.sin(v[3 + j]));
    Check.close(expected, r[0], 1e-15, 0, "2 * sum(2 sin a, axis 0)");
  }

  @Test
  void equalLiteralsAndIotasAreMerged() {
    Program p = Program.parse("""
        { lambda ; a:i32[50] . let
            b:i32[50] = iota[dtype=i32 shape=(50,) dimension=0]
            c:i32[50] = iota[dtype=i32 shape=(50,) dimension=0]
            d:i32[50] = mul a b
            e:i32[50] = mul a c
            f:i32[50] = add d e
          in (f) }""");
    Program q = optimize(p);
    assertEquals(Map.of("add", 1, "iota", 1, "mul", 1), q.primitiveCounts(), q.toString());
    long[] in = new long[50], expected = new long[50];
    for (int i = 0; i < 50; i++) {
      in[i] = i - 25;
      expected[i] = 2L * (i - 25) * i;
    }
    Exact.sameLongs(expected, sameResults(p, q, Exact.ints(DType.INT32, new int[] {50}, in))[0], "2 a iota");
  }

  // ---- dead code ----

  @Test
  void unusedEquationsAndConstantsAreDropped() {
    Program p = Program.parse("""
        { lambda k:f64[2] l:f64[2] ; a:f64[2] b:f64[2] . let
            c:f64[2] = add a k
            d:f64[2] = mul a l
            e:f64[2] = exp d
            f:f64[2] = tanh a
          in (f) }
        consts
          k = 1.5,2.5
          l = 3.5,4.5
        end""");
    Program q = optimize(p);
    assertEquals(Map.of("tanh", 1), q.primitiveCounts(), q.toText());
    assertTrue(q.constVars().isEmpty(), "unused constants dropped:\n" + q.toText());
    assertEquals(2, q.inVars().size(), "inputs are the signature and stay, even unused");
    sameResults(p, q, f64(0.5, -3), f64(1, 2));
  }

  @Test
  void programWithNothingToDoIsReturnedEqual() {
    Program p = Program.parse("""
        { lambda ; a:f64[2] . let
            b:f64[2] = sin a
            c:f64[2] = mul b a
          in (c b) }""");
    Program q = optimize(p);
    assertEquals(p.toText(), q.toText());
  }

  // ---- the gradient program of sum(tanh(x) * 2) ----

  @Test
  void gradientOfScaledTanhLosesItsMultiplicationByOne() {
    /*
     * Before:
     *   { lambda ; a:f64[3] . let
     *       b:f64[3] = tanh a
     *       c:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 1.0:f64[]
     *       d:f64[3] = mul b b
     *       e:f64[3] = sub c d
     *       f:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 2.0:f64[]
     *       g:f64[3] = mul b f
     *       h:f64[] = reduce_sum[axes=(0,)] g
     *       i:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 1.0:f64[]
     *       j:f64[3] = mul i f
     *       k:f64[3] = mul j e
     *     in (k) }
     * After (the seed multiplication j = 1.0 * f is gone, so is the unused forward value h):
     *   { lambda ; a:f64[3] . let
     *       b:f64[3] = tanh a
     *       c:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 1.0:f64[]
     *       d:f64[3] = mul b b
     *       e:f64[3] = sub c d
     *       f:f64[3] = broadcast_in_dim[shape=(3,) broadcast_dimensions=()] 2.0:f64[]
     *       g:f64[3] = mul f e
     *     in (g) }
     */
    Fn f = a -> Np.sum(Np.multiply(Np.tanh(a[0]), 2.0));
    NDArray x = f64(-0.7, 0.0, 1.3);
    Program p = Arrax.makeJaxpr(Arrax.grad(f), x);
    Program q = optimize(p);
    assertEquals(1, mulsByBroadcastOne(p), "the traced gradient multiplies by a broadcast 1.0:\n" + p);
    assertEquals(0, mulsByBroadcastOne(q), "optimized:\n" + q);
    assertEquals(Map.of("broadcast_in_dim", 3, "mul", 4, "reduce_sum", 1, "sub", 1, "tanh", 1), p.primitiveCounts());
    assertEquals(Map.of("broadcast_in_dim", 2, "mul", 2, "sub", 1, "tanh", 1), q.primitiveCounts(), q.toString());
    NDArray[] r = sameResults(p, q, x);
    double[] expected = new double[3];
    for (int i = 0; i < 3; i++) {
      double t = Math.tanh(x.toDoubleArray()[i]);
      expected[i] = 2 * (1 - t * t);
    }
    Check.close(expected, r[0], 1e-15, 1e-16, "d/dx sum(2 tanh x) = 2 (1 - tanh^2 x)");
  }

  /** Multiplications with an operand that is a broadcast of the literal 1.0. */
  static int mulsByBroadcastOne(Program p) {
    java.util.Set<Var> ones = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    int n = 0;
    for (Eqn e : p.eqns()) {
      if (e.primitive().name().equals("broadcast_in_dim") && e.inputs().get(0) instanceof Literal l && l.value().buffer().getDouble(0) == 1.0) {
        ones.add(e.outputs().get(0));
      }
      if (e.primitive().name().equals("mul") && e.inputs().stream().anyMatch(ones::contains)) n++;
    }
    return n;
  }
}
