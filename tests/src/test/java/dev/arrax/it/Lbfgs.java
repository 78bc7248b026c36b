package dev.arrax.it;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.Function;

/**
 * A small L-BFGS for tests that have only gradients (each one a Spark job). The line search brackets and
 * bisects along the direction p until the directional derivative satisfies the strong Wolfe curvature
 * condition |g(x + a p) . p| <= 0.9 |g(x) . p|; for the convex losses it is used on that is enough.
 */
final class Lbfgs {
  private Lbfgs() {}

  record Result(double[] x, double gradientNorm, int evaluations, boolean converged) {}

  static Result minimize(Function<double[], double[]> gradient, double[] x0, double tolerance, int maxEvaluations) {
    int n = x0.length;
    double[] x = x0.clone();
    double[] g = gradient.apply(x);
    int evals = 1;
    Deque<double[][]> history = new ArrayDeque<>();
    while (evals < maxEvaluations) {
      double gn = norm(g);
      if (gn <= tolerance) return new Result(x, gn, evals, true);
      double[] p = direction(g, history);
      if (history.isEmpty()) scale(p, 1 / gn); // first step: unit length
      double d0 = dot(g, p);
      double lo = 0;
      double hi = Double.POSITIVE_INFINITY;
      double a = 1;
      double[] gNew = null;
      double[] xNew = null;
      for (int k = 0; k < 40 && evals < maxEvaluations; k++) {
        xNew = x.clone();
        for (int i = 0; i < n; i++) xNew[i] += a * p[i];
        gNew = gradient.apply(xNew);
        evals++;
        double d = dot(gNew, p);
        if (d < 0.9 * d0) {
          lo = a;
          a = Double.isInfinite(hi) ? 2 * a : (lo + hi) / 2;
        } else if (d > -0.9 * d0) {
          hi = a;
          a = (lo + hi) / 2;
        } else {
          break;
        }
      }
      double[] s = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        s[i] = xNew[i] - x[i];
        y[i] = gNew[i] - g[i];
      }
      if (dot(s, y) > 0) {
        history.addFirst(new double[][] {s, y});
        if (history.size() > 10) history.removeLast();
      }
      x = xNew;
      g = gNew;
    }
    return new Result(x, norm(g), evals, norm(g) <= tolerance);
  }

  /** -H g by the two-loop recursion over the (s, y) pairs, newest first. */
  private static double[] direction(double[] g, Deque<double[][]> history) {
    double[] q = g.clone();
    int m = history.size();
    double[] alpha = new double[m];
    int k = 0;
    for (double[][] sy : history) {
      double rho = 1 / dot(sy[1], sy[0]);
      alpha[k] = rho * dot(sy[0], q);
      axpy(-alpha[k], sy[1], q);
      k++;
    }
    if (m > 0) {
      double[][] newest = history.peekFirst();
      scale(q, dot(newest[0], newest[1]) / dot(newest[1], newest[1]));
    }
    Iterator<double[][]> it = history.descendingIterator();
    k = m - 1;
    while (it.hasNext()) {
      double[][] sy = it.next();
      double rho = 1 / dot(sy[1], sy[0]);
      double beta = rho * dot(sy[1], q);
      axpy(alpha[k] - beta, sy[0], q);
      k--;
    }
    scale(q, -1);
    return q;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

  static void scale(double[] a, double c) {
    for (int i = 0; i < a.length; i++) a[i] *= c;
  }

  static void axpy(double c, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) y[i] += c * x[i];
  }
}
