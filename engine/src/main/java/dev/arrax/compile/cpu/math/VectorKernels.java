package dev.arrax.compile.cpu.math;

import static dev.arrax.compile.cpu.math.ScalarMath.*;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link VectorMath}: lane for lane the operations of {@link ScalarMath}.
 * Only {@link VectorMath} touches this class, and only when {@code jdk.incubator.vector} is in the
 * boot layer, so that nothing here is loaded (or verified) on a JVM without the module.
 *
 * <p>The per-vector methods take any float species (constants are broadcast with
 * {@code x.broadcast}); they are kept small in bytecode so that C2 inlines them into a caller's loop,
 * where the vectors stay in registers instead of being boxed.
 */
final class VectorKernels {
  private VectorKernels() {}

  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  // ---- per-vector functions ----

  static FloatVector exp(FloatVector x) {
    x = x.blend(EXP_HI, x.compare(GT, EXP_HI));
    x = x.blend(EXP_LO, x.compare(LT, EXP_LO));
    FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = t.sub(ROUND_MAGIC);
    IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
    r = n.fma(x.broadcast(-LN2_LO), r);
    FloatVector y = expm1Reduced(r).add(1f);
    IntVector n1 = ni.lanewise(ASHR, 1);
    return y.mul(pow2(n1)).mul(pow2(ni.sub(n1)));
  }

  static FloatVector expm1(FloatVector x) {
    x = x.blend(EXP_HI, x.compare(GT, EXP_HI));
    x = x.blend(EXPM1_LO, x.compare(LT, EXPM1_LO));
    FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = t.sub(ROUND_MAGIC);
    IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
    r = n.fma(x.broadcast(-LN2_LO), r);
    FloatVector p = expm1Reduced(r);
    FloatVector s = pow2(ni.sub(1));
    FloatVector big = s.fma(p, s.sub(0.5f)).mul(2f);
    return big.blend(p, ni.compare(EQ, 0).cast(x.species())).blend(x, x.compare(EQ, 0f));
  }

  static FloatVector expNormalRange(FloatVector x) {
    FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = t.sub(ROUND_MAGIC);
    IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
    r = n.fma(x.broadcast(-LN2_LO), r);
    return expm1Reduced(r).add(1f).mul(pow2(ni));
  }

  private static FloatVector expm1Reduced(FloatVector r) {
    FloatVector q = r.fma(EXP_Q0, EXP_Q1);
    q = q.fma(r, r.broadcast(EXP_Q2));
    q = q.fma(r, r.broadcast(EXP_Q3));
    q = q.fma(r, r.broadcast(EXP_Q4));
    q = q.fma(r, r.broadcast(EXP_Q5));
    return r.mul(r).fma(q, r);
  }

  private static FloatVector pow2(IntVector n) {
    return n.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
  }

  static FloatVector logistic(FloatVector x) {
    FloatVector e = exp(x.abs().neg());
    FloatVector num = x.broadcast(1f).blend(e, x.compare(LT, 0f));
    return num.div(e.add(1f));
  }

  static FloatVector tanh(FloatVector x) {
    FloatVector c = x.blend(TANH_CLAMP, x.compare(GT, TANH_CLAMP));
    c = c.blend(-TANH_CLAMP, c.compare(LT, -TANH_CLAMP));
    FloatVector x2 = c.mul(c);
    FloatVector p = x2.fma(TANH_A13, TANH_A11);
    p = x2.fma(p, x.broadcast(TANH_A9));
    p = x2.fma(p, x.broadcast(TANH_A7));
    p = x2.fma(p, x.broadcast(TANH_A5));
    p = x2.fma(p, x.broadcast(TANH_A3));
    p = x2.fma(p, x.broadcast(TANH_A1));
    p = c.mul(p);
    FloatVector q = x2.fma(TANH_B6, TANH_B4);
    q = x2.fma(q, x.broadcast(TANH_B2));
    q = x2.fma(q, x.broadcast(TANH_B0));
    return p.div(q).blend(x, x.abs().compare(LT, TANH_TINY));
  }

  static FloatVector log(FloatVector x) {
    VectorMask<Float> sub = x.compare(LT, MIN_NORMAL);
    FloatVector xs = x.blend(x.mul(TWO_23), sub);
    IntVector bits = xs.reinterpretAsInts();
    // the biased exponent as a float without a conversion: 2^23 + E read from the bits, minus 2^23
    FloatVector fe = bits.lanewise(LSHR, 23).or(0x4B000000).reinterpretAsFloats()
        .sub(TWO_23 + 126f);
    fe = fe.blend(fe.sub(23f), sub);
    FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
    VectorMask<Float> lo = m.compare(LT, SQRT_HALF);
    fe = fe.blend(fe.sub(1f), lo);
    FloatVector z = m.blend(m.add(m), lo).sub(1f);
    return logTail(x, z, fe);
  }

  private static FloatVector logTail(FloatVector x, FloatVector z, FloatVector fe) {
    FloatVector z2 = z.mul(z);
    FloatVector p = z.fma(LOG_P0, LOG_P1);
    p = p.fma(z, z.broadcast(LOG_P2));
    p = p.fma(z, z.broadcast(LOG_P3));
    p = p.fma(z, z.broadcast(LOG_P4));
    p = p.fma(z, z.broadcast(LOG_P5));
    p = p.fma(z, z.broadcast(LOG_P6));
    p = p.fma(z, z.broadcast(LOG_P7));
    p = p.fma(z, z.broadcast(LOG_P8));
    FloatVector y = p.mul(z2).mul(z);
    y = fe.fma(z.broadcast(LN2_LO), y);
    y = z2.fma(z.broadcast(-0.5f), y);
    FloatVector r = z.add(y);
    r = fe.fma(z.broadcast(LN2_HI), r);
    r = r.blend(x, x.compare(LT, Float.POSITIVE_INFINITY).not());
    r = r.blend(Float.NaN, x.compare(LT, 0f));
    return r.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f));
  }

  static FloatVector log1p(FloatVector x) {
    FloatVector u = x.add(1f);
    FloatVector y = x.mul(log(u).div(u.sub(1f)));
    y = y.blend(u, u.compare(EQ, Float.POSITIVE_INFINITY));
    return y.blend(x, u.compare(EQ, 1f));
  }

  static FloatVector erf(FloatVector x) {
    FloatVector a = x.abs();
    a = a.blend(ERF_CLAMP, a.compare(GT, ERF_CLAMP));
    FloatVector a2 = a.mul(a);
    FloatVector t = a2.fma(ERF_T0, ERF_T1);
    t = t.fma(a2, a.broadcast(ERF_T2));
    t = t.fma(a2, a.broadcast(ERF_T3));
    t = t.fma(a2, a.broadcast(ERF_T4));
    t = t.fma(a2, a.broadcast(ERF_T5));
    t = t.fma(a2, a.broadcast(ERF_T6));
    FloatVector small = a.fma(t, a);
    FloatVector big = erfTail(a, a2);
    FloatVector y = big.blend(small, a.compare(LT, ERF_SPLIT));
    return y.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
  }

  private static FloatVector erfTail(FloatVector a, FloatVector a2) {
    FloatVector e = expNormalRange(a2.neg());
    FloatVector g = a.fma(ERF_G0, ERF_G1);
    g = g.fma(a, a.broadcast(ERF_G2));
    g = g.fma(a, a.broadcast(ERF_G3));
    g = g.fma(a, a.broadcast(ERF_G4));
    g = g.fma(a, a.broadcast(ERF_G5));
    g = g.fma(a, a.broadcast(ERF_G6));
    g = g.fma(a, a.broadcast(ERF_G7));
    return e.neg().fma(g, a.broadcast(1f));
  }

  static FloatVector sin(FloatVector x) {
    FloatVector ax = x.abs();
    FloatVector t = ax.fma(TWO_OVER_PI, ROUND_MAGIC);
    IntVector ji = t.reinterpretAsInts();
    FloatVector r = reduce(ax, t.sub(ROUND_MAGIC));
    FloatVector y = sinPoly(r).blend(cosPoly(r), ji.and(1).compare(NE, 0).cast(x.species()));
    IntVector sign = ji.lanewise(LSHL, 30).lanewise(XOR, x.reinterpretAsInts()).and(0x80000000);
    y = y.reinterpretAsInts().lanewise(XOR, sign).reinterpretAsFloats();
    VectorMask<Float> huge = ax.compare(GT, SIN_HUGE);
    return huge.anyTrue() ? hugeLanes(x, y, huge, true) : y;
  }

  static FloatVector cos(FloatVector x) {
    FloatVector ax = x.abs();
    FloatVector t = ax.fma(TWO_OVER_PI, ROUND_MAGIC);
    IntVector ji = t.reinterpretAsInts();
    FloatVector r = reduce(ax, t.sub(ROUND_MAGIC));
    FloatVector y = cosPoly(r).blend(sinPoly(r), ji.and(1).compare(NE, 0).cast(x.species()));
    IntVector sign = ji.add(1).lanewise(LSHL, 30).and(0x80000000);
    y = y.reinterpretAsInts().lanewise(XOR, sign).reinterpretAsFloats();
    VectorMask<Float> huge = ax.compare(GT, COS_HUGE);
    return huge.anyTrue() ? hugeLanes(x, y, huge, false) : y;
  }

  private static FloatVector reduce(FloatVector ax, FloatVector j) {
    FloatVector r = j.fma(ax.broadcast(-PIO2_1), ax);
    r = j.fma(ax.broadcast(-PIO2_2), r);
    return j.fma(ax.broadcast(-PIO2_3), r);
  }

  private static FloatVector sinPoly(FloatVector r) {
    FloatVector r2 = r.mul(r);
    FloatVector s = r2.fma(SIN_S0, SIN_S1);
    s = s.fma(r2, r.broadcast(SIN_S2));
    return s.mul(r2).fma(r, r);
  }

  private static FloatVector cosPoly(FloatVector r) {
    FloatVector r2 = r.mul(r);
    FloatVector c = r2.fma(COS_C0, COS_C1);
    c = c.fma(r2, r.broadcast(COS_C2));
    c = c.fma(r2, r.broadcast(-0.5f));
    return c.fma(r2, r.broadcast(1f));
  }

  /** Rare path: lanes beyond the three-float reduction, done by ScalarMath (Math.sin/cos). */
  private static FloatVector hugeLanes(FloatVector x, FloatVector y, VectorMask<Float> huge,
      boolean sine) {
    float[] xs = x.toArray();
    float[] ys = y.toArray();
    for (int i = 0; i < xs.length; i++) {
      if (huge.laneIsSet(i)) ys[i] = sine ? ScalarMath.sin(xs[i]) : ScalarMath.cos(xs[i]);
    }
    return FloatVector.fromArray(x.species(), ys, 0);
  }

  // ---- one vector between arrays, for generated kernels ----
  // Each reads one vector at in[i], writes the function at out[o], and calls nothing but the Vector API
  // (whose methods are all force-inlined): the bodies above with their helpers written out. A generated
  // kernel calls these with arrays, never with vectors, so when C2 stops inlining into a large kernel
  // (NodeCountInliningCutoff) the call stays a plain call on arrays; a per-vector method left out of line
  // would receive its vector boxed, of a class C2 no longer knows, and run the Vector API's Java fallbacks.
  // Lane for lane the same operations as the per-vector methods (VectorMathTest checks the bits).

  static void expLanes(float[] in, int i, float[] out, int o) {
    FloatVector x = FloatVector.fromArray(SPECIES, in, i);
    x = x.blend(EXP_HI, x.compare(GT, EXP_HI));
    x = x.blend(EXP_LO, x.compare(LT, EXP_LO));
    FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = t.sub(ROUND_MAGIC);
    IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
    r = n.fma(x.broadcast(-LN2_LO), r);
    FloatVector q = r.fma(EXP_Q0, EXP_Q1);
    q = q.fma(r, r.broadcast(EXP_Q2));
    q = q.fma(r, r.broadcast(EXP_Q3));
    q = q.fma(r, r.broadcast(EXP_Q4));
    q = q.fma(r, r.broadcast(EXP_Q5));
    FloatVector y = r.mul(r).fma(q, r).add(1f);
    IntVector n1 = ni.lanewise(ASHR, 1);
    y.mul(n1.add(127).lanewise(LSHL, 23).reinterpretAsFloats()).mul(ni.sub(n1).add(127).lanewise(LSHL, 23).reinterpretAsFloats())
        .intoArray(out, o);
  }

  static void expm1Lanes(float[] in, int i, float[] out, int o) {
    FloatVector x = FloatVector.fromArray(SPECIES, in, i);
    x = x.blend(EXP_HI, x.compare(GT, EXP_HI));
    x = x.blend(EXPM1_LO, x.compare(LT, EXPM1_LO));
    FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = t.sub(ROUND_MAGIC);
    IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
    r = n.fma(x.broadcast(-LN2_LO), r);
    FloatVector q = r.fma(EXP_Q0, EXP_Q1);
    q = q.fma(r, r.broadcast(EXP_Q2));
    q = q.fma(r, r.broadcast(EXP_Q3));
    q = q.fma(r, r.broadcast(EXP_Q4));
    q = q.fma(r, r.broadcast(EXP_Q5));
    FloatVector p = r.mul(r).fma(q, r);
    FloatVector s = ni.sub(1).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
    FloatVector big = s.fma(p, s.sub(0.5f)).mul(2f);
    big.blend(p, ni.compare(EQ, 0).cast(x.species())).blend(x, x.compare(EQ, 0f)).intoArray(out, o);
  }

  static void logLanes(float[] in, int i, float[] out, int o) {
    FloatVector x = FloatVector.fromArray(SPECIES, in, i);
    VectorMask<Float> sub = x.compare(LT, MIN_NORMAL);
    FloatVector xs = x.blend(x.mul(TWO_23), sub);
    IntVector bits = xs.reinterpretAsInts();
    FloatVector fe = bits.lanewise(LSHR, 23).or(0x4B000000).reinterpretAsFloats().sub(TWO_23 + 126f);
    fe = fe.blend(fe.sub(23f), sub);
    FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
    VectorMask<Float> lo = m.compare(LT, SQRT_HALF);
    fe = fe.blend(fe.sub(1f), lo);
    FloatVector z = m.blend(m.add(m), lo).sub(1f);
    FloatVector z2 = z.mul(z);
    FloatVector p = z.fma(LOG_P0, LOG_P1);
    p = p.fma(z, z.broadcast(LOG_P2));
    p = p.fma(z, z.broadcast(LOG_P3));
    p = p.fma(z, z.broadcast(LOG_P4));
    p = p.fma(z, z.broadcast(LOG_P5));
    p = p.fma(z, z.broadcast(LOG_P6));
    p = p.fma(z, z.broadcast(LOG_P7));
    p = p.fma(z, z.broadcast(LOG_P8));
    FloatVector y = p.mul(z2).mul(z);
    y = fe.fma(z.broadcast(LN2_LO), y);
    y = z2.fma(z.broadcast(-0.5f), y);
    FloatVector r = z.add(y);
    r = fe.fma(z.broadcast(LN2_HI), r);
    r = r.blend(x, x.compare(LT, Float.POSITIVE_INFINITY).not());
    r = r.blend(Float.NaN, x.compare(LT, 0f));
    r.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f)).intoArray(out, o);
  }

  static void log1pLanes(float[] in, int i, float[] out, int o) {
    FloatVector x1 = FloatVector.fromArray(SPECIES, in, i);
    FloatVector x = x1.add(1f); // log(u), u = 1 + x1, written out
    VectorMask<Float> sub = x.compare(LT, MIN_NORMAL);
    FloatVector xs = x.blend(x.mul(TWO_23), sub);
    IntVector bits = xs.reinterpretAsInts();
    FloatVector fe = bits.lanewise(LSHR, 23).or(0x4B000000).reinterpretAsFloats().sub(TWO_23 + 126f);
    fe = fe.blend(fe.sub(23f), sub);
    FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
    VectorMask<Float> lo = m.compare(LT, SQRT_HALF);
    fe = fe.blend(fe.sub(1f), lo);
    FloatVector z = m.blend(m.add(m), lo).sub(1f);
    FloatVector z2 = z.mul(z);
    FloatVector p = z.fma(LOG_P0, LOG_P1);
    p = p.fma(z, z.broadcast(LOG_P2));
    p = p.fma(z, z.broadcast(LOG_P3));
    p = p.fma(z, z.broadcast(LOG_P4));
    p = p.fma(z, z.broadcast(LOG_P5));
    p = p.fma(z, z.broadcast(LOG_P6));
    p = p.fma(z, z.broadcast(LOG_P7));
    p = p.fma(z, z.broadcast(LOG_P8));
    FloatVector y = p.mul(z2).mul(z);
    y = fe.fma(z.broadcast(LN2_LO), y);
    y = z2.fma(z.broadcast(-0.5f), y);
    FloatVector r = z.add(y);
    r = fe.fma(z.broadcast(LN2_HI), r);
    r = r.blend(x, x.compare(LT, Float.POSITIVE_INFINITY).not());
    r = r.blend(Float.NaN, x.compare(LT, 0f));
    r = r.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f));
    FloatVector v = x1.mul(r.div(x.sub(1f)));
    v = v.blend(x, x.compare(EQ, Float.POSITIVE_INFINITY));
    v.blend(x1, x.compare(EQ, 1f)).intoArray(out, o);
  }

  static void tanhLanes(float[] in, int i, float[] out, int o) {
    FloatVector x = FloatVector.fromArray(SPECIES, in, i);
    FloatVector c = x.blend(TANH_CLAMP, x.compare(GT, TANH_CLAMP));
    c = c.blend(-TANH_CLAMP, c.compare(LT, -TANH_CLAMP));
    FloatVector x2 = c.mul(c);
    FloatVector p = x2.fma(TANH_A13, TANH_A11);
    p = x2.fma(p, x.broadcast(TANH_A9));
    p = x2.fma(p, x.broadcast(TANH_A7));
    p = x2.fma(p, x.broadcast(TANH_A5));
    p = x2.fma(p, x.broadcast(TANH_A3));
    p = x2.fma(p, x.broadcast(TANH_A1));
    p = c.mul(p);
    FloatVector q = x2.fma(TANH_B6, TANH_B4);
    q = x2.fma(q, x.broadcast(TANH_B2));
    q = x2.fma(q, x.broadcast(TANH_B0));
    p.div(q).blend(x, x.abs().compare(LT, TANH_TINY)).intoArray(out, o);
  }

  static void logisticLanes(float[] in, int i, float[] out, int o) {
    FloatVector x0 = FloatVector.fromArray(SPECIES, in, i);
    FloatVector x = x0.abs().neg(); // e = exp(-|x0|), written out
    x = x.blend(EXP_HI, x.compare(GT, EXP_HI));
    x = x.blend(EXP_LO, x.compare(LT, EXP_LO));
    FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = t.sub(ROUND_MAGIC);
    IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
    r = n.fma(x.broadcast(-LN2_LO), r);
    FloatVector q = r.fma(EXP_Q0, EXP_Q1);
    q = q.fma(r, r.broadcast(EXP_Q2));
    q = q.fma(r, r.broadcast(EXP_Q3));
    q = q.fma(r, r.broadcast(EXP_Q4));
    q = q.fma(r, r.broadcast(EXP_Q5));
    FloatVector y = r.mul(r).fma(q, r).add(1f);
    IntVector n1 = ni.lanewise(ASHR, 1);
    FloatVector e = y.mul(n1.add(127).lanewise(LSHL, 23).reinterpretAsFloats()).mul(ni.sub(n1).add(127).lanewise(LSHL, 23).reinterpretAsFloats());
    FloatVector num = x0.broadcast(1f).blend(e, x0.compare(LT, 0f));
    num.div(e.add(1f)).intoArray(out, o);
  }

  static void erfLanes(float[] in, int i, float[] out, int o) {
    FloatVector x = FloatVector.fromArray(SPECIES, in, i);
    FloatVector a = x.abs();
    a = a.blend(ERF_CLAMP, a.compare(GT, ERF_CLAMP));
    FloatVector a2 = a.mul(a);
    FloatVector t = a2.fma(ERF_T0, ERF_T1);
    t = t.fma(a2, a.broadcast(ERF_T2));
    t = t.fma(a2, a.broadcast(ERF_T3));
    t = t.fma(a2, a.broadcast(ERF_T4));
    t = t.fma(a2, a.broadcast(ERF_T5));
    t = t.fma(a2, a.broadcast(ERF_T6));
    FloatVector small = a.fma(t, a);
    FloatVector xe = a2.neg(); // e = expNormalRange(-a^2), written out
    FloatVector te = xe.fma(LOG2E, ROUND_MAGIC);
    FloatVector n = te.sub(ROUND_MAGIC);
    IntVector ni = te.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
    FloatVector r = n.fma(xe.broadcast(-LN2_HI), xe);
    r = n.fma(xe.broadcast(-LN2_LO), r);
    FloatVector q = r.fma(EXP_Q0, EXP_Q1);
    q = q.fma(r, r.broadcast(EXP_Q2));
    q = q.fma(r, r.broadcast(EXP_Q3));
    q = q.fma(r, r.broadcast(EXP_Q4));
    q = q.fma(r, r.broadcast(EXP_Q5));
    FloatVector e = r.mul(r).fma(q, r).add(1f).mul(ni.add(127).lanewise(LSHL, 23).reinterpretAsFloats());
    FloatVector g = a.fma(ERF_G0, ERF_G1);
    g = g.fma(a, a.broadcast(ERF_G2));
    g = g.fma(a, a.broadcast(ERF_G3));
    g = g.fma(a, a.broadcast(ERF_G4));
    g = g.fma(a, a.broadcast(ERF_G5));
    g = g.fma(a, a.broadcast(ERF_G6));
    g = g.fma(a, a.broadcast(ERF_G7));
    FloatVector big = e.neg().fma(g, a.broadcast(1f));
    FloatVector y = big.blend(small, a.compare(LT, ERF_SPLIT));
    y.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats().intoArray(out, o);
  }

  static void sinLanes(float[] in, int i, float[] out, int o) {
    sinCosLanes(in, i, out, o, true);
  }

  static void cosLanes(float[] in, int i, float[] out, int o) {
    sinCosLanes(in, i, out, o, false);
  }

  private static void sinCosLanes(float[] in, int i, float[] out, int o, boolean sine) {
    FloatVector x = FloatVector.fromArray(SPECIES, in, i);
    FloatVector ax = x.abs();
    FloatVector t = ax.fma(TWO_OVER_PI, ROUND_MAGIC);
    IntVector ji = t.reinterpretAsInts();
    FloatVector j = t.sub(ROUND_MAGIC);
    FloatVector r = j.fma(ax.broadcast(-PIO2_1), ax);
    r = j.fma(ax.broadcast(-PIO2_2), r);
    r = j.fma(ax.broadcast(-PIO2_3), r);
    FloatVector r2 = r.mul(r);
    FloatVector sp = r2.fma(SIN_S0, SIN_S1);
    sp = sp.fma(r2, r.broadcast(SIN_S2));
    sp = sp.mul(r2).fma(r, r);
    FloatVector cp = r2.fma(COS_C0, COS_C1);
    cp = cp.fma(r2, r.broadcast(COS_C2));
    cp = cp.fma(r2, r.broadcast(-0.5f));
    cp = cp.fma(r2, r.broadcast(1f));
    VectorMask<Float> odd = ji.and(1).compare(NE, 0).cast(x.species());
    FloatVector y;
    IntVector sign;
    VectorMask<Float> huge;
    if (sine) {
      y = sp.blend(cp, odd);
      sign = ji.lanewise(LSHL, 30).lanewise(XOR, x.reinterpretAsInts()).and(0x80000000);
      huge = ax.compare(GT, SIN_HUGE);
    } else {
      y = cp.blend(sp, odd);
      sign = ji.add(1).lanewise(LSHL, 30).and(0x80000000);
      huge = ax.compare(GT, COS_HUGE);
    }
    y = y.reinterpretAsInts().lanewise(XOR, sign).reinterpretAsFloats();
    if (!huge.anyTrue()) {
      y.intoArray(out, o);
      return;
    }
    // rare: lanes beyond the three-float reduction, one at a time (in and out may be the same array)
    float[] xs = x.toArray();
    y.intoArray(out, o);
    for (int l = 0; l < LANES; l++) {
      if (huge.laneIsSet(l)) out[o + l] = sine ? ScalarMath.sin(xs[l]) : ScalarMath.cos(xs[l]);
    }
  }

  // ---- array loops: whole vectors, then the scalar twin for the tail ----

  static void exp(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      exp(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.exp(in[inOff + i]);
  }

  static void expm1(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      expm1(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.expm1(in[inOff + i]);
  }

  static void log(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      log(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.log(in[inOff + i]);
  }

  static void log1p(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      log1p(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.log1p(in[inOff + i]);
  }

  static void tanh(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      tanh(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.tanh(in[inOff + i]);
  }

  static void logistic(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      logistic(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.logistic(in[inOff + i]);
  }

  static void erf(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      erf(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.erf(in[inOff + i]);
  }

  static void sin(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      sin(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.sin(in[inOff + i]);
  }

  static void cos(float[] in, int inOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
      cos(FloatVector.fromArray(SPECIES, in, inOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) out[outOff + i] = ScalarMath.cos(in[inOff + i]);
  }
}
