package dev.arrax.primitives;

/**
 * Bit-exact float arithmetic of XLA:CPU for the special functions whose results JAX users see in
 * random numbers ({@code jax.random.normal} is {@code sqrt(2) * erf_inv(u)}).
 *
 * <p>XLA expands {@code erf_inv} into M. Giles' polynomial ("Approximating the erfinv function", GPU
 * Computing Gems, 2011) over {@code w = -log1p(-x*x)}, and its CPU backend then lets LLVM contract every
 * product that feeds only an addition into a fused multiply-add ({@code -ffp-contract=fast}). The float32
 * {@code log1p} is XLA's own inlined intrinsic ({@code xla.log1p.f32}: a Cephes-style rational function for
 * {@code |x| < sqrt(2)-1}, else a Cephes {@code logf} of {@code 1+x}); the float64 one calls the C
 * library's {@code log} for {@code |x| >= sqrt(2)-1}, which on x86-64 Linux is glibc's table-driven
 * {@code __log_fma} (ARM optimized-routines algorithm, contracted by GCC). Each operation below is one
 * rounding of the compiled kernel, read from the LLVM IR and machine code that jaxlib 0.10.2 emits on
 * an AVX2+FMA x86-64 host; {@link Math#fma} gives the single rounding of the fused steps. Verified
 * against JAX on all 2^23 float32 inputs that {@code jax.random.normal} can produce and on millions of
 * float64 ones.
 */
public final class XlaCpuMath {
  private XlaCpuMath() {}

  // ---------------------------------------------------------------- float32

  /** {@code erf_inv} on float32 as XLA:CPU computes it. */
  static float erfInv(float x) {
    float l = log1p(x * -x);
    boolean lt = l > -5.0f; // w = -l < 5
    float w = lt ? (-2.5f - l) : ((float) Math.sqrt(-l) + -3.0f);
    float[] c = lt ? ERF_INV_F32_W_LT_5 : ERF_INV_F32_W_GE_5;
    float p = c[0];
    for (int i = 1; i < c.length; i++) p = Math.fma(p, w, c[i]);
    return x * (Math.abs(x) == 1.0f ? Float.POSITIVE_INFINITY : p);
  }

  private static final float[] ERF_INV_F32_W_LT_5 = {
      2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f, 0.00021858087f,
      -0.00125372503f, -0.00417768164f, 0.246640727f, 1.50140941f};
  private static final float[] ERF_INV_F32_W_GE_5 = {
      -0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f, 0.00573950773f,
      -0.0076224613f, 0.00943887047f, 1.00167406f, 2.83297682f};

  /** XLA's {@code xla.log1p.f32}. */
  static float log1p(float x) {
    float big = logF32(x + 1.0f);
    float x2 = x * x;
    float z0 = x * 0.0f; // kept: it makes inf and NaN inputs propagate as in the compiled kernel
    float q = z0 + 1.0f;
    for (float c : LOG1P_F32_Q) q = Math.fma(q, x, c);
    float n = z0 + 4.527e-05f;
    for (float c : LOG1P_F32_P) n = Math.fma(n, x, c);
    float ratio = n / q;
    float w2 = (x * x2) * ratio;
    float small = x + Math.fma(x2, -0.5f, w2);
    return Math.abs(x) < Float.intBitsToFloat(0x3ED413CD) ? small : big;
  }

  private static final float[] LOG1P_F32_Q = {
      Float.intBitsToFloat(0x417101AD), Float.intBitsToFloat(0x42A6185B), Float.intBitsToFloat(0x435DC32D),
      Float.intBitsToFloat(0x439A8CA3), Float.intBitsToFloat(0x43586D8A), Float.intBitsToFloat(0x42707982)};
  private static final float[] LOG1P_F32_P = {
      Float.intBitsToFloat(0x3EFF40C5), Float.intBitsToFloat(0x40D284FA), Float.intBitsToFloat(0x41EF4B9C),
      Float.intBitsToFloat(0x4273CC76), Float.intBitsToFloat(0x426473AD), Float.intBitsToFloat(0x41A05101)};

  /** The Cephes-style {@code logf} that XLA inlines for float32 ({@code log_f32}). */
  static float logF32(float v) {
    float vc = v > Float.MIN_NORMAL ? v : Float.MIN_NORMAL;
    int bits = Float.floatToRawIntBits(vc);
    int e = (bits >>> 23) - 127;
    float m = Float.intBitsToFloat((bits & 0x807FFFFF) | 0x3F000000);
    float ef = (float) e + 1.0f;
    boolean belowSqrtHalf = m < Float.intBitsToFloat(0x3F3504F3);
    float x = (m + -1.0f) + (belowSqrtHalf ? m : 0.0f);
    ef = ef - (belowSqrtHalf ? 1.0f : 0.0f);
    float z = x * x;
    float x3 = z * x;
    float a = Math.fma(Math.fma(x, Float.intBitsToFloat(0x3D9021BB), Float.intBitsToFloat(0xBDEBD1B8)), x, Float.intBitsToFloat(0x3DEF251A));
    float b = Math.fma(Math.fma(x, Float.intBitsToFloat(0xBDFE5D4F), Float.intBitsToFloat(0x3E11E9BF)), x, Float.intBitsToFloat(0xBE2AAE50));
    float c = Math.fma(Math.fma(x, Float.intBitsToFloat(0x3E4CCEAC), Float.intBitsToFloat(0xBE7FFFFC)), x, Float.intBitsToFloat(0x3EAAAAAA));
    float t = Math.fma(Math.fma(a, x3, b), x3, c);
    float y = Math.fma(t, x3, ef * Float.intBitsToFloat(0xB95E8083));
    float s = Math.fma(-z, 0.5f, x);
    float r = Math.fma(ef, Float.intBitsToFloat(0x3F318000), s + y);
    if (v == 0.0f) return Float.NEGATIVE_INFINITY;
    if (v == Float.POSITIVE_INFINITY) return v;
    if (!(v > 0.0f)) return Float.intBitsToFloat(0xFFFFFFFF); // negative or NaN: the kernel's all-ones NaN
    return r;
  }

  // ---------------------------------------------------------------- float64

  /** {@code erf_inv} on float64 as XLA:CPU computes it (Giles' double-precision branches). */
  static double erfInv(double x) {
    double l = log1p(x * -x);
    boolean lt625 = l > -6.25, lt16 = l > -16.0;
    double w = lt625 ? (-3.125 - l) : (Math.sqrt(-l) - (lt16 ? 3.25 : 5.0));
    double p = coefficient(0, lt625, lt16);
    for (int i = 1; i < 17; i++) p = Math.fma(p, w, coefficient(i, lt625, lt16));
    for (int i = 17; i < 19; i++) if (lt16) p = Math.fma(p, w, coefficient(i, lt625, lt16));
    for (int i = 19; i < 23; i++) if (lt625) p = Math.fma(p, w, ERF_INV_F64_W_LT_6_25[i]);
    return x * (Math.abs(x) == 1.0 ? Double.POSITIVE_INFINITY : p);
  }

  private static double coefficient(int i, boolean lt625, boolean lt16) {
    if (lt625) return ERF_INV_F64_W_LT_6_25[i];
    return lt16 || i >= 17 ? ERF_INV_F64_W_LT_16[i] : ERF_INV_F64_W_GE_16[i];
  }

  private static final double[] ERF_INV_F64_W_LT_6_25 = {
      -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
      1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
      6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
      2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
      1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
      4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
      0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
      0.24015818242558961693, 1.6536545626831027356};
  private static final double[] ERF_INV_F64_W_LT_16 = {
      2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
      1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
      2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
      6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
      0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
      -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
      3.0838856104922207635};
  private static final double[] ERF_INV_F64_W_GE_16 = {
      -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
      -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
      2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
      -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
      7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
      1.0103004648645343977, 4.8499064014085844221};

  /** XLA's {@code xla.log1p.f64}. */
  static double log1p(double x) {
    double big = glibcLog(x + 1.0);
    double x2 = x * x;
    double z0 = x * 0.0;
    double q = z0 + 1.0;
    for (double c : LOG1P_F64_Q) q = Math.fma(q, x, c);
    double n = z0 + 0x1.7bc0962b395cap-15;
    for (double c : LOG1P_F64_P) n = Math.fma(n, x, c);
    double ratio = n / q;
    double w2 = (x * x2) * ratio;
    double small = x + Math.fma(x2, -0.5, w2);
    return Math.abs(x) < 0x1.a827999fcef32p-2 ? small : big;
  }

  private static final double[] LOG1P_F64_Q = {
      0x1.e20359e903e37p3, 0x1.4c30b52213498p6, 0x1.bb86590fcfb56p7,
      0x1.351945dc908a5p8, 0x1.b0db13e48e066p7, 0x1.e0f304466448ep5};
  private static final double[] LOG1P_F64_P = {
      0x1.fe818a0fe1a83p-2, 0x1.a509f46f4fa53p2, 0x1.de9738b8cb9c9p4,
      0x1.e798eb86c3351p5, 0x1.c8e7597479a10p5, 0x1.40a202d99830ap4};

  /**
   * glibc's {@code log} (2.28 and later) as its x86-64 FMA variant computes it: x = 2^k z, z near the
   * center c of one of 128 subintervals, log(x) = k ln2 + log(c) + log1p(z/c - 1), with a separate
   * polynomial for x within 1/16 of 1. Its error bound is 0.52 ulp, so about one result in a thousand
   * differs from the correctly rounded logarithm; JAX's float64 results follow this one.
   */
  static double glibcLog(double x) {
    long ix = Double.doubleToRawLongBits(x);
    if (Long.compareUnsigned(ix - 0x3FEE000000000000L, 0x308FFFFFFFFFFL) <= 0) {
      if (ix == 0x3FF0000000000000L) return 0.0;
      double r = x - 1.0;
      double r2 = r * r;
      double r3 = r * r2;
      double[] b = LOG_B;
      double p = Math.fma(r3, b[10], Math.fma(r2, b[9], Math.fma(r, b[8], b[7])));
      p = Math.fma(p, r3, Math.fma(r2, b[6], Math.fma(r, b[5], b[4])));
      p = Math.fma(p, r3, Math.fma(r2, b[3], Math.fma(r, b[2], b[1])));
      double t = Math.fma(r, 0x1p27, r);
      double rhi = Math.fma(-0x1p27, r, t);
      double rlo = r - rhi;
      double rhi2 = rhi * rhi;
      double hi = Math.fma(rhi2, b[0], r);
      double lo = Math.fma(rhi2, b[0], r - hi);
      lo = Math.fma(b[0] * rlo, r + rhi, lo);
      double y = Math.fma(p, r3, lo);
      return hi + y;
    }
    int top = (int) (ix >>> 48);
    if (Integer.compareUnsigned(top - 0x10, 0x7fdf) > 0) {
      if (ix * 2 == 0) return Double.NEGATIVE_INFINITY;
      if (ix == 0x7FF0000000000000L) return x;
      if ((top & 0x8000) != 0 || (top & 0x7ff0) == 0x7ff0) return Double.NaN;
      ix = Double.doubleToRawLongBits(x * 0x1p52) - (52L << 52); // subnormal: normalize
    }
    long tmp = ix - 0x3FE6000000000000L;
    int i = (int) ((tmp >>> 45) & 127);
    int k = (int) (tmp >> 52);
    double z = Double.longBitsToDouble(ix - (tmp & 0xFFF0000000000000L));
    double invc = LOG_TAB[2 * i], logc = LOG_TAB[2 * i + 1];
    double kd = k;
    double w = Math.fma(kd, LN2_HI, logc);
    double r = Math.fma(z, invc, -1.0);
    double hi = r + w;
    double lo = Math.fma(kd, LN2_LO, (w - hi) + r);
    double r2 = r * r;
    double r3 = r * r2;
    double p = Math.fma(Math.fma(r, LOG_A[4], LOG_A[3]), r2, Math.fma(r, LOG_A[2], LOG_A[1]));
    return Math.fma(r3, p, Math.fma(r2, LOG_A[0], lo)) + hi;
  }

  private static final double LN2_HI = 0x1.62e42fefa3800p-1, LN2_LO = 0x1.ef35793c76730p-45;
  private static final double[] LOG_A = {
      -0x1.0000000000001p-1, 0x1.555555551305bp-2, -0x1.fffffffeb459p-3, 0x1.999b324f10111p-3, -0x1.55575e506c89fp-3};
  private static final double[] LOG_B = {
      -0x1p-1, 0x1.5555555555577p-2, -0x1.ffffffffffdcbp-3, 0x1.999999995dd0cp-3, -0x1.55555556745a7p-3,
      0x1.24924a344de3p-3, -0x1.fffffa4423d65p-4, 0x1.c7184282ad6cap-4, -0x1.999eb43b068ffp-4,
      0x1.78182f7afd085p-4, -0x1.5521375d145cdp-4};
  /** invc, logc for each of the 128 subintervals. */
  private static final double[] LOG_TAB = {
      0x1.734f0c3e0de9fp+0, -0x1.7cc7f79e69000p-2,
      0x1.713786a2ce91fp+0, -0x1.76feec20d0000p-2,
      0x1.6f26008fab5a0p+0, -0x1.713e31351e000p-2,
      0x1.6d1a61f138c7dp+0, -0x1.6b85b38287800p-2,
      0x1.6b1490bc5b4d1p+0, -0x1.65d5590807800p-2,
      0x1.69147332f0cbap+0, -0x1.602d076180000p-2,
      0x1.6719f18224223p+0, -0x1.5a8ca86909000p-2,
      0x1.6524f99a51ed9p+0, -0x1.54f4356035000p-2,
      0x1.63356aa8f24c4p+0, -0x1.4f637c36b4000p-2,
      0x1.614b36b9ddc14p+0, -0x1.49da7fda85000p-2,
      0x1.5f66452c65c4cp+0, -0x1.445923989a800p-2,
      0x1.5d867b5912c4fp+0, -0x1.3edf439b0b800p-2,
      0x1.5babccb5b90dep+0, -0x1.396ce448f7000p-2,
      0x1.59d61f2d91a78p+0, -0x1.3401e17bda000p-2,
      0x1.5805612465687p+0, -0x1.2e9e2ef468000p-2,
      0x1.56397cee76bd3p+0, -0x1.2941b3830e000p-2,
      0x1.54725e2a77f93p+0, -0x1.23ec58cda8800p-2,
      0x1.52aff42064583p+0, -0x1.1e9e129279000p-2,
      0x1.50f22dbb2bddfp+0, -0x1.1956d2b48f800p-2,
      0x1.4f38f4734ded7p+0, -0x1.141679ab9f800p-2,
      0x1.4d843cfde2840p+0, -0x1.0edd094ef9800p-2,
      0x1.4bd3ec078a3c8p+0, -0x1.09aa518db1000p-2,
      0x1.4a27fc3e0258ap+0, -0x1.047e65263b800p-2,
      0x1.4880524d48434p+0, -0x1.feb224586f000p-3,
      0x1.46dce1b192d0bp+0, -0x1.f474a7517b000p-3,
      0x1.453d9d3391854p+0, -0x1.ea4443d103000p-3,
      0x1.43a2744b4845ap+0, -0x1.e020d44e9b000p-3,
      0x1.420b54115f8fbp+0, -0x1.d60a22977f000p-3,
      0x1.40782da3ef4b1p+0, -0x1.cc00104959000p-3,
      0x1.3ee8f5d57fe8fp+0, -0x1.c202956891000p-3,
      0x1.3d5d9a00b4ce9p+0, -0x1.b81178d811000p-3,
      0x1.3bd60c010c12bp+0, -0x1.ae2c9ccd3d000p-3,
      0x1.3a5242b75dab8p+0, -0x1.a45402e129000p-3,
      0x1.38d22cd9fd002p+0, -0x1.9a877681df000p-3,
      0x1.3755bc5847a1cp+0, -0x1.90c6d69483000p-3,
      0x1.35dce49ad36e2p+0, -0x1.87120a645c000p-3,
      0x1.34679984dd440p+0, -0x1.7d68fb4143000p-3,
      0x1.32f5cceffcb24p+0, -0x1.73cb83c627000p-3,
      0x1.3187775a10d49p+0, -0x1.6a39a9b376000p-3,
      0x1.301c8373e3990p+0, -0x1.60b3154b7a000p-3,
      0x1.2eb4ebb95f841p+0, -0x1.5737d76243000p-3,
      0x1.2d50a0219a9d1p+0, -0x1.4dc7b8fc23000p-3,
      0x1.2bef9a8b7fd2ap+0, -0x1.4462c51d20000p-3,
      0x1.2a91c7a0c1babp+0, -0x1.3b08abc830000p-3,
      0x1.293726014b530p+0, -0x1.31b996b490000p-3,
      0x1.27dfa5757a1f5p+0, -0x1.2875490a44000p-3,
      0x1.268b39b1d3bbfp+0, -0x1.1f3b9f879a000p-3,
      0x1.2539d838ff5bdp+0, -0x1.160c8252ca000p-3,
      0x1.23eb7aac9083bp+0, -0x1.0ce7f57f72000p-3,
      0x1.22a012ba940b6p+0, -0x1.03cdc49fea000p-3,
      0x1.2157996cc4132p+0, -0x1.f57bdbc4b8000p-4,
      0x1.201201dd2fc9bp+0, -0x1.e370896404000p-4,
      0x1.1ecf4494d480bp+0, -0x1.d17983ef94000p-4,
      0x1.1d8f5528f6569p+0, -0x1.bf9674ed8a000p-4,
      0x1.1c52311577e7cp+0, -0x1.adc79202f6000p-4,
      0x1.1b17c74cb26e9p+0, -0x1.9c0c3e7288000p-4,
      0x1.19e010c2c1ab6p+0, -0x1.8a646b372c000p-4,
      0x1.18ab07bb670bdp+0, -0x1.78d01b3ac0000p-4,
      0x1.1778a25efbcb6p+0, -0x1.674f145380000p-4,
      0x1.1648d354c31dap+0, -0x1.55e0e6d878000p-4,
      0x1.151b990275fddp+0, -0x1.4485cdea1e000p-4,
      0x1.13f0ea432d24cp+0, -0x1.333d94d6aa000p-4,
      0x1.12c8b7210f9dap+0, -0x1.22079f8c56000p-4,
      0x1.11a3028ecb531p+0, -0x1.10e4698622000p-4,
      0x1.107fbda8434afp+0, -0x1.ffa6c6ad20000p-5,
      0x1.0f5ee0f4e6bb3p+0, -0x1.dda8d4a774000p-5,
      0x1.0e4065d2a9fcep+0, -0x1.bbcece4850000p-5,
      0x1.0d244632ca521p+0, -0x1.9a1894012c000p-5,
      0x1.0c0a77ce2981ap+0, -0x1.788583302c000p-5,
      0x1.0af2f83c636d1p+0, -0x1.5715e67d68000p-5,
      0x1.09ddb98a01339p+0, -0x1.35c8a49658000p-5,
      0x1.08cabaf52e7dfp+0, -0x1.149e364154000p-5,
      0x1.07b9f2f4e28fbp+0, -0x1.e72c082eb8000p-6,
      0x1.06ab58c358f19p+0, -0x1.a55f152528000p-6,
      0x1.059eea5ecf92cp+0, -0x1.63d62cf818000p-6,
      0x1.04949cdd12c90p+0, -0x1.228fb8caa0000p-6,
      0x1.038c6c6f0ada9p+0, -0x1.c317b20f90000p-7,
      0x1.02865137932a9p+0, -0x1.419355daa0000p-7,
      0x1.0182427ea7348p+0, -0x1.81203c2ec0000p-8,
      0x1.008040614b195p+0, -0x1.0040979240000p-9,
      0x1.fe01ff726fa1ap-1, 0x1.feff384900000p-9,
      0x1.fa11cc261ea74p-1, 0x1.7dc41353d0000p-7,
      0x1.f6310b081992ep-1, 0x1.3cea3c4c28000p-6,
      0x1.f25f63ceeadcdp-1, 0x1.b9fc114890000p-6,
      0x1.ee9c8039113e7p-1, 0x1.1b0d8ce110000p-5,
      0x1.eae8078cbb1abp-1, 0x1.58a5bd001c000p-5,
      0x1.e741aa29d0c9bp-1, 0x1.95c8340d88000p-5,
      0x1.e3a91830a99b5p-1, 0x1.d276aef578000p-5,
      0x1.e01e009609a56p-1, 0x1.07598e598c000p-4,
      0x1.dca01e577bb98p-1, 0x1.253f5e30d2000p-4,
      0x1.d92f20b7c9103p-1, 0x1.42edd8b380000p-4,
      0x1.d5cac66fb5ccep-1, 0x1.606598757c000p-4,
      0x1.d272caa5ede9dp-1, 0x1.7da76356a0000p-4,
      0x1.cf26e3e6b2ccdp-1, 0x1.9ab434e1c6000p-4,
      0x1.cbe6da2a77902p-1, 0x1.b78c7bb0d6000p-4,
      0x1.c8b266d37086dp-1, 0x1.d431332e72000p-4,
      0x1.c5894bd5d5804p-1, 0x1.f0a3171de6000p-4,
      0x1.c26b533bb9f8cp-1, 0x1.067152b914000p-3,
      0x1.bf583eeece73fp-1, 0x1.147858292b000p-3,
      0x1.bc4fd75db96c1p-1, 0x1.2266ecdca3000p-3,
      0x1.b951e0c864a28p-1, 0x1.303d7a6c55000p-3,
      0x1.b65e2c5ef3e2cp-1, 0x1.3dfc33c331000p-3,
      0x1.b374867c9888bp-1, 0x1.4ba366b7a8000p-3,
      0x1.b094b211d304ap-1, 0x1.5933928d1f000p-3,
      0x1.adbe885f2ef7ep-1, 0x1.66acd2418f000p-3,
      0x1.aaf1d31603da2p-1, 0x1.740f8ec669000p-3,
      0x1.a82e63fd358a7p-1, 0x1.815c0f51af000p-3,
      0x1.a5740ef09738bp-1, 0x1.8e92954f68000p-3,
      0x1.a2c2a90ab4b27p-1, 0x1.9bb3602f84000p-3,
      0x1.a01a01393f2d1p-1, 0x1.a8bed1c2c0000p-3,
      0x1.9d79f24db3c1bp-1, 0x1.b5b515c01d000p-3,
      0x1.9ae2505c7b190p-1, 0x1.c2967ccbcc000p-3,
      0x1.9852ef297ce2fp-1, 0x1.cf635d5486000p-3,
      0x1.95cbaeea44b75p-1, 0x1.dc1bd3446c000p-3,
      0x1.934c69de74838p-1, 0x1.e8c01b8cfe000p-3,
      0x1.90d4f2f6752e6p-1, 0x1.f5509c0179000p-3,
      0x1.8e6528effd79dp-1, 0x1.00e6c121fb800p-2,
      0x1.8bfce9fcc007cp-1, 0x1.071b80e93d000p-2,
      0x1.899c0dabec30ep-1, 0x1.0d46b9e867000p-2,
      0x1.87427aa2317fbp-1, 0x1.13687334bd000p-2,
      0x1.84f00acb39a08p-1, 0x1.1980d67234800p-2,
      0x1.82a49e8653e55p-1, 0x1.1f8ffe0cc8000p-2,
      0x1.8060195f40260p-1, 0x1.2595fd7636800p-2,
      0x1.7e22563e0a329p-1, 0x1.2b9300914a800p-2,
      0x1.7beb377dcb5adp-1, 0x1.3187210436000p-2,
      0x1.79baa679725c2p-1, 0x1.377266dec1800p-2,
      0x1.77907f2170657p-1, 0x1.3d54ffbaf3000p-2,
      0x1.756cadbd6130cp-1, 0x1.432eee32fe000p-2,
  };
}
