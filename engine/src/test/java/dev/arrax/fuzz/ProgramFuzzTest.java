package dev.arrax.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.testing.ProgramCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The program fuzzer: random well-typed programs ({@link ProgramGenerator}: random compositions of Np/Nn/Lax over
 * random shapes, with 0-d, size-1 and size-0 axes, and dtypes) checked four ways:
 * <ol>
 *   <li>{@code jit}: the reference interpreter (eager evaluation) against {@link Arrax#jit} on the CPU, NaN and
 *       infinities placed at random in the inputs, which must propagate the same way; rtol 1e-5 (f32) / 1e-12 (f64)
 *       of the value plus the same of the largest intermediate magnitude (the fast-math kernels are within a few ulps,
 *       and sums run in another order), integers and bools exact;</li>
 *   <li>derivatives (tame float64 programs): JVP against central finite differences (h = 1e-6, skipped where h = 1e-6
 *       and 1e-5 disagree: a kink or a jump), VJP against JVP by the dot-product test
 *       {@code <vjp(u), v> == <u, jvp(v)>}; reverse mode through a while loop must be a clear error;</li>
 *   <li>{@code vmap} with random in-axes (some unmapped, batch sizes 0 to 3) against a Java loop over the rows;</li>
 *   <li>{@code Program.parse(p.toText())} gives the same text, and both programs the eager result bit for bit.</li>
 * </ol>
 * Program {@code k} uses seed {@code arrax.fuzz.seed + k}; a failure prints that seed, the one command that
 * reproduces it, the program text and the inputs' types. A long run:
 * {@code mvn -o -pl engine test -Dtest=ProgramFuzzTest -Darrax.fuzz.programs=100000 -Darrax.fuzz.seed=1}.
 */
class ProgramFuzzTest {
  static final long SEED = Long.getLong("arrax.fuzz.seed", 20261130L);
  static final int PROGRAMS = Integer.getInteger("arrax.fuzz.programs", 300);

  private final Map<String, Integer> checks = new TreeMap<>();
  private final Map<String, Integer> failureKinds = new TreeMap<>();
  private final Map<String, Integer> ops = new TreeMap<>();
  private final Map<String, Integer> rejected = new TreeMap<>();
  private final List<String> reports = new ArrayList<>();
  private final List<String> failedSeeds = new ArrayList<>();

  @Test
  void randomProgramsAgreeAcrossInterpreterJitDerivativesVmapAndText() {
    long t0 = System.nanoTime();
    int failed = 0;
    for (int k = 0; k < PROGRAMS; k++) {
      if (!runOne(SEED + k)) failed++;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    StringBuilder cs = new StringBuilder();
    checks.forEach((key, n) -> cs.append(cs.length() > 0 ? "," : "").append(key).append('=').append(n));
    System.out.printf("FUZZ programs=%d failures=%d checks=%s seconds=%.1f seed=%d%n", PROGRAMS, failed, cs, secs, SEED);
    System.out.println("FUZZ ops " + ops);
    if (!rejected.isEmpty()) System.out.println("FUZZ generator rejections " + rejected);
    if (!failureKinds.isEmpty()) System.out.println("FUZZ failure kinds " + failureKinds + " seeds " + failedSeeds);
    assertTrue(failed == 0, failed + " of " + PROGRAMS + " programs failed " + failureKinds + "; first:\n" + String.join("\n======\n", reports));
  }

  /** Generates and checks program {@code seed}; throws with the report on a failure. */
  void check(long seed) {
    if (!runOne(seed)) throw new AssertionError(String.join("\n", reports));
  }

  /** Generates and checks program {@code seed}; false (and a report) on a failure. */
  private boolean runOne(long seed) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L);
    boolean tame = r.nextInt(3) == 0;
    DType ft = tame || r.nextBoolean() ? DType.FLOAT64 : DType.FLOAT32;
    ProgramGenerator gen = new ProgramGenerator(seed, tame, ft);
    ProgramGenerator.Generated g;
    try {
      g = gen.generate(2 + r.nextInt(9));
    } catch (RuntimeException | StackOverflowError e) {
      return fail("generate", seed, null, null, e);
    }
    gen.rejected.forEach((k, n) -> rejected.merge(k, n, Integer::sum));
    g.ops().forEach((k, n) -> ops.merge(k, n, Integer::sum));
    checks.merge("programs_" + (tame ? "tame_f64" : ft.shortName()), 1, Integer::sum);
    Fn f = g.fn();
    NDArray[] args = g.args();
    NDArray eager;
    double scale;
    try {
      eager = f.apply(args);
      scale = Math.max(1, maxAbs(eager));
    } catch (RuntimeException e) {
      return fail("eager", seed, f, args, e);
    }
    boolean ok = true;
    // (a) the reference interpreter against jit
    try {
      NDArray jitted = Arrax.jit(f).apply(args);
      // a float64 result computed in float32 on the way (a cast, a bitcast) carries float32's error
      boolean f32Inside = ft == DType.FLOAT32 || g.ops().containsKey("convert_f32") || g.ops().containsKey("bitcast_convert_type");
      compare(eager, jitted, f32Inside && eager.dtype().isFloating() ? tol(DType.FLOAT32) : tol(eager.dtype()), scale, "jit vs eager");
      checks.merge("jit", 1, Integer::sum);
    } catch (RuntimeException | AssertionError e) {
      if (Boolean.getBoolean("arrax.fuzz.debug")) {
        for (int t = 0; t < 2; t++) {
          try { System.out.println("DEBUG retry " + Arrax.jit(f).apply(args).type()); } catch (Throwable x) { System.out.println("DEBUG retry fail " + x); }
        }
        try { System.out.println("DEBUG explain " + Arrax.explain(f, args)); } catch (Throwable x) { System.out.println("DEBUG explain fail " + x); }
      }
      ok &= fail("jit", seed, f, args, e);
    }
    // (d) text round trip
    try {
      ProgramCheck.roundTrip(f, args, "round trip");
      checks.merge("text", 1, Integer::sum);
    } catch (RuntimeException | AssertionError e) {
      ok &= fail("text", seed, f, args, e);
    }
    // (c) vmap against a loop
    try {
      checkVmap(f, args, eager, r, gen, tame);
      checks.merge("vmap", 1, Integer::sum);
    } catch (RuntimeException | AssertionError e) {
      ok &= fail("vmap", seed, f, args, e);
    }
    // (b) derivatives
    if (tame) {
      try {
        checkDerivatives(f, args, g.hasWhile(), r);
      } catch (RuntimeException | AssertionError e) {
        ok &= fail("grad", seed, f, args, e);
      }
    }
    return ok;
  }

  private static double tol(DType d) {
    return d == DType.FLOAT32 ? 1e-5 : d == DType.FLOAT64 ? 1e-12 : 0;
  }

  private static double maxAbs(NDArray x) {
    if (!x.dtype().isFloating()) return 0;
    double m = 0;
    for (double v : x.toDoubleArray()) if (Double.isFinite(v)) m = Math.max(m, Math.abs(v));
    return m;
  }

  /**
   * Same dtype and shape; integers and bools exact; floats: NaN where NaN, infinities equal (unless the other side is
   * within a factor 100 of the overflow threshold), else {@code |a - e| <= tol (|e| + scale)}.
   */
  static void compare(NDArray expected, NDArray actual, double tol, double scale, String what) {
    if (expected.dtype() != actual.dtype() || !Arrays.equals(expected.shape(), actual.shape())) {
      throw new AssertionError(what + ": type " + actual.type() + " but expected " + expected.type());
    }
    if (!expected.dtype().isFloating()) {
      long[] e = expected.toLongArray(), a = actual.toLongArray();
      for (int i = 0; i < e.length; i++) {
        if (e[i] != a[i]) throw new AssertionError(what + ": element " + i + " is " + a[i] + " but expected " + e[i] + " (" + expected.type() + ")");
      }
      return;
    }
    double big = (expected.dtype() == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE) / 100;
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      boolean ok;
      if (Double.isNaN(e[i]) || Double.isNaN(a[i])) ok = Double.isNaN(e[i]) && Double.isNaN(a[i]);
      else if (Double.isInfinite(e[i]) || Double.isInfinite(a[i])) ok = e[i] == a[i] || (Math.abs(e[i]) > big && Math.abs(a[i]) > big && Math.signum(e[i]) == Math.signum(a[i]));
      else ok = Math.abs(a[i] - e[i]) <= tol * (Math.abs(e[i]) + scale);
      if (!ok) {
        throw new AssertionError(what + ": element " + i + " is " + a[i] + " but expected " + e[i] + " (tol " + tol + ", scale " + scale + ", " + expected.type()
            + ")\n expected " + abbreviate(e) + "\n actual   " + abbreviate(a));
      }
    }
  }

  private static String abbreviate(double[] xs) {
    return xs.length <= 12 ? Arrays.toString(xs) : Arrays.toString(Arrays.copyOf(xs, 12)) + "... (" + xs.length + ")";
  }

  private void checkVmap(Fn f, NDArray[] args, NDArray eager, Random r, ProgramGenerator gen, boolean tame) {
    int size = r.nextInt(4);
    Integer[] axes = new Integer[args.length];
    NDArray[] batched = new NDArray[args.length];
    boolean any = false;
    for (int i = 0; i < args.length; i++) {
      if (r.nextInt(3) == 0 && (any || i < args.length - 1)) {
        batched[i] = args[i];
        continue;
      }
      any = true;
      int axis = r.nextInt(args[i].ndim() + 1);
      axes[i] = axis;
      if (size == 0) {
        int[] s = new int[args[i].ndim() + 1];
        int[] a = args[i].shape();
        for (int d = 0, k = 0; d < s.length; d++) s[d] = d == axis ? 0 : a[k++];
        batched[i] = Np.zeros(s, args[i].dtype());
      } else {
        NDArray[] rows = new NDArray[size];
        for (int b = 0; b < size; b++) rows[b] = b == 0 ? args[i] : gen.randomArray(args[i].dtype(), args[i].shape(), !tame);
        batched[i] = Np.stack(rows, axis);
      }
    }
    NDArray out = Arrax.vmap(f, axes).apply(batched);
    int[] per = eager.shape();
    if (size == 0) {
      int[] want = new int[per.length + 1];
      System.arraycopy(per, 0, want, 1, per.length);
      if (!Arrays.equals(want, out.shape()) || out.dtype() != eager.dtype()) {
        throw new AssertionError("vmap over an empty batch gives " + out.type() + ", expected " + eager.dtype().shortName() + Arrays.toString(want));
      }
      return;
    }
    NDArray[] rows = new NDArray[size];
    double scale = 1;
    for (int b = 0; b < size; b++) {
      NDArray[] ex = new NDArray[args.length];
      for (int i = 0; i < args.length; i++) ex[i] = axes[i] == null ? batched[i] : Lax.indexInDim(batched[i], b, axes[i], false);
      rows[b] = f.apply(ex);
      scale = Math.max(scale, maxAbs(rows[b]));
    }
    compare(Np.stack(rows, 0), out, tol(eager.dtype()), scale, "vmap (in_axes " + Arrays.toString(axes) + ", batch " + size + ") vs loop");
  }

  private void checkDerivatives(Fn f0, NDArray[] args, boolean hasWhile, Random r) {
    Fn f = xs -> {
      NDArray y = f0.apply(xs);
      return y.dtype().isFloating() ? y : y.astype(DType.FLOAT64);
    };
    NDArray[] v = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) v[i] = normal(r, args[i].shape());
    NDArray y = f.apply(args);
    double fscale = Math.max(1, maxAbs(y));
    NDArray tangent = Arrax.jvp(f, args, v).tangentOut();
    double[] t = tangent.toDoubleArray();
    double[] fd1 = fd(f, args, v, 1e-6), fd2 = fd(f, args, v, 1e-5);
    boolean smooth = true;
    double dscale = 1;
    for (double d : fd1) if (Double.isFinite(d)) dscale = Math.max(dscale, Math.abs(d));
    for (int i = 0; i < fd1.length; i++) {
      if (!Double.isFinite(fd1[i]) || !Double.isFinite(fd2[i]) || Math.abs(fd1[i] - fd2[i]) > 1e-4 * (1 + Math.abs(fd1[i])) + 1e-9 * fscale) smooth = false;
    }
    if (smooth) {
      for (int i = 0; i < t.length; i++) {
        double tolI = 1e-5 * (1 + Math.abs(fd1[i])) + 1e-8 * fscale + 1e-7 * dscale;
        if (!(Math.abs(t[i] - fd1[i]) <= tolI)) {
          throw new AssertionError("jvp vs central differences: element " + i + " is " + t[i] + " but (f(x+hv)-f(x-hv))/2h = " + fd1[i] + " (h=1e-5 gives " + fd2[i]
              + ", tol " + tolI + ")\n jvp " + abbreviate(t) + "\n fd  " + abbreviate(fd1));
        }
      }
      checks.merge("jvp_fd", 1, Integer::sum);
    } else {
      checks.merge("jvp_fd_skipped_nonsmooth", 1, Integer::sum);
    }
    NDArray u = normal(r, y.shape());
    NDArray[] cts;
    try {
      cts = Arrax.vjp(f, args).pullback().apply(u);
    } catch (RuntimeException e) {
      if (hasWhile && String.valueOf(e.getMessage()).contains("while")) {
        checks.merge("vjp_while_refused", 1, Integer::sum);
        return;
      }
      throw e;
    }
    double lhs = 0, lhsAbs = 0;
    for (int i = 0; i < args.length; i++) {
      double[] c = cts[i].toDoubleArray(), vi = v[i].toDoubleArray();
      if (!Arrays.equals(cts[i].shape(), args[i].shape())) throw new AssertionError("vjp: cotangent " + i + " is " + cts[i].type() + " for argument " + args[i].type());
      for (int k = 0; k < c.length; k++) {
        lhs += c[k] * vi[k];
        lhsAbs += Math.abs(c[k] * vi[k]);
      }
    }
    double rhs = 0, rhsAbs = 0;
    double[] uu = u.toDoubleArray();
    for (int k = 0; k < uu.length; k++) {
      rhs += uu[k] * t[k];
      rhsAbs += Math.abs(uu[k] * t[k]);
    }
    if (Double.isNaN(lhs) && Double.isNaN(rhs)) {
      // both modes NaN (e.g. through the max of an empty axis, -inf): consistent, nothing to compare
      checks.merge("vjp_dot_both_nan", 1, Integer::sum);
      return;
    }
    if (!(Math.abs(lhs - rhs) <= 1e-9 * (lhsAbs + rhsAbs) + 1e-12)) {
      throw new AssertionError("<vjp(u), v> = " + lhs + " but <u, jvp(v)> = " + rhs + " (sums of |terms| " + lhsAbs + ", " + rhsAbs + ")");
    }
    checks.merge("vjp_dot", 1, Integer::sum);
  }

  private static NDArray normal(Random r, int[] shape) {
    int n = 1;
    for (int s : shape) n *= s;
    double[] d = new double[n];
    for (int i = 0; i < n; i++) d[i] = r.nextGaussian();
    return NDArray.fromFlat(d, shape);
  }

  private static double[] fd(Fn f, NDArray[] args, NDArray[] v, double h) {
    NDArray[] plus = new NDArray[args.length], minus = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) {
      plus[i] = args[i].add(v[i].mul(h));
      minus[i] = args[i].sub(v[i].mul(h));
    }
    double[] p = f.apply(plus).toDoubleArray(), m = f.apply(minus).toDoubleArray();
    double[] d = new double[p.length];
    for (int i = 0; i < d.length; i++) d[i] = (p[i] - m[i]) / (2 * h);
    return d;
  }

  /** Records a failure: the seed, the command that reproduces it, the program text and the inputs' types. */
  private boolean fail(String kind, long seed, Fn f, NDArray[] args, Throwable e) {
    failureKinds.merge(kind, 1, Integer::sum);
    failedSeeds.add(kind + ":" + seed);
    if (reports.size() < 8) {
      String text;
      try {
        text = f == null ? "<not generated>" : Arrax.makeJaxpr(f, args).toText();
      } catch (RuntimeException ex) {
        text = "<cannot trace: " + ex + ">";
      }
      StringBuilder types = new StringBuilder();
      if (args != null) for (NDArray a : args) types.append(a.type()).append(' ');
      java.io.StringWriter sw = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(sw));
      String trace = sw.toString();
      reports.add("[" + kind + "] seed " + seed + ": reproduce with\n  mvn -o -pl engine test -Dtest=ProgramFuzzTest -Darrax.fuzz.programs=1 -Darrax.fuzz.seed=" + seed
          + "\ninputs: " + types + "\n" + e + "\nprogram:\n" + text + "\n" + trace.substring(0, Math.min(2500, trace.length())));
    }
    return false;
  }
}
