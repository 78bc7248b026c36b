package dev.arrax;

import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.CallSite;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Shapes;
import dev.arrax.primitives.Ops;
import java.util.Arrays;

/**
 * Counter-based random numbers, bit for bit those of {@code jax.random} (JAX 0.10.2, its default
 * {@code threefry2x32} generator with {@code jax_threefry_partitionable=True}, on CPU).
 *
 * <p>A key is a {@code u32[2]} array; nothing is stateful. The same key always gives the same numbers,
 * so split a key into fresh ones instead of reusing it:
 * <pre>{@code
 * NDArray key = Prng.key(0);                           // jax.random.PRNGKey(0)
 * NDArray keys = Prng.split(key, 3);                     // u32[3, 2]: one new key per row
 * NDArray x = Prng.normal(Prng.foldIn(key, 7), 3, 4);   // f32[3, 4], as jax.random.normal(fold_in(key, 7), (3, 4))
 * }</pre>
 *
 * <p>How the bits are made (JAX's {@code _threefry_random_bits_partitionable}): element i of an array
 * of shape s (row-major flat index i, as a 64-bit counter split in words (hi, lo)) is the Threefry-2x32
 * hash of the key and the counter; 32-bit draws xor the two output words, 64-bit draws concatenate
 * them (first word high). {@code split(key, n)} hashes the counters 0..n-1 and keeps both words as the
 * new keys; {@code foldIn(key, d)} hashes the counter (0, d). Everything is built from primitives
 * ({@code threefry2x32}, shifts, bitcasts, {@code erf_inv}, {@code sort}), so it works under
 * {@link Arrax#jit} and {@link Arrax#vmap}: vmap over a {@code u32[b, 2]} array of keys gives b
 * independent streams, the same as a loop over the keys.
 *
 * <p>Defaults follow JAX's default mode (64-bit types off): floats are f32, {@link #randint} and
 * {@link #categorical} return i32, {@link #permutation} i32. Other dtypes are explicit arguments. Seeds
 * are 64-bit as with {@code jax_enable_x64}: {@code key(s)} is {@code [s >>> 32, s & 0xFFFFFFFF]}, which
 * is also what default-mode JAX gives for seeds in [0, 2^31); it differs from default mode for negative
 * seeds, which there are 32-bit ({@code PRNGKey(-1)} is {@code [0, 0xFFFFFFFF]} there, here and in
 * 64-bit mode {@code [0xFFFFFFFF, 0xFFFFFFFF]}).
 *
 * <p>Exactness. uniform, normal (f32 and f64), bernoulli, randint, permutation, bits, split and foldIn
 * equal JAX on CPU bit for bit: the float transforms use {@code fma} where XLA:CPU contracts a
 * multiply-add, and {@code erf_inv} reproduces XLA's kernel. {@link #gumbel} uses the engine's
 * correctly rounded {@code log}, while XLA:CPU's float32 log and glibc's float64 log are off by an ulp
 * for some inputs, so gumbel values can differ from JAX in the last bit; {@link #categorical} picks the
 * same index unless two perturbed logits are within an ulp of each other.
 */
public final class Prng {
  private Prng() {}

  // ---- keys ----

  /** The key of a 64-bit seed: {@code u32[2] = [seed >>> 32, seed & 0xFFFFFFFF]} ({@code jax.random.PRNGKey}). */
  public static NDArray key(long seed) {
    return new ConcreteArray(ArrayType.of(DType.UINT32, 2), Buffer.wrap(DType.UINT32, new int[] {(int) (seed >>> 32), (int) seed}));
  }

  /** Two new keys, {@code u32[2, 2]}: {@code split(key, 2)}. */
  public static NDArray split(NDArray key) {
    return split(key, 2);
  }

  /** {@code n} new keys, one per row of a {@code u32[n, 2]} array ({@code jax.random.split(key, n)}). */
  public static NDArray split(NDArray key, int n) {
    checkKey("split", key);
    if (n < 0) throw new ShapeException("Prng.split: the number of keys must be >= 0, got " + n + CallSite.describe());
    NDArray[] words = hash(key, new int[] {n});
    return Ops.concatenate(new NDArray[] {Ops.reshape(words[0], n, 1), Ops.reshape(words[1], n, 1)}, 1);
  }

  /** A new key from a key and 32 bits of data ({@code jax.random.fold_in}); {@code data} is read as u32. */
  public static NDArray foldIn(NDArray key, int data) {
    return foldIn(key, scalar(DType.UINT32, data & 0xFFFFFFFFL));
  }

  /** As {@link #foldIn(NDArray, int)} with the data an integer scalar array (traced or not), wrapped to u32. */
  public static NDArray foldIn(NDArray key, NDArray data) {
    checkKey("foldIn", key);
    if (data.ndim() != 0 || !(data.dtype().isInteger() || data.dtype().isBool())) {
      throw new ShapeException("Prng.foldIn: data must be an integer scalar, got " + data.type()
          + "; to fold in many values, vmap over them" + CallSite.describe());
    }
    NDArray d = Ops.convert(data, DType.UINT32);
    NDArray[] w = Ops.threefry2x32(word(key, 0), word(key, 1), scalar(DType.UINT32, 0), d);
    return Ops.concatenate(new NDArray[] {Ops.reshape(w[0], 1), Ops.reshape(w[1], 1)}, 0);
  }

  // ---- bits ----

  /** Uniform random {@code u32} bits of the given shape ({@code jax.random.bits(key, shape)}). */
  public static NDArray bits(NDArray key, int... shape) {
    checkKey("bits", key);
    return randomBits(key, 32, shape);
  }

  // ---- continuous ----

  /** Uniform f32 in [0, 1). */
  public static NDArray uniform(NDArray key, int... shape) {
    return uniform(key, DType.FLOAT32, 0.0, 1.0, shape);
  }

  /** Uniform in [0, 1) of a float dtype. */
  public static NDArray uniform(NDArray key, DType dtype, int... shape) {
    return uniform(key, dtype, 0.0, 1.0, shape);
  }

  /**
   * Uniform in [minval, maxval) of a float dtype ({@code jax.random.uniform}): the top 23 (f32) or 52
   * (f64) random bits become the mantissa of a float f in [1, 2), and the result is
   * {@code max(minval, fma(f - 1, maxval - minval, minval))} with the bounds rounded to the dtype first.
   */
  public static NDArray uniform(NDArray key, DType dtype, double minval, double maxval, int... shape) {
    return uniform(key, dtype, Ops.scalar(minval, dtype), Ops.scalar(maxval, dtype), shape);
  }

  /** As {@link #uniform(NDArray, DType, double, double, int...)} with bounds broadcastable to {@code shape} (converted to {@code dtype}). */
  public static NDArray uniform(NDArray key, DType dtype, NDArray minval, NDArray maxval, int... shape) {
    checkKey("uniform", key);
    requireFloat("uniform", dtype);
    NDArray lo = Np.broadcastTo(Ops.convert(minval, dtype), shape);
    NDArray hi = Np.broadcastTo(Ops.convert(maxval, dtype), shape);
    NDArray floats;
    if (dtype == DType.FLOAT32) {
      NDArray b = randomBits(key, 32, shape);
      NDArray mantissa = Ops.or(Ops.shiftRightLogical(b, full(DType.UINT32, 9, shape)), full(DType.UINT32, 0x3F800000L, shape));
      floats = Ops.bitcastConvertType(mantissa, DType.FLOAT32);
    } else {
      NDArray b = randomBits(key, 64, shape);
      NDArray mantissa = Ops.or(Ops.shiftRightLogical(b, full(DType.INT64, 12, shape)), full(DType.INT64, 0x3FF0000000000000L, shape));
      floats = Ops.bitcastConvertType(mantissa, DType.FLOAT64);
    }
    floats = Ops.sub(floats, Ops.full(floats.type(), 1.0));
    return Ops.max(lo, Ops.fma(floats, Ops.sub(hi, lo), lo));
  }

  /** Standard normal f32 ({@code jax.random.normal}). */
  public static NDArray normal(NDArray key, int... shape) {
    return normal(key, DType.FLOAT32, shape);
  }

  /**
   * Standard normal of a float dtype: {@code sqrt(2) * erf_inv(u)} with u uniform in
   * [nextafter(-1, 0), 1), as JAX computes it.
   */
  public static NDArray normal(NDArray key, DType dtype, int... shape) {
    requireFloat("normal", dtype);
    double lo = dtype == DType.FLOAT32 ? Math.nextUp(-1.0f) : Math.nextUp(-1.0);
    NDArray u = uniform(key, dtype, lo, 1.0, shape);
    return Ops.mul(Ops.full(u.type(), Math.sqrt(2.0)), Ops.erfInv(u));
  }

  /**
   * Standard Gumbel of a float dtype, {@code -log(-log(u))} with u uniform in [tiny, 1)
   * ({@code jax.random.gumbel}, mode "low"). See the class comment on its last bit.
   */
  public static NDArray gumbel(NDArray key, DType dtype, int... shape) {
    requireFloat("gumbel", dtype);
    double tiny = dtype == DType.FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL;
    NDArray u = uniform(key, dtype, tiny, 1.0, shape);
    return Ops.neg(Ops.log(Ops.neg(Ops.log(u))));
  }

  // ---- discrete ----

  /** True with probability {@code p}, compared in f32 as default-mode JAX does ({@code jax.random.bernoulli}). */
  public static NDArray bernoulli(NDArray key, double p, int... shape) {
    return bernoulli(key, Ops.scalar(p, DType.FLOAT32), shape);
  }

  /**
   * True with probability {@code p}: {@code uniform(key, p.dtype, shape) < p}, with {@code p} a float array
   * broadcastable to {@code shape}. With no shape given, the result has {@code p}'s shape.
   */
  public static NDArray bernoulli(NDArray key, NDArray p, int... shape) {
    if (!p.dtype().isFloating()) {
      throw new ShapeException("Prng.bernoulli: the probability must be a float array (f32 or f64), got " + p.type() + CallSite.describe());
    }
    int[] s = shape.length == 0 ? p.shape() : shape;
    NDArray u = uniform(key, p.dtype(), 0.0, 1.0, s);
    return Ops.lt(u, Np.broadcastTo(p, s));
  }

  /** Samples along the last axis of {@code logits}: {@link #categorical(NDArray, NDArray, int)} with axis -1. */
  public static NDArray categorical(NDArray key, NDArray logits) {
    return categorical(key, logits, -1);
  }

  /**
   * Indices (i32) drawn with probabilities {@code softmax(logits, axis)}, by the Gumbel-max trick:
   * {@code argmax(logits + gumbel(key, logits.shape), axis)} ({@code jax.random.categorical}).
   */
  public static NDArray categorical(NDArray key, NDArray logits, int axis) {
    if (!logits.dtype().isFloating()) {
      throw new ShapeException("Prng.categorical: logits must be f32 or f64, got " + logits.type() + "; convert with astype" + CallSite.describe());
    }
    int a = Shapes.axis("Prng.categorical", axis, logits.ndim());
    NDArray g = gumbel(key, logits.dtype(), logits.shape());
    return Ops.argmax(Ops.add(g, logits), a, DType.INT32);
  }

  /**
   * A random permutation of 0..n-1 (i32), as {@code jax.random.permutation(key, n)}: sorts the indices
   * by fresh random u32 keys, in {@code ceil(3 ln(n) / ln(2^32 - 1))} rounds (one up to n = 1625), each
   * with a new subkey; the stable sort keeps colliding keys in order, so the result is JAX's.
   */
  public static NDArray permutation(NDArray key, int n) {
    if (n < 0) throw new ShapeException("Prng.permutation: n must be >= 0, got " + n + CallSite.describe());
    return shuffle(key, Ops.iota(DType.INT32, new int[] {n}, 0), n);
  }

  /** {@code x} with its rows (axis 0) randomly permuted, as {@code jax.random.permutation(key, x)}. */
  public static NDArray permutation(NDArray key, NDArray x) {
    if (x.ndim() == 0) throw new ShapeException("Prng.permutation: x must be at least 1-dimensional, got " + x.type() + CallSite.describe());
    return shuffle(key, x, x.shape()[0]);
  }

  /** Integers uniform in [minval, maxval) as i32 ({@code jax.random.randint}). */
  public static NDArray randint(NDArray key, long minval, long maxval, int... shape) {
    return randint(key, DType.INT32, minval, maxval, shape);
  }

  /**
   * Integers in [minval, maxval) of dtype i32, u32 or i64, with JAX's algorithm: bounds clipped to the
   * dtype (a maxval just past its range still reaches the top value), two independent draws of the
   * dtype's width from {@code split(key)}, and {@code (hi * (2^w mod span) + lo) mod span} in unsigned
   * arithmetic, which has a bias of order {@code span / 2^w} when span is not a power of two. When
   * {@code maxval <= minval} every element is minval.
   */
  public static NDArray randint(NDArray key, DType dtype, long minval, long maxval, int... shape) {
    checkKey("randint", key);
    long dmin, dmax;
    switch (dtype) {
      case INT32 -> { dmin = Integer.MIN_VALUE; dmax = Integer.MAX_VALUE; }
      case UINT32 -> { dmin = 0; dmax = 0xFFFFFFFFL; }
      case INT64 -> { dmin = Long.MIN_VALUE; dmax = Long.MAX_VALUE; }
      default -> throw new ShapeException("Prng.randint: dtype must be i32, u32 or i64, got " + dtype.shortName() + CallSite.describe());
    }
    boolean maxOutOfRange = maxval > dmax;
    NDArray lo = full(dtype, Math.max(dmin, Math.min(dmax, minval)), shape);
    NDArray hi = full(dtype, Math.max(dmin, Math.min(dmax, maxval)), shape);
    int nbits = dtype == DType.INT64 ? 64 : 32;
    DType unsigned = nbits == 64 ? DType.INT64 : DType.UINT32; // i64 carries u64 bit patterns

    NDArray keys = split(key);
    NDArray higher = randomBits(row(keys, 0), nbits, shape);
    NDArray lower = randomBits(row(keys, 1), nbits, shape);

    NDArray span = Ops.convert(Ops.sub(hi, lo), unsigned);
    span = Ops.select(Ops.le(hi, lo), full(unsigned, 1, shape), span);
    if (maxOutOfRange) span = Ops.select(Ops.gt(hi, lo), Ops.add(span, full(unsigned, 1, shape)), span);
    // (a * b) mod n == ((a mod n) * (b mod n)) mod n, with 2^w = 2^(w/2) * 2^(w/2)
    NDArray multiplier = urem(full(unsigned, 1L << (nbits / 2), shape), span);
    multiplier = urem(Ops.mul(multiplier, multiplier), span);
    NDArray offset = Ops.add(Ops.mul(urem(higher, span), multiplier), urem(lower, span));
    offset = urem(offset, span);
    return Ops.add(lo, Ops.convert(offset, dtype));
  }

  // ---- issue 13: more samplers ----

  /** Standard exponential f32 ({@code jax.random.exponential(key, shape)}). */
  public static NDArray exponential(NDArray key, int... shape) {
    return exponential(key, DType.FLOAT32, shape);
  }

  /**
   * Standard exponential of a float dtype, as JAX computes it: {@code -log1p(-u)} with u uniform in
   * [0, 1), using XLA:CPU's own log1p ({@link dev.arrax.primitives.XlaLog1p}) so the bits are JAX's.
   */
  public static NDArray exponential(NDArray key, DType dtype, int... shape) {
    checkKey("exponential", key);
    requireFloat("exponential", dtype);
    NDArray u = uniform(key, dtype, shape);
    return Ops.neg(Ops.xlaLog1p(Ops.neg(u)));
  }

  /** Standard Laplace f32 ({@code jax.random.laplace(key, shape)}). */
  public static NDArray laplace(NDArray key, int... shape) {
    return laplace(key, DType.FLOAT32, shape);
  }

  /**
   * Standard Laplace (density {@code exp(-|x|) / 2}) of a float dtype, as JAX: u uniform in
   * [-1 + epsneg, 1) where epsneg is the gap below 1 (2^-24 in f32, 2^-53 in f64), then
   * {@code sign(u) * log1p(-|u|)} with XLA:CPU's log1p.
   */
  public static NDArray laplace(NDArray key, DType dtype, int... shape) {
    checkKey("laplace", key);
    requireFloat("laplace", dtype);
    double epsneg = dtype == DType.FLOAT32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
    NDArray u = uniform(key, dtype, -1.0 + epsneg, 1.0, shape);
    return Ops.mul(Ops.sign(u), Ops.xlaLog1p(Ops.neg(Ops.abs(u))));
  }

  /** Standard normal f32 truncated to (lower, upper) ({@code jax.random.truncated_normal(key, lower, upper, shape)}). */
  public static NDArray truncatedNormal(NDArray key, double lower, double upper, int... shape) {
    return truncatedNormal(key, DType.FLOAT32, Ops.scalar(lower, DType.FLOAT64), Ops.scalar(upper, DType.FLOAT64), shape);
  }

  /**
   * A standard normal truncated to the open interval (lower, upper), of a float dtype, as JAX's
   * {@code _truncated_normal}: the bounds are converted to dtype, {@code a = erf(lower / sqrt 2)},
   * {@code b = erf(upper / sqrt 2)}, u uniform in [a, b) (with {@link #uniform}'s arithmetic),
   * {@code sqrt 2 * erf_inv(u)}, then clipped to {@code [nextafter(lower, inf), nextafter(upper, -inf)]}.
   * Bounds broadcast against each other and {@code shape}; an empty {@code shape} with array bounds means
   * their broadcast shape (JAX's {@code shape=None}). Exactness: erf_inv and uniform are XLA's bit for bit;
   * {@code erf} of the bounds is the engine's (correctly rounded), which may differ from XLA's kernel in the
   * last bit for some bounds, and then samples can differ from JAX's by an ulp.
   */
  public static NDArray truncatedNormal(NDArray key, DType dtype, NDArray lower, NDArray upper, int... shape) {
    checkKey("truncatedNormal", key);
    requireFloat("truncatedNormal", dtype);
    if (lower == null || upper == null) throw new ArraxException("Prng.truncatedNormal: lower and upper must not be null" + CallSite.describe());
    int[] boundShape = Shapes.broadcast(lower.shape(), upper.shape());
    if (boundShape == null) throw new ShapeException("Prng.truncatedNormal: bounds " + lower.type() + " and " + upper.type() + " cannot be broadcast together" + CallSite.describe());
    int[] s = shape.length == 0 ? boundShape : shape;
    int[] check = Shapes.broadcast(boundShape, s);
    if (check == null || !Arrays.equals(check, s)) {
      throw new ShapeException("Prng.truncatedNormal: bounds of shape " + Arrays.toString(boundShape) + " do not broadcast to shape " + Arrays.toString(s) + CallSite.describe());
    }
    NDArray sqrt2 = Ops.scalar(Math.sqrt(2), dtype);
    NDArray lo = Ops.convert(lower, dtype), hi = Ops.convert(upper, dtype);
    NDArray a = Ops.erf(Ops.div(lo, Np.broadcastTo(sqrt2, lo.shape())));
    NDArray b = Ops.erf(Ops.div(hi, Np.broadcastTo(sqrt2, hi.shape())));
    NDArray u = uniform(key, dtype, a, b, s);
    NDArray out = Ops.mul(Ops.full(u.type(), Math.sqrt(2)), Ops.erfInv(u));
    NDArray minB = Np.broadcastTo(nextAfter(Ops.stopGradient(lo), true), s), maxB = Np.broadcastTo(nextAfter(Ops.stopGradient(hi), false), s);
    return Ops.min(Ops.max(minB, out), maxB);
  }

  /** {@code lax.nextafter(x, +inf or -inf)} by stepping the bits: the neighbouring float toward the given infinity. */
  private static NDArray nextAfter(NDArray x, boolean up) {
    DType bitsType = x.dtype() == DType.FLOAT32 ? DType.INT32 : DType.INT64;
    NDArray b = Ops.bitcastConvertType(x, bitsType);
    NDArray one = Ops.like(b, 1);
    NDArray positive = Ops.gt(x, Ops.like(x, 0));
    NDArray step = up ? Ops.select(positive, Ops.add(b, one), Ops.sub(b, one)) : Ops.select(positive, Ops.sub(b, one), Ops.add(b, one));
    NDArray r = Ops.bitcastConvertType(step, x.dtype());
    double tinyValue = x.dtype() == DType.FLOAT32 ? Float.MIN_VALUE : Double.MIN_VALUE;
    NDArray tiny = Ops.like(x, up ? tinyValue : -tinyValue);
    r = Ops.select(Ops.eq(x, Ops.like(x, 0)), tiny, r);
    NDArray target = Ops.like(x, up ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
    r = Ops.select(Ops.eq(x, target), x, r);
    return Ops.select(Ops.ne(x, x), x, r);
  }

  /** {@code shape} draws from {@code 0..n-1} with replacement, i32 ({@code jax.random.choice(key, n, shape)}). */
  public static NDArray choice(NDArray key, int n, int... shape) {
    return choice(key, Ops.scalar(n, DType.INT32), shape, true, null, 0);
  }

  /**
   * {@code jax.random.choice(key, a, shape, replace, p, axis)}, following JAX's algorithm:
   * <ul>
   *   <li>no p, with replacement: {@code randint(key, shape, 0, n)} (i32, as JAX's default mode) and a take;</li>
   *   <li>no p, without replacement: the first draws of {@code permutation(key, ...)} along the axis;</li>
   *   <li>p, with replacement: {@code searchsorted(cumsum(p), cumsum(p)[-1] * (1 - uniform(key, shape)))};</li>
   *   <li>p, without replacement: the Gumbel top-k trick, {@code top_k(gumbel(key, n) + log(p), draws)}.</li>
   * </ul>
   * {@code a} is an integer scalar n (draws from {@code 0..n-1}) or an array (draws slices along
   * {@code axis}); the result has {@code shape} in place of that axis. Exactness: the first two are
   * JAX's bits; the p forms follow JAX's arithmetic but sum p sequentially (XLA's cumsum may round
   * differently in the last bit) and Gumbel noise inherits {@link #gumbel}'s last-bit caveat, so an index
   * can differ from JAX's only where two candidates are within an ulp.
   */
  public static NDArray choice(NDArray key, NDArray a, int[] shape, boolean replace, NDArray p, int axis) {
    checkKey("choice", key);
    if (a == null || shape == null) throw new ArraxException("Prng.choice: a and shape must not be null" + CallSite.describe());
    boolean scalar = a.ndim() == 0;
    int ax = 0, nInputs;
    if (scalar) {
      if (!a.dtype().isInteger()) throw new ShapeException("Prng.choice: a scalar a must be an integer (the population size), got " + a.type() + CallSite.describe());
      nInputs = (int) a.item();
    } else {
      ax = Shapes.axis("Prng.choice", axis, a.ndim());
      nInputs = a.shape()[ax];
    }
    int nDraws = Shapes.size(shape);
    if (nDraws == 0) return Np.zeros(shape, a.dtype());
    if (nInputs <= 0) throw new ShapeException("Prng.choice: a must be greater than 0 unless no samples are taken, got " + nInputs + CallSite.describe());
    if (!replace && nDraws > nInputs) {
      throw new ShapeException("Prng.choice: cannot take a larger sample (size " + nDraws + ") than population (size " + nInputs + ") when replace=false"
          + CallSite.describe());
    }
    NDArray result;
    if (p == null) {
      if (replace) {
        NDArray ind = randint(key, DType.INT32, 0, nInputs, shape);
        result = scalar ? ind : Np.take(a, ind, ax);
      } else {
        NDArray perm = scalar ? permutation(key, nInputs) : a.ndim() == 1 ? permutation(key, a) : Np.take(a, permutation(key, nInputs), ax);
        result = Lax.sliceInDim(perm, 0, nDraws, 1, ax);
      }
    } else {
      if (p.ndim() != 1 || p.shape()[0] != nInputs) {
        throw new ShapeException("Prng.choice: p must be null or a 1-d array with the size of a's axis (" + nInputs + "), got " + p.type() + CallSite.describe());
      }
      NDArray pf = Np.toFloat(p);
      NDArray ind;
      if (replace) {
        NDArray cum = Ops.cumsum(pf, 0, false);
        NDArray total = Ops.reshape(Ops.slice(cum, new int[] {nInputs - 1}, new int[] {nInputs}, new int[] {1}));
        NDArray u = uniform(key, pf.dtype(), shape);
        NDArray r = Ops.mul(Np.broadcastTo(total, shape), Ops.sub(Ops.full(u.type(), 1), u));
        // searchsorted(cum, r, side='left') = the number of entries of cum strictly below r (cum is non-decreasing)
        int[] both = Shapes.concat(shape, new int[] {nInputs});
        NDArray below = Ops.lt(Ops.broadcastInDim(cum, both, new int[] {shape.length}), Ops.broadcastInDim(r, both, Shapes.range(shape.length)));
        ind = Ops.reduceSum(Ops.convert(below, DType.INT32), shape.length);
      } else {
        NDArray g = Ops.add(gumbel(key, pf.dtype(), nInputs), Ops.log(pf));
        NDArray top = Lax.sliceInDim(Np.argsort(g, 0, true), 0, nDraws, 1, 0); // lax.top_k: largest first, lower index first on ties
        ind = Ops.reshape(Ops.convert(top, DType.INT32), shape);
      }
      result = scalar ? ind : Np.take(a, ind, ax);
    }
    int[] out = scalar ? shape : Shapes.concat(Shapes.concat(Arrays.copyOfRange(a.shape(), 0, ax), shape), Arrays.copyOfRange(a.shape(), ax + 1, a.ndim()));
    return Ops.reshape(result, out);
  }

  // ---- internals ----

  /** The two Threefry output words for every counter of {@code shape} (row-major index i as the counter (0, i)). */
  private static NDArray[] hash(NDArray key, int[] shape) {
    NDArray hi = full(DType.UINT32, 0, shape);
    NDArray lo = shape.length == 0 ? hi : Ops.reshape(Ops.iota(DType.UINT32, new int[] {Shapes.size(shape)}, 0), shape);
    return Ops.threefry2x32(Ops.broadcastInDim(word(key, 0), shape, new int[0]), Ops.broadcastInDim(word(key, 1), shape, new int[0]), hi, lo);
  }

  /** Random bits: u32 for width 32 (the two words xored), u64 bit patterns in i64 for width 64 (first word high). */
  private static NDArray randomBits(NDArray key, int width, int[] shape) {
    NDArray[] w = hash(key, shape);
    if (width == 32) return Ops.xor(w[0], w[1]);
    NDArray high = Ops.convert(w[0], DType.INT64), low = Ops.convert(w[1], DType.INT64);
    return Ops.or(Ops.shiftLeft(high, full(DType.INT64, 32, shape)), low);
  }

  /** Rounds of sorting {@code x} along axis 0 by random u32 keys, as JAX's {@code _shuffle}. */
  private static NDArray shuffle(NDArray key, NDArray x, int n) {
    checkKey("permutation", key);
    int rounds = (int) Math.ceil(3 * Math.log(Math.max(1, n)) / Math.log(4294967295.0));
    for (int r = 0; r < rounds; r++) {
      NDArray keys = split(key);
      key = row(keys, 0);
      NDArray sortKeys = Ops.broadcastInDim(randomBits(row(keys, 1), 32, new int[] {n}), x.shape(), new int[] {0});
      x = Ops.sort(new NDArray[] {sortKeys, x}, 0, 1)[1];
    }
    return x;
  }

  /**
   * Unsigned remainder {@code a mod n}: the {@code rem} primitive for u32; for u64 bit patterns in i64
   * (which has no unsigned division) Hacker's Delight's reduction to signed division: for n < 2^63,
   * q = 2 * ((a >>> 1) / n) is the quotient or one less, so one conditional subtraction of n from
   * a - q n finishes; for n >= 2^63 the quotient is 0 or 1.
   */
  private static NDArray urem(NDArray a, NDArray n) {
    if (a.dtype() == DType.UINT32) return Ops.rem(a, n);
    int[] s = a.shape();
    NDArray one = full(DType.INT64, 1, s);
    NDArray q = Ops.shiftLeft(Ops.div(Ops.shiftRightLogical(a, one), n), one);
    NDArray r = Ops.sub(a, Ops.mul(q, n));
    NDArray small = Ops.select(uge(r, n), Ops.sub(r, n), r);
    NDArray large = Ops.select(uge(a, n), Ops.sub(a, n), a);
    return Ops.select(Ops.lt(n, full(DType.INT64, 0, s)), large, small);
  }

  /** {@code a >= b} for u64 bit patterns held in i64: flip the sign bits and compare signed. */
  private static NDArray uge(NDArray a, NDArray b) {
    NDArray flip = full(DType.INT64, Long.MIN_VALUE, a.shape());
    return Ops.ge(Ops.xor(a, flip), Ops.xor(b, flip));
  }

  /** Word {@code i} of a key, a u32 scalar. */
  private static NDArray word(NDArray key, int i) {
    return Ops.reshape(Ops.slice(key, new int[] {i}, new int[] {i + 1}, new int[] {1}));
  }

  /** Row {@code i} of a u32[n, 2] array of keys. */
  private static NDArray row(NDArray keys, int i) {
    return Ops.reshape(Ops.slice(keys, new int[] {i, 0}, new int[] {i + 1, 2}, new int[] {1, 1}), 2);
  }

  /** A scalar of an integer dtype holding the low bits of {@code v} (exact, unlike a double). */
  private static NDArray scalar(DType d, long v) {
    Buffer b = Buffer.allocate(d, 1);
    b.setLong(0, v);
    return new ConcreteArray(ArrayType.of(d), b);
  }

  private static NDArray full(DType d, long v, int[] shape) {
    NDArray s = scalar(d, v);
    return shape.length == 0 ? s : Ops.broadcastInDim(s, shape, new int[0]);
  }

  private static void checkKey(String op, NDArray key) {
    if (key == null) throw new ArraxException("Prng." + op + ": key is null" + CallSite.describe());
    if (key.dtype() != DType.UINT32 || !Arrays.equals(key.shape(), new int[] {2})) {
      throw new ShapeException("Prng." + op + ": a key is a u32[2] array (from Prng.key, split or foldIn), got " + key.type()
          + (key.dtype() == DType.UINT32 && key.ndim() == 2 && key.shape()[1] == 2
              ? "; for an array of keys, vmap over its first axis or take one row" : "")
          + CallSite.describe());
    }
  }

  private static void requireFloat(String op, DType d) {
    if (!d.isFloating()) throw new ShapeException("Prng." + op + ": dtype must be f32 or f64, got " + d.shortName() + CallSite.describe());
  }
}
