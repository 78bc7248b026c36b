package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.backend.Backends;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.compile.Passes;
import dev.arrax.gpu.lower.GpuLowering;
import dev.arrax.gpu.plan.HostEvaluator;
import dev.arrax.ir.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random per-row programs through the GPU lowering: seeded compositions of elementwise operations (the transcendental
 * ones included), comparisons and selects, reductions over the feature axis, broadcasts of reductions back, matmuls with
 * weight matrices, per-row gradients and float64 casts, over {@code [rows, d]} inputs with NaN, infinities and zeros
 * placed at random. Each program the lowering claims is run by the {@link HostEvaluator} (cuDF's semantics on the host)
 * and compared with the CPU backend: within 1e-4 of the value or of the output's scale, NaN where the CPU has NaN,
 * infinities equal. (One primitive at a time holds {@link Compare#F32_REL}, 1e-5, in {@link PrimitiveLoweringTest};
 * chains of up to nine operations with cancellations amplify the 1-2 ulp differences of transcendental functions: at
 * 1e-5, 3 of 1,000 programs differ by up to 4e-5 of their scale, none by more.) A failure names the seed and prints the
 * program. {@code -Darrax.fuzz.gpuPrograms=N} for a long run.
 */
class GpuPlanFuzzTest {
  static final int PROGRAMS = Integer.getInteger("arrax.fuzz.gpuPrograms", 150);

  @Test
  void randomPerRowProgramsLowerToPlansThatMatchTheCpu() {
    TreeMap<String, Integer> counts = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (int seed = 0; seed < PROGRAMS; seed++) {
      String r = runOne(seed);
      counts.merge(r.startsWith("FAIL") ? "failed" : r, 1, Integer::sum);
      if (r.startsWith("FAIL")) failures.add(r);
    }
    System.out.println("GPU FUZZ programs=" + PROGRAMS + " " + counts);
    assertTrue(failures.isEmpty(), failures.size() + " of " + PROGRAMS + " programs differ:\n" + String.join("\n=====\n", failures));
    assertTrue(counts.getOrDefault("lowered", 0) >= PROGRAMS / 2, "the lowering claimed too few programs to test anything: " + counts);
  }

  /** "lowered", "declined", or "FAIL ..." with the seed and the program. */
  static String runOne(long seed) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 7);
    int rows = 1 + rng.nextInt(300);
    int d = 1 + rng.nextInt(12);
    NDArray x = input(rng, rows, d);
    NDArray y = input(rng, rows, d);
    NDArray w = Workloads.normal(seed + 101, 1 / Math.sqrt(d), d, d);
    int steps = 2 + rng.nextInt(8);
    long opSeed = rng.nextLong();
    boolean grad = rng.nextInt(4) == 0;
    MultiFn f = a -> {
      SplittableRandom ops = new SplittableRandom(opSeed);
      List<NDArray> env = new ArrayList<>(List.of(a[0], a[1]));
      for (int s = 0; s < steps; s++) env.add(step(ops, env, a[2]));
      NDArray last = env.get(env.size() - 1);
      NDArray other = env.get(ops.nextInt(env.size()));
      return new NDArray[] {last, Np.sum(other, -1)};
    };
    Program p;
    try {
      if (grad) {
        MultiFn scalar = a -> new NDArray[] {Np.sum(Np.tanh(f.call(a)[0]))};
        p = Arrax.makeJaxprMulti(a -> new NDArray[] {Arrax.grad(b -> scalar.call(b)[0]).apply(a[0], a[1], a[2])}, x, y, w);
      } else {
        p = Arrax.makeJaxprMulti(f, x, y, w);
      }
    } catch (RuntimeException e) {
      return "FAIL seed " + seed + ": tracing threw " + e;
    }
    ProgramPlan plan = ProgramPlan.of(Passes.optimize(p));
    GpuLowering.Result r = GpuLowering.lower(plan);
    if (!r.lowered()) return "declined";
    NDArray[] args = {x, y, w};
    NDArray[] expected = Backends.compile(plan, "cpu").run(args);
    NDArray[] actual = HostEvaluator.run(r.plan(), args);
    for (int i = 0; i < expected.length; i++) {
      try {
        Compare.assertClose("seed " + seed + " output " + i, expected[i], actual[i], 1e-4);
      } catch (AssertionError e) {
        return "FAIL seed " + seed + " (" + rows + " rows): " + e.getMessage() + "\n" + plan.program();
      }
    }
    return "lowered";
  }

  /** One random operation over values in {@code env} (all {@code [rows, d]} f32, or f64 after a cast). */
  static NDArray step(SplittableRandom r, List<NDArray> env, NDArray weights) {
    NDArray a = env.get(r.nextInt(env.size()));
    NDArray b = env.get(r.nextInt(env.size()));
    if (!a.type().equals(b.type())) b = b.astype(a.dtype());
    switch (r.nextInt(16)) {
      case 0: return Np.add(a, b);
      case 1: return Np.multiply(a, b);
      case 2: return Np.subtract(a, b);
      case 3: return Np.divide(a, Np.add(Np.abs(b), 1.0));
      case 4: return Np.tanh(a);
      case 5: return Np.exp(Np.minimum(a, 10.0));
      case 6: return Np.log(Np.add(Np.abs(a), 0.5));
      case 7: return Np.where(Np.greater(a, b), a, Np.negative(b));
      case 8: return Np.maximum(a, b);
      case 9: return Np.subtract(a, Np.expandDims(Np.max(a, -1), -1));
      case 10: return Np.multiply(a, Np.expandDims(Np.sum(b, -1), -1));
      case 11: return a.dtype() == weights.dtype() ? Np.matmul(a, weights) : Np.sqrt(Np.abs(a));
      case 12: return Nn.sigmoid(a);
      case 13: return Np.sqrt(Np.abs(a));
      case 14: return Nn.logSoftmax(a, -1);
      default: return a.astype(dev.arrax.DType.FLOAT64);
    }
  }

  /** Gaussian values with a few NaN, infinities and zeros. */
  static NDArray input(SplittableRandom r, int rows, int d) {
    float[] v = new float[rows * d];
    for (int i = 0; i < v.length; i++) {
      int k = r.nextInt(100);
      v[i] = k == 0 ? Float.NaN : k == 1 ? Float.POSITIVE_INFINITY : k == 2 ? Float.NEGATIVE_INFINITY : k == 3 ? 0f : (float) r.nextGaussian();
    }
    return NDArray.fromFlat(v, rows, d);
  }
}
