package dev.arrax.gpu;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.MultiFn;
import dev.arrax.NDArray;
import dev.arrax.Nn;
import dev.arrax.Np;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.compile.Passes;
import dev.arrax.ir.Program;
import java.util.SplittableRandom;

/**
 * The benchmark workloads W1-W3 of {@code examples/bench.sh} (the same functions as
 * {@code dev.arrax.examples.bench}), with seeded inputs, for the lowering and GPU tests.
 */
final class Workloads {
  private Workloads() {}

  /** A traced, optimized workload with its inputs. */
  record Case(String id, ProgramPlan plan, NDArray[] args) {}

  static Case w1(int rows, long seed) {
    NDArray x = normal(seed, 1, rows, 32), w1 = normal(seed + 1, 1 / Math.sqrt(32), 32, 64), b1 = normal(seed + 2, 1, 64),
        w2 = normal(seed + 3, 1 / Math.sqrt(64), 64);
    Fn mlp = a -> Np.dot(Np.tanh(Np.add(Np.dot(a[0], a[1]), a[2])), a[3]);
    Program p = Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(mlp), 0, null, null, null), x, w1, b1, w2);
    return new Case("W1", ProgramPlan.of(Passes.optimize(p)), new NDArray[] {x, w1, b1, w2});
  }

  static Case w2(int rows, long seed) {
    NDArray logits = normal(seed, 1, rows, 1024), logq = Nn.logSoftmax(normal(seed + 1, 1, rows, 1024), -1);
    MultiFn f = a -> {
      NDArray logp = Nn.logSoftmax(a[0], -1);
      NDArray p = Np.exp(logp);
      NDArray ent = Np.negative(Np.sum(Np.multiply(p, logp), -1));
      NDArray centered = Np.add(logp, Np.expandDims(ent, -1));
      NDArray varent = Np.sum(Np.multiply(p, Np.multiply(centered, centered)), -1);
      NDArray kl = Np.sum(Np.where(Np.greater(p, 0.0), Np.multiply(p, Np.subtract(logp, a[1])), 0.0), -1);
      return new NDArray[] {ent, varent, kl};
    };
    Program p = Arrax.makeJaxprMulti(f, logits, logq);
    return new Case("W2", ProgramPlan.of(Passes.optimize(p)), new NDArray[] {logits, logq});
  }

  static Case w3(int rows, long seed) {
    NDArray w = normal(seed, 1, 32), x = normal(seed + 1, 1, rows, 32), y = coins(seed + 2, rows);
    Fn loss = a -> {
      NDArray z = Np.matmul(a[1], a[0]);
      return Np.sum(Np.subtract(Np.logaddexp(z, 0.0), Np.multiply(a[2], z)));
    };
    Program p = Arrax.makeJaxpr(Arrax.grad(loss), w, x, y);
    return new Case("W3", ProgramPlan.of(Passes.optimize(p)), new NDArray[] {w, x, y});
  }

  static NDArray normal(long seed, double scale, int... shape) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1;
    for (int d : shape) n *= d;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
    return NDArray.fromFlat(v, shape);
  }

  static NDArray coins(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = r.nextBoolean() ? 1f : 0f;
    return NDArray.fromFlat(v, n);
  }
}
