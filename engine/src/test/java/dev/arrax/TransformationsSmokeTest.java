package dev.arrax;

import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import org.junit.jupiter.api.Test;

class TransformationsSmokeTest {
  @Test
  void tanhMlpChecks() {
    for (long seed = 0; seed < 5; seed++) {
      Rand r = new Rand(seed);
      NDArray w = r.normal(3, 4), x = r.normal(3);
      Fn f = xs -> Np.sum(Np.tanh(Np.dot(xs[0], xs[1])));
      GradCheck.check(f, new NDArray[] {x, w}, 2, r, 1e-5, "mlp " + r.describe());
      VmapCheck.check(Arrax.grad(f, 1), new NDArray[] {r.normal(5, 3), w}, new Integer[] {0, null}, 1e-12, "vmap grad " + r.describe());
    }
  }
}
