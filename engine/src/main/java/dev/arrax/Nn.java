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

  /**
   * {@code log(sum(exp(x), axis))} without overflow, dropping that axis
   * ({@code jax.nn.logsumexp(x, axis)}); see {@link #logsumexp(NDArray, int, boolean)}.
   */
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

  /**
   * Log-softmax along the last axis ({@code jax.nn.log_softmax(x)}): {@code x - logsumexp(x)}, e.g. the
   * log-probabilities of a row of logits.
   */
  public static NDArray logSoftmax(NDArray x) { return logSoftmax(x, -1); }

  /** x - max - log(sum(exp(x - max))) along {@code axis}. */
  public static NDArray logSoftmax(NDArray x, int axis) {
    Np.nonNull("logSoftmax", x);
    NDArray xf = Np.toFloat(x);
    int a = Shapes.axis("logSoftmax", axis, xf.ndim());
    NDArray shifted = Np.subtract(xf, Ops.stopGradient(Np.max(xf, a, true)));
    return Np.subtract(shifted, Np.log(Np.sum(Np.exp(shifted), a, true)));
  }

  // ==== issue 13 ====

  /**
   * {@code min(max(x, 0), 6)} ({@code jax.nn.relu6}). As JAX's custom rule, the derivative is 1 strictly
   * inside (0, 6) and 0 elsewhere, including at 0 and 6. Integers are promoted as {@code jnp.minimum(x, 6.)}
   * promotes them (to f64).
   */
  public static NDArray relu6(NDArray x) {
    Np.nonNull("relu6", x);
    NDArray xf = x.dtype().isFloating() ? x : Ops.convert(x, DType.FLOAT64);
    return RELU6.apply(xf);
  }

  private static final Fn RELU6 = Arrax.customJvp(xs -> Np.minimum(Np.maximum(xs[0], 0.0), 6.0), (p, t) -> {
    NDArray x = p[0];
    NDArray inside = Ops.and(Ops.gt(x, Ops.like(x, 0)), Ops.lt(x, Ops.like(x, 6)));
    return new Arrax.JvpResult(Nn.RELU6.apply(x), Ops.select(inside, t[0], Ops.zeros(t[0].type())));
  });

  /** {@code log(sigmoid(x)) = -softplus(-x)} ({@code jax.nn.log_sigmoid}), stable for large |x|. */
  public static NDArray logSigmoid(NDArray x) {
    Np.nonNull("logSigmoid", x);
    return Np.negative(softplus(Np.negative(Np.toFloat(x))));
  }

  /** {@code x >= 0 ? x : 0.01 x} ({@code jax.nn.leaky_relu} with its default slope). */
  public static NDArray leakyRelu(NDArray x) { return leakyRelu(x, 1e-2); }

  /** {@code where(x >= 0, x, negativeSlope * x)} ({@code jax.nn.leaky_relu}); the derivative at 0 is 1, as JAX's where gives. */
  public static NDArray leakyRelu(NDArray x, double negativeSlope) {
    Np.nonNull("leakyRelu", x);
    return Np.where(Np.greaterEqual(x, 0.0), x, Np.multiply(x, negativeSlope));
  }

  /** {@code x > 0 ? x : expm1(x)} ({@code jax.nn.elu}, alpha 1). */
  public static NDArray elu(NDArray x) { return elu(x, 1.0); }

  /**
   * {@code where(x > 0, x, alpha * expm1(where(x > 0, 0, x)))} ({@code jax.nn.elu}): the inner where keeps
   * expm1 of large positive x out of the unused branch, so its gradient stays finite.
   */
  public static NDArray elu(NDArray x, double alpha) {
    Np.nonNull("elu", x);
    NDArray pos = Np.greater(x, 0.0);
    return Np.where(pos, x, Np.multiply(Np.expm1(Np.where(pos, 0.0, x)), alpha));
  }

  /** {@code scale * elu(x, alpha)} with JAX's constants ({@code jax.nn.selu}). */
  public static NDArray selu(NDArray x) {
    return Np.multiply(elu(x, 1.6732632423543772848170429916717), 1.0507009873554804934193349852946);
  }

  /** Gated linear unit along the last axis ({@code jax.nn.glu}): the first half times the sigmoid of the second. */
  public static NDArray glu(NDArray x) { return glu(x, -1); }

  /** {@code glu(x, axis)}: x split in two halves a, b along {@code axis}; {@code a * sigmoid(b)}. The axis length must be even. */
  public static NDArray glu(NDArray x, int axis) {
    Np.nonNull("glu", x);
    int a = Shapes.axis("glu", axis, x.ndim());
    if (x.shape()[a] % 2 != 0) {
      throw new ShapeException("glu: axis " + axis + " of " + x.type() + " has odd size " + x.shape()[a] + "; it must be divisible by 2"
          + dev.arrax.core.CallSite.describe());
    }
    NDArray[] h = Np.split(x, 2, a);
    return Np.multiply(h[0], sigmoid(h[1]));
  }

  /** {@code (x - mean) / sqrt(var + 1e-5)} along the last axis ({@code jax.nn.standardize}). */
  public static NDArray standardize(NDArray x) { return standardize(x, -1, 1e-5); }

  /**
   * {@code jax.nn.standardize(x, axis, epsilon=epsilon)} with JAX's default ("fast") variance:
   * {@code mean(x^2) - mean(x)^2} clipped at 0, then {@code (x - mean) * rsqrt(variance + epsilon)}.
   */
  public static NDArray standardize(NDArray x, int axis, double epsilon) {
    Np.nonNull("standardize", x);
    int a = Shapes.axis("standardize", axis, x.ndim());
    NDArray mean = Np.mean(x, a, true);
    NDArray variance = Np.maximum(Np.subtract(Np.mean(Np.square(Np.toFloat(x)), a, true), Np.square(mean)), 0.0);
    return standardize(x, a, mean, variance, epsilon);
  }

  /** {@code jax.nn.standardize(x, axis, mean, variance, epsilon)} with given statistics (broadcast against x). */
  public static NDArray standardize(NDArray x, int axis, NDArray mean, NDArray variance, double epsilon) {
    Np.nonNull("standardize", x, mean, variance);
    Shapes.axis("standardize", axis, x.ndim());
    return Np.multiply(Np.subtract(x, mean), Lax.rsqrt(Np.add(variance, epsilon)));
  }

  /** One-hot f64 rows ({@code jax.nn.one_hot(x, numClasses)} with 64-bit types): a new last axis. */
  public static NDArray oneHot(NDArray x, int numClasses) { return oneHot(x, numClasses, DType.FLOAT64, -1); }

  /**
   * {@code jax.nn.one_hot(x, numClasses, dtype, axis)}: {@code x[..., None] == arange(numClasses)} as
   * {@code dtype}, the class axis inserted at {@code axis}. Out-of-range classes (negative ones too) give
   * an all-zero row; float inputs are compared as they are (JAX deprecates them).
   */
  public static NDArray oneHot(NDArray x, int numClasses, DType dtype, int axis) {
    Np.nonNull("oneHot", x);
    if (numClasses < 0) throw new ShapeException("oneHot: numClasses must be >= 0, got " + numClasses + dev.arrax.core.CallSite.describe());
    if (dtype == null) throw new ArraxException("oneHot: dtype is null" + dev.arrax.core.CallSite.describe());
    int a = Shapes.axis("oneHot", axis, x.ndim() + 1);
    int[] out = Shapes.insert(x.shape(), a, numClasses);
    int[] dims = new int[x.ndim()];
    for (int i = 0; i < dims.length; i++) dims[i] = i < a ? i : i + 1;
    NDArray xb = Ops.broadcastInDim(x, out, dims);
    NDArray iota = Ops.iota(x.dtype() == DType.BOOL ? DType.INT32 : x.dtype(), out, a);
    NDArray lhs = x.dtype() == DType.BOOL ? Ops.convert(xb, DType.INT32) : xb;
    return Ops.convert(Ops.eq(lhs, iota), dtype);
  }
}
