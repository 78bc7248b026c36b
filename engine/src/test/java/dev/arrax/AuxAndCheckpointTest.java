package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.ad.Autodiff;
import dev.arrax.ir.Eqn;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.ProgramCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import org.junit.jupiter.api.Test;

/**
 * {@code has_aux} ({@link Arrax#gradWithAux}, {@link Arrax#valueAndGradWithAux}) and rematerialization
 * ({@link Arrax#checkpoint}). References: closed-form gradients of a least-squares loss, the same function
 * differentiated without checkpoint, finite differences (GradCheck) and loops over rows (VmapCheck).
 */
class AuxAndCheckpointTest {

  /** loss = mean((x w - y)^2), aux = (x w, argmax of the predictions). */
  static NDArray[] lossWithAux(NDArray... a) {
    NDArray pred = Np.matmul(a[1], a[0]);
    return new NDArray[] {Np.mean(Np.square(Np.subtract(pred, a[2]))), pred, Np.argmax(pred)};
  }

  @Test
  void gradWithAuxMatchesClosedFormAndReturnsAuxUndifferentiated() {
    Rand r = new Rand(1);
    NDArray w = r.normal(3), x = r.normal(5, 3), y = r.normal(5);
    NDArray[] g = Arrax.gradWithAux(AuxAndCheckpointTest::lossWithAux).apply(w, x, y);
    assertEquals(3, g.length, "grad, then two aux outputs");
    // d/dw mean((xw - y)^2) = (2/n) x^T (xw - y)
    NDArray resid = Np.subtract(Np.matmul(x, w), y);
    NDArray expected = Np.multiply(Np.matmul(Np.transpose(x), resid), 2.0 / 5);
    Check.close(expected, g[0], 1e-14, 1e-15, "grad " + r.describe());
    Check.close(Np.matmul(x, w), g[1], 0, 0, "aux predictions");
    assertEquals(DType.INT64, g[2].dtype(), "integer aux passes through");
    Check.close(new double[] {Np.argmax(Np.matmul(x, w)).item()}, g[2], 0, 0, "aux argmax");

    NDArray[] vg = Arrax.valueAndGradWithAux(AuxAndCheckpointTest::lossWithAux, 0, 2).apply(w, x, y);
    assertEquals(5, vg.length, "value, two grads, two aux");
    Check.close(new double[] {Np.mean(Np.square(resid)).item()}, vg[0], 1e-15, 0, "value");
    Check.close(expected, vg[1], 1e-14, 1e-15, "grad wrt w");
    Check.close(Np.multiply(resid, -2.0 / 5), vg[2], 1e-14, 1e-15, "grad wrt y: -(2/n)(xw - y)");
    Check.close(Np.matmul(x, w), vg[3], 0, 0, "aux after the grads");
  }

  @Test
  void gradWithAuxComposesWithJitVmapAndHigherOrder() {
    Rand r = new Rand(2);
    NDArray w = r.normal(3), xs = r.normal(4, 5, 3), ys = r.normal(4, 5);
    MultiFn g = Arrax.gradWithAux(AuxAndCheckpointTest::lossWithAux);
    NDArray[] batched = g.vmap(null, 0, 0).apply(w, xs, ys);
    NDArray[] jitted = g.jit().apply(w, Lax.indexInDim(xs, 1, 0, false), Lax.indexInDim(ys, 1, 0, false));
    for (int b = 0; b < 4; b++) {
      NDArray[] one = g.apply(w, Lax.indexInDim(xs, b, 0, false), Lax.indexInDim(ys, b, 0, false));
      Check.close(one[0], Lax.indexInDim(batched[0], b, 0, false), 1e-14, 1e-15, "vmap grad row " + b);
      Check.close(one[1], Lax.indexInDim(batched[1], b, 0, false), 0, 0, "vmap aux row " + b);
      if (b == 1) Check.close(one[0], jitted[0], 1e-13, 1e-14, "jit grad");
    }
    // the gradient of a function that uses gradWithAux inside (second order): d/dw sum(grad) = (2/n) x^T x 1
    Fn sumOfGrad = a -> Np.sum(Arrax.gradWithAux(AuxAndCheckpointTest::lossWithAux).apply(a)[0]);
    NDArray x = Lax.indexInDim(xs, 0, 0, false), y = Lax.indexInDim(ys, 0, 0, false);
    Check.close(Np.multiply(Np.matmul(Np.matmul(Np.transpose(x), x), Np.ones(3)), 2.0 / 5), Arrax.grad(sumOfGrad).apply(w, x, y), 1e-13, 1e-14,
        "grad of sum(gradWithAux)");
    GradCheck.check(a -> Arrax.gradWithAux(AuxAndCheckpointTest::lossWithAux).apply(a)[0], new NDArray[] {w, x, y}, 1, r, 1e-6, "gradWithAux " + r.describe());
  }

  @Test
  void gradWithAuxErrors() {
    NDArray w = Np.ones(3);
    ShapeException nonScalar = assertThrows(ShapeException.class, () -> Arrax.gradWithAux(a -> new NDArray[] {a[0], a[0]}).apply(w));
    assertTrue(nonScalar.getMessage().startsWith("grad (has_aux): the first output (the loss) must be a scalar, but it has type f64[3]"), nonScalar.getMessage());
    ArraxException empty = assertThrows(ArraxException.class, () -> Arrax.gradWithAux(a -> new NDArray[0]).apply(w));
    assertTrue(empty.getMessage().startsWith("grad (has_aux): the function must return {loss, aux...}, got no arrays"), empty.getMessage());
    ArraxException intArg = assertThrows(ArraxException.class, () -> Arrax.gradWithAux(a -> new NDArray[] {Np.sum(a[0]).astype(DType.FLOAT64)}).apply(Np.arange(3)));
    assertTrue(intArg.getMessage().contains("requires real-valued floating inputs"), intArg.getMessage());
  }

  static NDArray deep(NDArray x, NDArray w) {
    NDArray h = x;
    for (int i = 0; i < 3; i++) h = Np.sin(Np.multiply(h, w));
    return h;
  }

  @Test
  void checkpointGivesTheSameValuesAndGradients() {
    Rand r = new Rand(3);
    NDArray x = r.normal(6), w = r.normal(6);
    Fn plain = a -> deep(a[0], a[1]);
    Fn remat = Arrax.checkpoint(plain);
    Check.close(plain.apply(x, w), remat.apply(x, w), 0, 0, "value");
    for (int argnum = 0; argnum < 2; argnum++) {
      int k = argnum;
      NDArray expected = Arrax.grad(a -> Np.sum(plain.apply(a)), k).apply(x, w);
      Check.close(expected, Arrax.grad(a -> Np.sum(remat.apply(a)), k).apply(x, w), 1e-15, 1e-16, "grad argnum " + k);
      Check.close(expected, Arrax.jit(Arrax.grad(a -> Np.sum(remat.apply(a)), k)).apply(x, w), 1e-13, 1e-14, "jit(grad) argnum " + k);
    }
    GradCheck.check(remat, new NDArray[] {x, w}, 2, r, 1e-6, "checkpoint, order 2 " + r.describe());
    Check.close(Arrax.jacfwd(plain).apply(x, w), Arrax.jacfwd(remat).apply(x, w), 1e-15, 1e-16, "jacfwd");
    Check.close(Arrax.hessian(a -> Np.sum(plain.apply(a))).apply(x, w), Arrax.hessian(a -> Np.sum(remat.apply(a))).apply(x, w), 1e-13, 1e-14, "hessian");
    NDArray xs = r.normal(4, 6);
    VmapCheck.check(Arrax.grad(a -> Np.sum(remat.apply(a)), 1), new NDArray[] {xs, w}, new Integer[] {0, null}, 1e-14, "vmap(grad(checkpoint))");
    VmapCheck.check(remat, new NDArray[] {xs, w}, new Integer[] {0, null}, 0, "vmap(checkpoint)");
    // grad of vmap of checkpoint: the checkpoint equation is batched, then differentiated
    NDArray gv = Arrax.grad(a -> Np.sum(Arrax.vmap(remat, 0, null).apply(a[0], a[1])), 1).apply(xs, w);
    NDArray gp = Arrax.grad(a -> Np.sum(Arrax.vmap(plain, 0, null).apply(a[0], a[1])), 1).apply(xs, w);
    Check.close(gp, gv, 1e-14, 1e-15, "grad(vmap(checkpoint))");
  }

  /** A captured array that an outer grad differentiates becomes an operand of the checkpoint, so its gradient is kept. */
  @Test
  void checkpointOfAClosureOverTheDifferentiatedArgument() {
    Rand r = new Rand(4);
    NDArray x = r.normal(5), w = r.normal(5);
    NDArray expected = Arrax.grad(a -> Np.sum(deep(a[1], a[0]))).apply(w, x);
    NDArray got = Arrax.grad(a -> {
      NDArray captured = a[0];
      return Np.sum(Arrax.checkpoint(b -> deep(b[0], captured)).apply(a[1]));
    }).apply(w, x);
    Check.close(expected, got, 1e-15, 1e-16, "grad wrt a captured array");
    NDArray[] multi = Arrax.outputs(a -> deep(a[0], a[1]), a -> Np.cos(a[0])).checkpoint().apply(x, w);
    Check.close(deep(x, w), multi[0], 0, 0, "MultiFn.checkpoint output 0");
    Check.close(Np.cos(x), multi[1], 0, 0, "MultiFn.checkpoint output 1");
  }

  /**
   * The point of checkpoint: the linear program reverse mode keeps between the passes stores only the
   * checkpoint's inputs, and the backward pass recomputes the sines (they appear again in the traced gradient).
   */
  @Test
  void checkpointStoresInputsOnlyAndRecomputes() {
    NDArray x = new Rand(5).normal(1000), w = new Rand(6).normal(1000);
    Fn plain = a -> deep(a[0], a[1]);
    Fn remat = Arrax.checkpoint(plain);
    long storedPlain = storedElements(plain, x, w), storedRemat = storedElements(remat, x, w);
    assertTrue(storedPlain >= 5 * 1000, "without checkpoint the residuals of all three layers are kept: " + storedPlain);
    assertEquals(2 * 1000, storedRemat, "with checkpoint only x and w are kept");

    int sinPlain = count(Arrax.makeJaxpr(Arrax.grad(a -> Np.sum(plain.apply(a))), x, w), "sin");
    int sinRemat = count(Arrax.makeJaxpr(Arrax.grad(a -> Np.sum(remat.apply(a))), x, w), "sin");
    assertEquals(3, sinPlain, "forward pass only");
    assertEquals(5, sinRemat, "forward pass, then the two sines whose outputs the tangents need, recomputed");
    ProgramCheck.roundTrip(Arrax.grad(a -> Np.sum(remat.apply(a))), new NDArray[] {x, w}, "grad(checkpoint) program");
    // Under jit the optimizer keeps the recomputation (it reads the operands through an optimization barrier):
    // without the barrier, common-subexpression elimination merged the two recomputed sines into the forward ones.
    // With the value also returned, the forward pass (3 sines) and the recomputation (2) both stay; grad alone
    // keeps only the recomputation (DCE drops the forward pass).
    Program optimized = dev.arrax.compile.Passes.optimize(Arrax.makeJaxprMulti(Arrax.valueAndGrad(a -> Np.sum(remat.apply(a)), 0, 1), x, w));
    assertEquals(5, count(optimized, "sin"), optimized.toString());
    assertEquals(1, count(optimized, "optimization_barrier"), optimized.toString());
    Check.close(Arrax.grad(a -> Np.sum(plain.apply(a))).apply(x, w), Arrax.jit(Arrax.grad(a -> Np.sum(remat.apply(a)))).apply(x, w), 1e-14, 1e-15,
        "jit(grad(checkpoint)) = grad(plain)");
  }

  /** The linear program of a checkpoint prints and parses (it holds the checkpoint equation itself). */
  @Test
  void checkpointEquationPrintsAndParses() {
    NDArray x = NDArray.of(0.5, -1.0), w = NDArray.of(2.0, 0.25);
    Autodiff.Linearized lin = Autodiff.linearize("test", in -> new NDArray[] {Arrax.checkpoint(a -> deep(a[0], a[1])).apply(in)}, new NDArray[] {x, w}, new int[] {0});
    String text = lin.linear().toText();
    assertTrue(text.contains("checkpoint[body="), text);
    Program parsed = Program.parse(text);
    assertEquals(text, parsed.toText(), "round trip");
    ProgramCheck.verify(parsed, "parsed linear program");
    NDArray t = NDArray.of(1.0, 0.0);
    Check.close(Arrax.jvp(a -> deep(a[0], w), new NDArray[] {x}, new NDArray[] {t}).tangentOut(), parsed.call(t)[0], 1e-15, 0, "linear program applied");
  }

  @Test
  void checkpointInsideAScanBody() {
    Rand r = new Rand(7);
    NDArray xs = r.normal(6, 3), w = r.normal(3);
    Fn loss = a -> Lax.scan((c, x) -> {
      NDArray h = Arrax.checkpoint(b -> Np.tanh(Np.add(Np.multiply(b[0], b[1]), b[2]))).apply(c, a[0], x);
      return new ScanBody.Step(h, Np.sum(h));
    }, Np.zeros(3), a[1]).ys().sum();
    Fn plainLoss = a -> Lax.scan((c, x) -> {
      NDArray h = Np.tanh(Np.add(Np.multiply(c, a[0]), x));
      return new ScanBody.Step(h, Np.sum(h));
    }, Np.zeros(3), a[1]).ys().sum();
    Check.close(Arrax.grad(plainLoss).apply(w, xs), Arrax.grad(loss).apply(w, xs), 1e-14, 1e-15, "grad through scan with checkpointed body");
  }

  private static long storedElements(Fn f, NDArray... args) {
    Autodiff.Linearized lin = Autodiff.linearize("test", in -> new NDArray[] {Np.sum(f.apply(in))}, args, new int[] {0, 1});
    long n = 0;
    for (NDArray c : lin.linear().constValues()) n += c.size();
    for (Eqn e : lin.linear().eqns()) {
      for (dev.arrax.ir.Atom a : e.inputs()) if (a instanceof dev.arrax.ir.Literal l && l.value().size() > 1) n += l.value().size();
    }
    return n;
  }

  private static int count(Program p, String primitive) {
    int n = 0;
    for (Eqn e : p.eqns()) if (e.primitive().name().equals(primitive)) n++;
    return n;
  }
}
