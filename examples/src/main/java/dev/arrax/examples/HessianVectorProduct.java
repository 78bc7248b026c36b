package dev.arrax.examples;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import java.util.Random;

/**
 * Hessian-vector products without the Hessian: {@code hvp(theta, v) = jvp(grad(f), theta, v)}, forward mode over
 * reverse mode, costs about two gradient evaluations whatever the number of parameters (JAX's
 * {@code jax.jvp(jax.grad(f), (x,), (v,))}). Here f is an L2-regularized logistic loss with the data as
 * constants; the product is checked against the closed form {@code H v = X^T diag(p (1 - p)) X v / n + lambda v}
 * and against {@code hessian(f) . v}, then drives a Newton step solved by conjugate gradients that only ever
 * calls {@code hvp}.
 *
 * <p>Run: {@code mvn -q -pl examples -am package exec:java -DskipTests -Darrax.example=dev.arrax.examples.HessianVectorProduct}
 */
public final class HessianVectorProduct {
  static final int N = 500;
  static final int D = 10;
  static final double LAMBDA = 0.1;

  private HessianVectorProduct() {}

  /**
   * Largest errors of hvp against the closed form and against the explicit Hessian, the residual
   * {@code |H s + g|} of the conjugate-gradient Newton step, and the loss before and after that step.
   */
  public record Result(double maxErrorClosedForm, double maxErrorHessian, double cgResidual, int cgIterations,
                       double lossBefore, double lossAfter) {}

  public static void main(String[] args) {
    Result r = run();
    System.out.printf("hvp = jvp(grad(f)) for a logistic loss with %d parameters:%n", D);
    System.out.printf("  max |hvp - X^T diag(p(1-p)) X v / n - lambda v| = %.3e%n", r.maxErrorClosedForm());
    System.out.printf("  max |hvp - hessian(f) v|                         = %.3e%n", r.maxErrorHessian());
    System.out.printf("Newton step by conjugate gradients on hvp: %d iterations, |H s + g| = %.3e%n", r.cgIterations(), r.cgResidual());
    System.out.printf("  loss %.10f -> %.10f%n", r.lossBefore(), r.lossAfter());
  }

  public static Result run() {
    Random rng = new Random(5);
    double[][] x = new double[N][D];
    double[] y = new double[N];
    for (int i = 0; i < N; i++) {
      double z = 0;
      for (int j = 0; j < D; j++) {
        x[i][j] = rng.nextGaussian();
        z += (j % 3 - 1) * x[i][j];
      }
      y[i] = rng.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    NDArray xs = NDArray.of(x), ys = NDArray.of(y);
    Fn f = a -> {
      NDArray z = Np.dot(xs, a[0]);
      NDArray data = Np.mean(Np.subtract(Nn.softplus(z), Np.multiply(ys, z)));
      return Np.add(data, Np.multiply(0.5 * LAMBDA, Np.sum(Np.multiply(a[0], a[0]))));
    };
    Fn grad = Arrax.jit(Arrax.grad(f));
    Fn hvp = Arrax.jit(a -> Arrax.jvp(Arrax.grad(f), new NDArray[] {a[0]}, new NDArray[] {a[1]}).tangentOut());
    Fn loss = Arrax.jit(f);

    double[] theta = new double[D];
    double[] v = new double[D];
    for (int j = 0; j < D; j++) {
      theta[j] = 0.3 * rng.nextGaussian();
      v[j] = rng.nextGaussian();
    }
    double[] hv = hvp.apply(NDArray.of(theta), NDArray.of(v)).toDoubleArray();

    // closed form: X^T diag(p (1 - p)) X v / n + lambda v
    double[] ref = new double[D];
    for (int i = 0; i < N; i++) {
      double z = 0, xv = 0;
      for (int j = 0; j < D; j++) {
        z += x[i][j] * theta[j];
        xv += x[i][j] * v[j];
      }
      double p = 1 / (1 + Math.exp(-z));
      for (int j = 0; j < D; j++) ref[j] += p * (1 - p) * xv * x[i][j] / N;
    }
    double errClosed = 0;
    for (int j = 0; j < D; j++) errClosed = Math.max(errClosed, Math.abs(hv[j] - (ref[j] + LAMBDA * v[j])));

    double[] h = Arrax.hessian(f).apply(NDArray.of(theta)).toDoubleArray();   // [D, D]
    double errHessian = 0;
    for (int i = 0; i < D; i++) {
      double s = 0;
      for (int j = 0; j < D; j++) s += h[i * D + j] * v[j];
      errHessian = Math.max(errHessian, Math.abs(hv[i] - s));
    }

    // Newton step: solve H s = -g by conjugate gradients, touching H only through hvp.
    NDArray th = NDArray.of(theta);
    double[] g = grad.apply(th).toDoubleArray();
    double[] s = new double[D];
    double[] r = new double[D];
    double[] p = new double[D];
    for (int j = 0; j < D; j++) r[j] = p[j] = -g[j];
    double rr = dot(r, r);
    int it = 0;
    while (it < 2 * D && Math.sqrt(rr) > 1e-13) {
      double[] hp = hvp.apply(th, NDArray.of(p)).toDoubleArray();
      double alpha = rr / dot(p, hp);
      for (int j = 0; j < D; j++) {
        s[j] += alpha * p[j];
        r[j] -= alpha * hp[j];
      }
      double rrNew = dot(r, r);
      for (int j = 0; j < D; j++) p[j] = r[j] + rrNew / rr * p[j];
      rr = rrNew;
      it++;
    }
    double[] hs = hvp.apply(th, NDArray.of(s)).toDoubleArray();
    double residual = 0;
    for (int j = 0; j < D; j++) residual = Math.max(residual, Math.abs(hs[j] + g[j]));
    double[] next = new double[D];
    for (int j = 0; j < D; j++) next[j] = theta[j] + s[j];
    return new Result(errClosed, errHessian, residual, it, loss.apply(th).item(), loss.apply(NDArray.of(next)).item());
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
