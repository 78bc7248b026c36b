package dev.arrax.testing;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;

/**
 * Derivative checks in float64, as JAX's {@code check_grads}: forward mode against central finite
 * differences along a random direction, reverse mode against forward mode by the dot-product test
 * {@code <vjp(u), v> == <u, jvp(v)>}, and the same one order up by checking the JVP and VJP functions
 * themselves. Non-floating arguments are held fixed.
 */
public final class GradCheck {
  private GradCheck() {}

  public static final double EPS = 1e-6;

  public static void check(Fn f, NDArray[] args, int order, Rand rng, double rtol, String msg) {
    NDArray[] v = randomTangents(args, rng);
    checkJvp(f, args, v, rtol, msg);
    NDArray y = f.apply(args);
    NDArray u = rng.normal(y.shape()).astype(y.dtype());
    checkVjp(f, args, v, u, rtol, msg);
    if (order > 1) {
      Fn fJvp = xs -> Arrax.jvp(f, xs, v).tangentOut();
      check(fJvp, args, order - 1, rng, rtol, msg + " [jvp of order " + order + "]");
      Fn fVjp = xs -> {
        NDArray[] cts = Arrax.vjp(f, xs).pullback().apply(u);
        NDArray acc = null;
        for (int i = 0; i < cts.length; i++) {
          if (!xs[i].dtype().isFloating()) continue;
          NDArray flat = Np.reshape(cts[i], -1);
          acc = acc == null ? flat : Np.concatenate(new NDArray[] {acc, flat}, 0);
        }
        return acc;
      };
      check(fVjp, args, order - 1, rng, rtol, msg + " [vjp of order " + order + "]");
    }
  }

  /** jvp tangent against (f(x + eps v) - f(x - eps v)) / 2 eps. */
  public static void checkJvp(Fn f, NDArray[] args, NDArray[] v, double rtol, String msg) {
    NDArray tangent = Arrax.jvp(f, args, v).tangentOut();
    double[] plus = f.apply(shift(args, v, EPS)).toDoubleArray();
    double[] minus = f.apply(shift(args, v, -EPS)).toDoubleArray();
    double[] fd = new double[plus.length];
    for (int i = 0; i < fd.length; i++) fd[i] = (plus[i] - minus[i]) / (2 * EPS);
    Check.close(fd, tangent, rtol, rtol, msg + ": JVP vs central finite differences");
  }

  /** {@code <vjp(u), v>} against {@code <u, jvp(v)>}. */
  public static void checkVjp(Fn f, NDArray[] args, NDArray[] v, NDArray u, double rtol, String msg) {
    NDArray tangent = Arrax.jvp(f, args, v).tangentOut();
    NDArray[] cts = Arrax.vjp(f, args).pullback().apply(u);
    double lhs = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].dtype().isFloating()) lhs += dot(cts[i].toDoubleArray(), v[i].toDoubleArray());
    }
    double rhs = dot(u.toDoubleArray(), tangent.toDoubleArray());
    Check.close(new double[] {rhs}, new double[] {lhs}, rtol, rtol, msg + ": <vjp(u), v> vs <u, jvp(v)>");
  }

  public static NDArray[] randomTangents(NDArray[] args, Rand rng) {
    NDArray[] v = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) {
      v[i] = args[i].dtype().isFloating() ? rng.normal(args[i].shape()).astype(args[i].dtype()) : args[i];
    }
    return v;
  }

  private static NDArray[] shift(NDArray[] args, NDArray[] v, double eps) {
    NDArray[] out = new NDArray[args.length];
    for (int i = 0; i < args.length; i++) out[i] = args[i].dtype().isFloating() ? args[i].add(v[i].mul(eps)) : args[i];
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
