package dev.arrax.compile.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.ir.Program;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tiled chains ({@link TiledChain}): per-row networks of products, fused loops and reshapes run 4 rows at a time give the
 * bits of the same steps run block by block, for random layer widths, depths, activations, row counts (tiles with 1-3
 * rows left over, blocks of any size) and thread counts; and they agree with a float64 loop over rows.
 */
class TiledChainTest {
  private static final int L = VectorMatmul.lanes();

  @org.junit.jupiter.api.BeforeEach
  void chainsRunFromTheirFirstCall() {
    TiledChain.startCompiledForTests = true;
    Parallel.minParallelWork = CpuDeterminismTest.SPLIT_SMALL; // a few hundred rows split across the threads too
  }

  @AfterEach
  void restore() {
    TiledChain.startCompiledForTests = false;
    Parallel.minParallelWork = Parallel.DEFAULT_MIN_PARALLEL_WORK;
    TiledChain.enabled = true;
    RowBlockedSequence.blockRowsForTests = 0;
    Parallel.setThreads(Integer.getInteger("arrax.threads", Runtime.getRuntime().availableProcessors()));
  }

  /** A random per-row network: widths w[0] -> w[1] -> ... with an activation per layer, its input gradient per row. */
  private record Net(int[] widths, int[] acts, float[][] weights, float[][] biases) {
    NDArray forward(NDArray x) {
      NDArray h = x;
      for (int l = 0; l + 1 < widths.length; l++) {
        NDArray w = NDArray.fromFlat(weights[l], widths[l], widths[l + 1]);
        h = Np.add(Np.dot(h, w), NDArray.fromFlat(biases[l], widths[l + 1]));
        h = switch (acts[l]) {
          case 0 -> Np.tanh(h);
          case 1 -> Nn.sigmoid(h);
          case 2 -> Np.where(Np.greater(h, 0.0), h, Np.multiply(h, 0.1)); // leaky relu: a bool mask in the loop
          case 3 -> Np.multiply(Np.exp(Np.multiply(h, -0.5)), h);
          default -> Np.multiply(Np.tanh(h), Nn.sigmoid(h)); // two transcendental functions in one loop: lane calls
        };
      }
      return Np.sum(h);
    }

    static double act(int a, double z) {
      return switch (a) {
        case 0 -> Math.tanh(z);
        case 1 -> 1 / (1 + Math.exp(-z));
        case 2 -> z > 0 ? z : 0.1 * z;
        case 3 -> Math.exp(-0.5 * z) * z;
        default -> Math.tanh(z) * act(1, z);
      };
    }

    static double dact(int a, double z) {
      return switch (a) {
        case 0 -> 1 - Math.tanh(z) * Math.tanh(z);
        case 1 -> act(1, z) * (1 - act(1, z));
        case 2 -> z > 0 ? 1 : 0.1;
        case 3 -> Math.exp(-0.5 * z) * (1 - 0.5 * z);
        default -> dact(0, z) * act(1, z) + Math.tanh(z) * dact(1, z);
      };
    }

    /** d sum(forward(x_row)) / d x_row in float64, by the chain rule written out. */
    double[] gradient64(float[] x, int row) {
      int layers = widths.length - 1;
      double[][] z = new double[layers][];
      double[] h = new double[widths[0]];
      for (int i = 0; i < h.length; i++) h[i] = x[row * widths[0] + i];
      for (int l = 0; l < layers; l++) {
        z[l] = new double[widths[l + 1]];
        for (int j = 0; j < widths[l + 1]; j++) {
          double s = biases[l][j];
          for (int i = 0; i < widths[l]; i++) s += h[i] * weights[l][i * widths[l + 1] + j];
          z[l][j] = s;
        }
        h = new double[widths[l + 1]];
        for (int j = 0; j < h.length; j++) h[j] = act(acts[l], z[l][j]);
      }
      double[] g = new double[widths[layers]];
      java.util.Arrays.fill(g, 1);
      for (int l = layers - 1; l >= 0; l--) {
        double[] back = new double[widths[l]];
        for (int i = 0; i < widths[l]; i++) {
          double s = 0;
          for (int j = 0; j < widths[l + 1]; j++) s += weights[l][i * widths[l + 1] + j] * g[j] * dact(acts[l], z[l][j]);
          back[i] = s;
        }
        g = back;
      }
      return g;
    }
  }

  private static Net randomNet(SplittableRandom r, int forcedAct) {
    int layers = 1 + r.nextInt(3);
    int[] widths = new int[layers + 1];
    for (int l = 0; l <= layers; l++) widths[l] = L * (1 + r.nextInt(5)); // whole vectors: 1 to 5 (tiles of 4, 2 and 1)
    if (r.nextInt(4) == 0) widths[0] = 3 + r.nextInt(40); // an input width that is not: the first product's k only
    int[] acts = new int[layers];
    float[][] w = new float[layers][], b = new float[layers][];
    for (int l = 0; l < layers; l++) {
      acts[l] = forcedAct >= 0 ? forcedAct : r.nextInt(5);
      w[l] = new float[widths[l] * widths[l + 1]];
      for (int i = 0; i < w[l].length; i++) w[l][i] = (float) (r.nextDouble(-1, 1) / Math.sqrt(widths[l]));
      b[l] = new float[widths[l + 1]];
      for (int i = 0; i < b[l].length; i++) b[l][i] = (float) r.nextDouble(-0.5, 0.5);
    }
    return new Net(widths, acts, w, b);
  }

  private static float[] gradients(Net net, NDArray x) {
    Fn perRow = Arrax.jit(Arrax.vmap(Arrax.grad(a -> net.forward(a[0])), 0));
    return perRow.apply(x).toFloatArray();
  }

  @Test
  void chainsGiveTheBitsOfTheSeparateStepsAndAgreeWithFloat64() {
    org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.AVAILABLE && L >= 8, "tiled chains need the Vector API");
    SplittableRandom r = new SplittableRandom(20261130);
    for (int trial = 0; trial < 26; trial++) {
      Net net = randomNet(r, trial < 2 ? 4 : -1); // first the gated activation: its loop calls two functions on arrays
      int rows = 1 + r.nextInt(700);
      float[] x = new float[rows * net.widths()[0]];
      for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-2, 2);
      NDArray xa = NDArray.fromFlat(x, rows, net.widths()[0]);
      int threads = 1 + r.nextInt(3), block = new int[] {0, 16, 21, 100}[r.nextInt(4)];
      Parallel.setThreads(threads);
      RowBlockedSequence.blockRowsForTests = block;
      String what = "trial " + trial + ": widths " + java.util.Arrays.toString(net.widths()) + " activations "
          + java.util.Arrays.toString(net.acts()) + ", " + rows + " rows, " + threads + " threads, blocks of " + block;
      float[] tiled = gradients(net, xa);
      TiledChain.enabled = false;
      float[] separate = gradients(net, xa);
      TiledChain.enabled = true;
      assertArrayEquals(bits(separate), bits(tiled), what + ": tiled chain vs separate steps");
      int d = net.widths()[0];
      for (int row = 0; row < rows; row += 1 + rows / 40) {
        double[] want = net.gradient64(x, row);
        for (int i = 0; i < d; i++) {
          double got = tiled[row * d + i];
          assertEquals(want[i], got, 2e-5 + 2e-4 * Math.abs(want[i]), what + ": row " + row + " element " + i + " vs float64");
        }
      }
    }
  }

  @Test
  void valuesInsideAChainThatTheProgramReturnsAreWrittenWhole() {
    org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.AVAILABLE && L >= 8, "tiled chains need the Vector API");
    SplittableRandom r = new SplittableRandom(11);
    int n = 203, d = L, h = 2 * L, o = L;
    float[] xs = new float[n * d], w1 = new float[d * h], w2 = new float[h * o];
    for (float[] a : new float[][] {xs, w1, w2}) for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-0.5, 0.5);
    NDArray x = NDArray.fromFlat(xs, n, d), a1 = NDArray.fromFlat(w1, d, h), a2 = NDArray.fromFlat(w2, h, o);
    // the hidden layer is an output of the program as well as the next product's input
    dev.arrax.MultiFn net = a -> {
      NDArray hidden = Np.tanh(Np.dot(a[0], a[1]));
      return new NDArray[] {hidden, Np.tanh(Np.dot(hidden, a[2]))};
    };
    Program p = Arrax.makeJaxprMulti(net, x, a1, a2);
    CompiledProgram chained = CompiledProgram.compile(p);
    assertTrue(chained.describeSteps().stream().anyMatch(s -> s.contains("tiles of 4 rows {")), "a chain: " + chained.describeSteps());
    NDArray[] got = chained.run(x, a1, a2);
    TiledChain.enabled = false;
    NDArray[] want = CompiledProgram.compile(p).run(x, a1, a2);
    for (int k = 0; k < 2; k++) assertArrayEquals(bits(want[k].toFloatArray()), bits(got[k].toFloatArray()), "output " + k);
    float[] hidden = got[0].toFloatArray();
    for (int row = 0; row < n; row += 17) {
      for (int j = 0; j < h; j++) {
        double z = 0;
        for (int i = 0; i < d; i++) z += (double) xs[row * d + i] * w1[i * h + j];
        assertEquals(Math.tanh(z), hidden[row * h + j], 2e-6, "hidden row " + row + " unit " + j);
      }
    }
  }

  @Test
  void aPerRowMlpGradientRunsAsOneChainAndLookalikesDoNot() {
    org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.AVAILABLE && L >= 8, "tiled chains need the Vector API");
    int n = 64, d = 2 * L, h = 4 * L;
    NDArray x = Np.ones(new int[] {n, d}, DType.FLOAT32), w = Np.ones(new int[] {d, h}, DType.FLOAT32).mul(0.1);
    Fn mlp = a -> Np.sum(Np.tanh(Np.dot(a[0], a[1])));
    List<String> steps = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null), x, w)).describeSteps();
    assertTrue(steps.stream().anyMatch(s -> s.contains("tiles of 4 rows {matmul") && s.contains("fused[")), "expected a tiled chain: " + steps);
    // off: the same program as separate steps
    TiledChain.enabled = false;
    List<String> off = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null), x, w)).describeSteps();
    assertFalse(off.stream().anyMatch(s -> s.contains("tiles of")), "chains off: " + off);
    TiledChain.enabled = true;
    // a product with a column tail (n not a multiple of the lanes) stays a separate step: the forward product here; the
    // backward one (n = d) chains with the fused loop before it
    NDArray w2 = Np.ones(new int[] {d, L + 3}, DType.FLOAT32);
    Program odd = Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null), x, w2);
    String forward = "x [" + d + "x" + (L + 3) + "]";
    List<String> oddSteps = CompiledProgram.compile(odd).describeSteps();
    assertTrue(oddSteps.stream().anyMatch(s -> s.contains(forward) && s.contains("tiles of 4 rows {fused[")
            && !s.substring(s.indexOf("tiles of")).contains(forward)),
        "the backward product chained, the forward one (" + forward + ") not: " + oddSteps);
  }

  @Test
  void aNewChainRunsAsStepsThenOnTrialThenWholeBlocks() {
    org.junit.jupiter.api.Assumptions.assumeTrue(VectorSupport.AVAILABLE && L >= 8, "tiled chains need the Vector API");
    TiledChain.startCompiledForTests = false;
    RowBlockedSequence.blockRowsForTests = 16;
    int n = 301, d = L, h = 2 * L;
    SplittableRandom r = new SplittableRandom(7);
    float[] xs = new float[n * d], ws = new float[d * h];
    for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
    for (int i = 0; i < ws.length; i++) ws[i] = (float) r.nextDouble(-0.3, 0.3);
    NDArray x = NDArray.fromFlat(xs, n, d), w = NDArray.fromFlat(ws, d, h);
    // a constant no other test uses: a chain whose code has not passed a trial in this JVM
    double c = 1.25 + r.nextInt(1 << 20) * 1e-9;
    Fn mlp = a -> Np.sum(Np.tanh(Np.multiply(Np.dot(a[0], a[1]), c)));
    CompiledProgram p = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null), x, w));
    assertTrue(p.describeSteps().stream().anyMatch(s -> s.contains("(from the second run)")), "a new chain: " + p.describeSteps());
    float[] first = p.run(x, w)[0].toFloatArray();
    long deadline = System.nanoTime() + 120_000_000_000L;
    int run = 1;
    for (; p.describeSteps().stream().anyMatch(s -> s.contains("(from") || s.contains("(on trial)")) && System.nanoTime() < deadline; run++) {
      assertArrayEquals(bits(first), bits(p.run(x, w)[0].toFloatArray()), "run " + run + " (steps, then trial tiles): the same bits");
    }
    List<String> steps = p.describeSteps();
    assertTrue(steps.stream().anyMatch(s -> s.contains("tiles of 4 rows {")), "the chain should run whole blocks after its trial (" + run + " runs): " + steps);
    assertArrayEquals(bits(first), bits(p.run(x, w)[0].toFloatArray()), "whole blocks: the same bits");
    // the same program compiled again starts with whole blocks: its code passed its trial
    CompiledProgram again = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null), x, w));
    assertTrue(again.describeSteps().stream().anyMatch(s -> s.contains("tiles of 4 rows {")), "a tried chain's code: " + again.describeSteps());
    // a long first run compiles its chain and starts the trial before it ends
    TiledChain.longFirstRunNanos = 0;
    try {
      Fn other = a -> Np.sum(Np.tanh(Np.multiply(Np.dot(a[0], a[1]), c + 1)));
      CompiledProgram q = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(other), 0, null), x, w));
      float[] once = q.run(x, w)[0].toFloatArray();
      assertFalse(q.describeSteps().stream().anyMatch(s -> s.contains("(from the second run)")), "compiled in its first run: " + q.describeSteps());
      TiledChain.enabled = false;
      float[] viaSteps = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(other), 0, null), x, w)).run(x, w)[0].toFloatArray();
      TiledChain.enabled = true;
      assertArrayEquals(bits(viaSteps), bits(once), "a first run with trial tiles: the bits of the steps");
    } finally {
      TiledChain.longFirstRunNanos = 2_000_000_000L;
    }
    TiledChain.startCompiledForTests = true;
    float[] separate;
    TiledChain.enabled = false;
    separate = CompiledProgram.compile(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null), x, w)).run(x, w)[0].toFloatArray();
    assertArrayEquals(bits(separate), bits(first), "separate steps: the same bits");
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
    return b;
  }
}
