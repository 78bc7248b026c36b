package dev.arrax;

import dev.arrax.core.Shapes;
import dev.arrax.primitives.Ops;

/**
 * jax.nn: activations and normalizations, composed from primitives and numerically stable as JAX's
 * are (max-shifted exponentials, the max itself behind a stop-gradient).
 */
public final class Nn {
  private Nn() {}

  /** 1 / (1 + e^-x), without overflow. */
  public static NDArray sigmoid(NDArray x) { Np.nonNull("sigmoid", x); return Ops.logistic(Np.toFloat(x)); }

  /**
   * max(x, 0). As in JAX the derivative at 0 is 0 (not the 1/2 that max's tie rule would give), and
   * NaN propagates.
   */
  public static NDArray relu(NDArray x) {
    Np.nonNull("relu", x);
    NDArray zero = Ops.like(x, 0);
    NDArray keep = Ops.or(Ops.gt(x, zero), Ops.ne(x, x));
    return Ops.select(keep, x, zero);
  }

  /** log(1 + e^x), stable for large |x|. */
  public static NDArray softplus(NDArray x) { Np.nonNull("softplus", x); return Np.logaddexp(Np.toFloat(x), 0.0); }

  /** x * sigmoid(x) (swish). */
  public static NDArray silu(NDArray x) {
    Np.nonNull("silu", x);
    NDArray xf = Np.toFloat(x);
    return Ops.mul(xf, Ops.logistic(xf));
  }

  /** GELU: exact {@code x (1 + erf(x / sqrt 2)) / 2}, or the tanh approximation when {@code approximate}. */
  public static NDArray gelu(NDArray x, boolean approximate) {
    Np.nonNull("gelu", x);
    NDArray xf = Np.toFloat(x);
    if (approximate) {
      NDArray inner = Np.multiply(Np.add(xf, Np.multiply(Np.multiply(Np.multiply(xf, xf), xf), 0.044715)), Math.sqrt(2.0 / Math.PI));
      return Np.multiply(xf, Np.multiply(Np.add(Np.tanh(inner), 1.0), 0.5));
    }
    return Np.divide(Np.multiply(xf, Np.add(Ops.erf(Np.divide(xf, Math.sqrt(2.0))), 1.0)), 2.0);
  }

  /** GELU with the tanh approximation (JAX's default). */
  public static NDArray gelu(NDArray x) { return gelu(x, true); }

  /** log(sum(exp(x))) over all elements. */
  public static NDArray logsumexp(NDArray x) { Np.nonNull("logsumexp", x); return logsumexp(Np.reshape(x, -1), 0, false); }

  public static NDArray logsumexp(NDArray x, int axis) { return logsumexp(x, axis, false); }

  /** log(sum(exp(x), axis)) computed as max + log(sum(exp(x - max))); an infinite max is not subtracted. */
  public static NDArray logsumexp(NDArray x, int axis, boolean keepdims) {
    Np.nonNull("logsumexp", x);
    NDArray xf = Np.toFloat(x);
    int a = Shapes.axis("logsumexp", axis, xf.ndim());
    NDArray amax = Np.max(xf, a, true);
    amax = Ops.stopGradient(Ops.select(Ops.isFinite(amax), amax, Ops.like(amax, 0)));
    NDArray sumexp = Np.sum(Np.exp(Np.subtract(xf, amax)), a, keepdims);
    return Np.add(Np.log(sumexp), keepdims ? amax : Np.squeeze(amax, a));
  }

  /** exp(x) / sum(exp(x)) along the last axis. */
  public static NDArray softmax(NDArray x) { return softmax(x, -1); }

  /** exp(x - max) / sum(exp(x - max)) along {@code axis}. */
  public static NDArray softmax(NDArray x, int axis) {
    Np.nonNull("softmax", x);
    NDArray xf = Np.toFloat(x);
    int a = Shapes.axis("softmax", axis, xf.ndim());
    NDArray unnormalized = Np.exp(Np.subtract(xf, Ops.stopGradient(Np.max(xf, a, true))));
    return Np.divide(unnormalized, Np.sum(unnormalized, a, true));
  }

  public static NDArray logSoftmax(NDArray x) { return logSoftmax(x, -1); }

  /** x - max - log(sum(exp(x - max))) along {@code axis}. */
  public static NDArray logSoftmax(NDArray x, int axis) {
    Np.nonNull("logSoftmax", x);
    NDArray xf = Np.toFloat(x);
    int a = Shapes.axis("logSoftmax", axis, xf.ndim());
    NDArray shifted = Np.subtract(xf, Ops.stopGradient(Np.max(xf, a, true)));
    return Np.subtract(shifted, Np.log(Np.sum(Np.exp(shifted), a, true)));
  }
}
