package dev.arrax.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.testing.Exact;
import org.junit.jupiter.api.Test;

/** Engine bugs the program fuzzer found, each as a direct regression test. */
class FuzzFoundBugsTest {
  /**
   * Comparisons of bool values inside an f32 SIMD kernel: the writer emitted {@code mask.compare(...)}, which masks do not
   * have, so jit failed with "generated kernel does not compile" (ProgramFuzzTest seeds 1220, 1223, 1250).
   */
  @Test
  void boolComparisonsInVectorKernels() {
    NDArray x = Np.linspace(-2, 2, 37).astype(DType.FLOAT32);
    for (int op = 0; op < 6; op++) {
      final int k = op;
      Fn f = a -> {
        NDArray p = Np.greater(a[0], 0.0), q = Np.less(a[0], 0.5);
        NDArray c = switch (k) {
          case 0 -> Np.equal(p, q);
          case 1 -> Np.notEqual(p, q);
          case 2 -> Np.less(p, q);
          case 3 -> Np.lessEqual(p, q);
          case 4 -> Np.greater(p, q);
          default -> Np.greaterEqual(p, q);
        };
        // a select between bool masks too (seeds 786, 2839, 5606, 6165, 11726: masks have no blend)
        NDArray m = Np.where(Np.less(a[0], 1.0), c, p);
        return Np.where(m, Np.multiply(a[0], 2.0), Np.negative(a[0]));
      };
      NDArray eager = f.apply(x);
      Exact.sameBits(eager, Arrax.jit(f).apply(x), "bool comparison " + k);
      // the reference: false < true
      float[] xs = x.toFloatArray(), e = eager.toFloatArray();
      for (int i = 0; i < xs.length; i++) {
        int p = xs[i] > 0 ? 1 : 0, q = xs[i] < 0.5f ? 1 : 0;
        boolean c = switch (k) {
          case 0 -> p == q;
          case 1 -> p != q;
          case 2 -> p < q;
          case 3 -> p <= q;
          case 4 -> p > q;
          default -> p >= q;
        };
        boolean m = xs[i] < 1 ? c : p == 1;
        if (e[i] != (m ? xs[i] * 2 : -xs[i])) throw new AssertionError("op " + k + " element " + i);
      }
    }
  }

  /**
   * A custom-rule function (logaddexp) applied under vmap to arguments that are all unmapped called vmap with no mapped
   * argument: "vmap: no argument is mapped" (seed 3224).
   */
  @Test
  void customRuleFunctionsOfUnmappedValuesUnderVmap() {
    NDArray xs = Np.linspace(-1, 1, 6).reshape(3, 2), y = NDArray.of(0.25, -2.0);
    Fn f = a -> Np.add(a[0], Np.logaddexp(Np.multiply(a[1], 2.0), a[1]));
    NDArray out = Arrax.vmap(f, 0, null).apply(xs, y);
    for (int b = 0; b < 3; b++) {
      NDArray row = f.apply(Lax.indexInDim(xs, b, 0, false), y);
      Exact.sameBits(row, Lax.indexInDim(out, b, 0, false), "row " + b);
    }
    double want = -1 + Math.log(Math.exp(0.5) + Math.exp(0.25));
    org.junit.jupiter.api.Assertions.assertEquals(want, out.getDouble(0, 0), 1e-15);
    fuzzSeeds(3224);
  }

  /** Selects between bool values in SIMD kernels (masks have no blend) failed to compile. */
  @Test
  void boolSelectsInVectorKernels() {
    fuzzSeeds(786, 2839, 5606, 6165, 11726);
  }

  private static void fuzzSeeds(long... seeds) {
    ProgramFuzzTest fuzz = new ProgramFuzzTest();
    for (long seed : seeds) fuzz.check(seed);
  }

  /**
   * A fused group whose outputs are empty still ran its kernel, which read a broadcast input hoisted out of the empty
   * column loop: ArrayIndexOutOfBoundsException when that input was empty too (seeds 1036, 1040, 1176, 1280, 20261175; row-blocked runs: 1616).
   */
  @Test
  void emptyFusedGroupsDoNotReadTheirInputs() {
    NDArray a = Np.zeros(new int[] {3, 1, 0}, DType.FLOAT32), s = NDArray.scalar(1.5, DType.FLOAT32);
    for (int v = 0; v < 3; v++) {
      final int k = v;
      Fn f = xs -> switch (k) {
        case 0 -> Np.add(Np.multiply(xs[0], xs[1]), xs[1]);
        case 1 -> Np.exp(Np.add(Np.broadcastTo(Lax.sliceInDim(Np.reshape(xs[1], 1), 0, 0, 1, 0), 3, 1, 0), xs[0]));
        default -> Np.where(Np.greater(xs[1], 0.0), Np.transpose(xs[0], 2, 1, 0), Np.sqrt(Np.transpose(xs[0], 2, 1, 0)));
      };
      NDArray eager = f.apply(a, s);
      for (int rep = 0; rep < 2; rep++) assertArrayEquals(eager.shape(), Arrax.jit(f).apply(a, s).shape(), "variant " + k);
    }
    fuzzSeeds(new long[] {697, 1036, 1040, 1176, 1220, 1223, 1250, 1280, 1616, 2043, 2110, 3998, 4174, 4239, 20261175, 20261220, 20261223});
  }
}
