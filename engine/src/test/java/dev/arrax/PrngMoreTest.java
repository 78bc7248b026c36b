package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.primitives.Ops;
import dev.arrax.testing.Check;
import dev.arrax.testing.Exact;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Prng#exponential}, {@link Prng#laplace}, {@link Prng#truncatedNormal}, {@link Prng#choice}.
 *
 * <p>JAX values: {@code tests/random_test.py} of JAX 0.10.2 (jax-ml/jax, {@code _RANDOM_VALUES_CASES},
 * threefry2x32, shape (5,), f32) pins each sampler on the key {@code PRNGKey(adler32(name + "threefry2x32"))},
 * printed to 6 digits, for the original (non-partitionable) threefry bits. Arrax makes JAX's default
 * partitionable bits, so this class rebuilds the original bits (JAX's {@code threefry_2x32} over
 * {@code iota(5)} padded to even length and split in halves) from the engine's threefry2x32 primitive,
 * checks the uniform case as a control, and then checks that the samplers' transforms of those uniforms
 * give JAX's pinned values. The samplers' own streams are then checked to be exactly those transforms of
 * {@link Prng#uniform} (bit for bit, eagerly, under jit and under vmap).
 */
class PrngMoreTest {

  /** JAX's original {@code _threefry_random_bits} for 32 bits and n elements. */
  static long[] originalBits(long seed, int n) {
    NDArray key = Prng.key(seed);
    int m = n + n % 2, h = m / 2;
    long[] c0 = new long[h], c1 = new long[h];
    for (int i = 0; i < m; i++) {
      long v = i < n ? i : 0;
      if (i < h) c0[i] = v;
      else c1[i - h] = v;
    }
    NDArray k0 = Np.broadcastTo(Ops.reshape(Lax.sliceInDim(key, 0, 1, 1, 0)), h), k1 = Np.broadcastTo(Ops.reshape(Lax.sliceInDim(key, 1, 2, 1, 0)), h);
    NDArray[] w = Ops.threefry2x32(k0, k1, Exact.ints(DType.UINT32, new int[] {h}, c0), Exact.ints(DType.UINT32, new int[] {h}, c1));
    long[] a = w[0].toLongArray(), b = w[1].toLongArray(), out = new long[n];
    for (int i = 0; i < n; i++) out[i] = i < h ? a[i] : b[i - h];
    return out;
  }

  /** f32 uniforms in [lo, hi) from 32 random bits, as jax.random.uniform. */
  static float[] uniformF32(long[] bits, float lo, float hi) {
    float[] u = new float[bits.length];
    for (int i = 0; i < u.length; i++) {
      float f = Float.intBitsToFloat((int) ((bits[i] >>> 9) | 0x3F800000L)) - 1.0f;
      u[i] = Math.max(lo, Math.fma(f, hi - lo, lo));
    }
    return u;
  }

  private static double[] jaxGolden(String name, double... values) { return values; }

  @Test
  void transformsReproduceJaxsPinnedValues() {
    // control: uniform, seed adler32("uniformthreefry2x32") = 1338574713
    float[] u = uniformF32(originalBits(1338574713L, 5), 0f, 1f);
    Check.close(jaxGolden("uniform", 0.298671, 0.073213, 0.873356, 0.260549, 0.412797), toDoubles(u), 2e-6, 1e-6, "uniform (control)");
    // exponential: -log1p(-u), seed 1942292768
    float[] ue = uniformF32(originalBits(1942292768L, 5), 0f, 1f);
    double[] ex = new double[5];
    for (int i = 0; i < 5; i++) ex[i] = -Math.log1p(-ue[i]);
    Check.close(jaxGolden("exponential", 0.526067, 0.043046, 0.039932, 0.46427, 0.123886), ex, 2e-6, 1e-6, "exponential transform");
    // laplace: u in [-1 + epsneg, 1), sign(u) log1p(-|u|), seed 1291781963
    float[] ul = uniformF32(originalBits(1291781963L, 5), -1f + Math.ulp(1f) / 2, 1f);
    double[] la = new double[5];
    for (int i = 0; i < 5; i++) la[i] = Math.signum(ul[i]) * Math.log1p(-Math.abs(ul[i]));
    Check.close(jaxGolden("laplace", 0.578939, -0.204902, 0.555733, 0.911053, -0.96456), la, 2e-6, 1e-6, "laplace transform");
    // truncated_normal(lower=0, upper=2): u in [erf(0), erf(2/sqrt 2)), sqrt(2) erf_inv(u), seed 2846034731
    float a = 0f, b = (float) NnSpecialTest.erfSeries(2 / Math.sqrt(2));
    float[] ut = uniformF32(originalBits(2846034731L, 5), a, b);
    NDArray tn = Ops.mul(Np.full(new int[] {5}, Math.sqrt(2), DType.FLOAT32), Ops.erfInv(NDArray.of(ut)));
    Check.close(jaxGolden("truncated_normal", 0.582807, 1.709771, 0.159513, 0.861376, 0.36148), tn.toDoubleArray(), 2e-6, 1e-6, "truncated_normal transform");
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  @Test
  void samplersAreExactlyTheTransformsOfUniformAndSurviveJitAndVmap() {
    NDArray key = Prng.key(7);
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      NDArray u = Prng.uniform(key, d, 500);
      Exact.sameBits(Ops.neg(Ops.xlaLog1p(Ops.neg(u))), Prng.exponential(key, d, 500), "exponential " + d);
      double epsneg = d == DType.FLOAT32 ? Math.ulp(1.0f) / 2 : Math.ulp(1.0) / 2;
      NDArray ul = Prng.uniform(key, d, -1.0 + epsneg, 1.0, 500);
      Exact.sameBits(Ops.mul(Ops.sign(ul), Ops.xlaLog1p(Ops.neg(Ops.abs(ul)))), Prng.laplace(key, d, 500), "laplace " + d);
      for (Fn f : new Fn[] {k -> Prng.exponential(k[0], d, 3, 4), k -> Prng.laplace(k[0], d, 3, 4), k -> Prng.truncatedNormal(k[0], d, NDArray.scalar(-1.0),
          NDArray.scalar(2.5), 3, 4)}) {
        NDArray eager = f.apply(key);
        Exact.sameBits(eager, Arrax.jit(f).apply(key), "jit " + d);
        NDArray keys = Prng.split(key, 3);
        NDArray batched = Arrax.vmap(f).apply(keys);
        for (int i = 0; i < 3; i++) Exact.sameBits(f.apply(Lax.indexInDim(keys, i, 0, false)), Lax.indexInDim(batched, i, 0, false), "vmap row " + i + " " + d);
      }
    }
    dev.arrax.testing.ProgramCheck.roundTrip(k -> Prng.laplace(k[0], 4), new NDArray[] {key}, "laplace program text (xla_cpu_log1p)");
    // XLA's log1p is not the correctly rounded one: somewhere among these uniforms the two differ by an ulp
    NDArray u = Prng.uniform(Prng.key(1), DType.FLOAT32, 5000);
    long[] xla = Exact.bits(Ops.xlaLog1p(Ops.neg(u))), exact = Exact.bits(Ops.log1p(Ops.neg(u)));
    int differ = 0;
    for (int i = 0; i < xla.length; i++) if (xla[i] != exact[i]) differ++;
    assertTrue(differ > 0 && differ < xla.length / 10, "XLA:CPU's log1p differs from the correctly rounded one in a few last bits (" + differ + ")");
  }

  @Test
  void distributionsHaveTheirMoments() {
    NDArray key = Prng.key(3);
    int n = 40_000;
    NDArray e = Prng.exponential(key, DType.FLOAT64, n);
    assertTrue(Np.min(e).item() >= 0, "exponential is non-negative");
    Check.close(new double[] {1, 1}, new double[] {Np.mean(e).item(), Np.var(e).item()}, 0.05, 0, "exponential mean 1, variance 1 (4 sigma)");
    NDArray l = Prng.laplace(key, DType.FLOAT64, n);
    Check.close(new double[] {0, 2}, new double[] {Np.mean(l).item(), Np.var(l).item()}, 0.06, 0.03, "laplace mean 0, variance 2 (4 sigma)");
    NDArray t = Prng.truncatedNormal(key, DType.FLOAT64, NDArray.scalar(0.0), NDArray.scalar(2.0), n);
    assertTrue(Np.min(t).item() > 0 && Np.max(t).item() < 2, "truncated normal stays in the open interval");
    double phi0 = 1 / Math.sqrt(2 * Math.PI), phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    double z = NnSpecialTest.erfSeries(2 / Math.sqrt(2)) / 2;
    Check.close(new double[] {(phi0 - phi2) / z}, new double[] {Np.mean(t).item()}, 0.015, 0, "truncated normal mean (phi(a) - phi(b)) / (Phi(b) - Phi(a))");
    NDArray tf = Prng.truncatedNormal(key, 3.0, 3.0 + 1e-6f, 100);
    assertEquals(DType.FLOAT32, tf.dtype());
    assertTrue(Np.min(tf).item() > 3.0 && Np.max(tf).item() < 3.0 + 1e-6f, "a tiny interval: clipped into (lower, upper)");
    NDArray bounds = Prng.truncatedNormal(key, DType.FLOAT32, NDArray.of(-1.0, 0.0, 5.0), NDArray.of(1.0, 0.5, 6.0));
    assertEquals("f32[3]", bounds.type().toString(), "no shape: the bounds' broadcast shape");
  }

  @Test
  void choiceFollowsJaxsAlgorithm() {
    NDArray key = Prng.key(11);
    // with replacement, no p: randint(key, shape, 0, n)
    Exact.sameLongs(Prng.randint(key, 0, 6, 4, 2).toLongArray(), Prng.choice(key, 6, 4, 2), "choice(key, 6, (4, 2)) = randint(key, (4, 2), 0, 6)");
    NDArray a = Np.reshape(Np.arange(20), 5, 4);
    NDArray rows = Prng.choice(key, a, new int[] {3}, true, null, 0);
    assertEquals("i64[3,4]", rows.type().toString());
    Check.close(Np.take(a, Prng.randint(key, 0, 5, 3), 0), rows, 0, 0, "rows of a at randint indices");
    NDArray cols = Prng.choice(key, a, new int[] {2, 2}, true, null, 1);
    assertEquals("i64[5,2,2]", cols.type().toString(), "axis 1: the drawn shape replaces it");
    // without replacement: the first draws of permutation(key, n)
    Exact.sameLongs(Lax.sliceInDim(Prng.permutation(key, 10), 0, 4, 1, 0).toLongArray(), Prng.choice(key, NDArray.scalar(10, DType.INT32), new int[] {4}, false, null, 0),
        "choice without replacement");
    NDArray distinct = Prng.choice(key, NDArray.scalar(50, DType.INT64), new int[] {50}, false, null, 0);
    Set<Long> seen = new HashSet<>();
    for (long v : distinct.toLongArray()) seen.add(v);
    assertEquals(50, seen.size(), "a full draw without replacement is a permutation");
    // with p: frequencies follow p; zero-probability entries never appear
    NDArray p = NDArray.of(0.1, 0.0, 0.6, 0.3);
    NDArray draws = Prng.choice(key, NDArray.scalar(4, DType.INT32), new int[] {10_000}, true, p, 0);
    double[] freq = new double[4];
    for (long v : draws.toLongArray()) freq[(int) v] += 1.0 / 10_000;
    Check.close(new double[] {0.1, 0, 0.6, 0.3}, freq, 0, 0.02, "frequencies with p (4 sigma)");
    NDArray noRep = Prng.choice(key, NDArray.scalar(4, DType.INT32), new int[] {3}, false, p, 0);
    Set<Long> s = new HashSet<>();
    for (long v : noRep.toLongArray()) s.add(v);
    assertEquals(Set.of(0L, 2L, 3L), s, "without replacement and p: the three possible entries, each once");
    Fn f = k -> Prng.choice(k[0], NDArray.scalar(7, DType.INT32), new int[] {5}, true, NDArray.of(1.0, 2.0, 3.0, 1.0, 1.0, 1.0, 1.0), 0);
    Exact.sameBits(f.apply(key), Arrax.jit(f).apply(key), "choice under jit");
    NDArray keys = Prng.split(key, 2);
    Exact.sameBits(f.apply(Lax.indexInDim(keys, 1, 0, false)), Lax.indexInDim(Arrax.vmap(f).apply(keys), 1, 0, false), "choice under vmap");
    ShapeException big = assertThrows(ShapeException.class, () -> Prng.choice(key, NDArray.scalar(3, DType.INT32), new int[] {4}, false, null, 0));
    assertTrue(big.getMessage().startsWith("Prng.choice: cannot take a larger sample (size 4) than population (size 3) when replace=false"), big.getMessage());
    assertThrows(ShapeException.class, () -> Prng.choice(key, NDArray.scalar(3, DType.INT32), new int[] {2}, true, NDArray.of(0.5, 0.5), 0));
  }
}
