package dev.arrax.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * The optimizers {@link ArraxEstimator} ships, over a flat parameter vector: full-batch L-BFGS (two-loop recursion,
 * 10 correction pairs, a backtracking line search on the Armijo condition that keeps a pair only when
 * {@code s.y > 0}) and Adam (Kingma and Ba, bias-corrected moments). Both stop when the gradient's Euclidean norm
 * is at most the tolerance, or after the iteration limit. Each evaluation of the objective is one pass over the data.
 */
final class Optimizers {
  private Optimizers() {}

  /** The objective at a point: its value and gradient. */
  record Eval(double value, double[] gradient) {}

  /** The objective function. */
  interface Objective {
    Eval at(double[] x);
  }

  /** The result: the point, whether it converged, the per-iteration history, and the evaluations used. */
  record Result(double[] x, boolean converged, List<TrainingSummary.Iteration> history, int evaluations) {}

  static final String LBFGS = "lbfgs";
  static final String ADAM = "adam";

  static Result minimize(String optimizer, Objective f, double[] x0, int maxIter, double tol, double learningRate,
      Consumer<TrainingSummary.Iteration> log) {
    return switch (optimizer) {
      case LBFGS -> lbfgs(f, x0, maxIter, tol, log);
      case ADAM -> adam(f, x0, maxIter, tol, learningRate, log);
      default -> throw new ArraxSparkException("ArraxEstimator: optimizer '" + optimizer + "' is not one of [lbfgs, adam]");
    };
  }

  static Result lbfgs(Objective f, double[] x0, int maxIter, double tol, Consumer<TrainingSummary.Iteration> log) {
    int n = x0.length;
    long t0 = System.nanoTime();
    double[] x = x0.clone();
    Eval e = f.at(x);
    int evals = 1;
    List<TrainingSummary.Iteration> history = new ArrayList<>();
    record(history, log, 0, e, t0);
    Deque<double[][]> pairs = new ArrayDeque<>();
    for (int it = 1; it <= maxIter; it++) {
      if (norm(e.gradient()) <= tol) return new Result(x, true, history, evals);
      long ti = System.nanoTime();
      double[] p = direction(e.gradient(), pairs);
      double d0 = dot(e.gradient(), p);
      if (d0 >= 0) { // not a descent direction (rounding): restart from steepest descent
        pairs.clear();
        p = direction(e.gradient(), pairs);
        d0 = dot(e.gradient(), p);
      }
      double a = pairs.isEmpty() ? Math.min(1, 1 / norm(e.gradient())) : 1;
      double[] xNew = null;
      Eval eNew = null;
      for (int k = 0; k < 50; k++) {
        xNew = new double[n];
        for (int i = 0; i < n; i++) xNew[i] = x[i] + a * p[i];
        eNew = f.at(xNew);
        evals++;
        if (eNew.value() <= e.value() + 1e-4 * a * d0) break;
        a /= 2;
      }
      double[] s = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        s[i] = xNew[i] - x[i];
        y[i] = eNew.gradient()[i] - e.gradient()[i];
      }
      if (dot(s, y) > 1e-12 * norm(s) * norm(y)) {
        pairs.addFirst(new double[][] {s, y});
        if (pairs.size() > 10) pairs.removeLast();
      }
      boolean stalled = eNew.value() >= e.value() && norm(s) <= 1e-15 * (1 + norm(x));
      x = xNew;
      e = eNew;
      record(history, log, it, e, ti);
      if (stalled) break;
    }
    return new Result(x, norm(e.gradient()) <= tol, history, evals);
  }

  static Result adam(Objective f, double[] x0, int maxIter, double tol, double lr, Consumer<TrainingSummary.Iteration> log) {
    int n = x0.length;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double[] x = x0.clone();
    double[] m = new double[n];
    double[] v = new double[n];
    long t0 = System.nanoTime();
    Eval e = f.at(x);
    int evals = 1;
    List<TrainingSummary.Iteration> history = new ArrayList<>();
    record(history, log, 0, e, t0);
    for (int it = 1; it <= maxIter; it++) {
      if (norm(e.gradient()) <= tol) return new Result(x, true, history, evals);
      long ti = System.nanoTime();
      double[] g = e.gradient();
      double c1 = 1 - Math.pow(b1, it);
      double c2 = 1 - Math.pow(b2, it);
      for (int i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        x[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
      }
      e = f.at(x);
      evals++;
      record(history, log, it, e, ti);
    }
    return new Result(x, norm(e.gradient()) <= tol, history, evals);
  }

  private static void record(List<TrainingSummary.Iteration> history, Consumer<TrainingSummary.Iteration> log, int it, Eval e, long since) {
    TrainingSummary.Iteration r = new TrainingSummary.Iteration(it, e.value(), norm(e.gradient()), (System.nanoTime() - since) / 1_000_000);
    history.add(r);
    log.accept(r);
  }

  /** The two-loop recursion: -H g with the stored pairs (newest first), scaled by s.y / y.y of the newest. */
  private static double[] direction(double[] g, Deque<double[][]> pairs) {
    double[] q = g.clone();
    int k = pairs.size();
    double[] alpha = new double[k];
    int i = 0;
    for (double[][] sy : pairs) {
      double rho = 1 / dot(sy[1], sy[0]);
      alpha[i] = rho * dot(sy[0], q);
      axpy(-alpha[i], sy[1], q);
      i++;
    }
    if (k > 0) {
      double[][] newest = pairs.peekFirst();
      double gamma = dot(newest[0], newest[1]) / dot(newest[1], newest[1]);
      for (int j = 0; j < q.length; j++) q[j] *= gamma;
    }
    i = k - 1;
    for (java.util.Iterator<double[][]> itr = pairs.descendingIterator(); itr.hasNext(); i--) {
      double[][] sy = itr.next();
      double rho = 1 / dot(sy[1], sy[0]);
      double beta = rho * dot(sy[1], q);
      axpy(alpha[i] - beta, sy[0], q);
    }
    for (int j = 0; j < q.length; j++) q[j] = -q[j];
    return q;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) y[i] += a * x[i];
  }
}
