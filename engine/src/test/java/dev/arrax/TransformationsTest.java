package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.ir.IrVerifier;
import dev.arrax.ir.Program;
import dev.arrax.testing.Check;
import dev.arrax.testing.GradCheck;
import dev.arrax.testing.Rand;
import dev.arrax.testing.VmapCheck;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Composition of transformations (issue: grad, vjp, jvp, higher order, custom rules, trees, vmap). */
class TransformationsTest {

  @Test
  void thirdDerivativeOfTanhMatchesClosedForm() {
    Fn f3 = Arrax.grad(Arrax.grad(Arrax.grad(xs -> Np.tanh(xs[0]))));
    for (double x : new double[] {-2.0, -0.3, 0.0, 0.7, 1.5}) {
      double t = Math.tanh(x), s = 1 - t * t;
      double expected = -2 * s * s + 4 * t * t * s; // d^3/dx^3 tanh = -2 sech^4 + 4 tanh^2 sech^2
      Check.close(new double[] {expected}, f3.apply(NDArray.scalar(x)), 1e-13, 1e-14, "tanh''' at " + x);
    }
  }

  static NDArray rosenbrock(NDArray x) {
    int n = x.size();
    NDArray head = Lax.sliceInDim(x, 0, n - 1, 1, 0), tail = Lax.sliceInDim(x, 1, n, 1, 0);
    return Np.sum(Np.add(Np.multiply(Np.square(Np.subtract(tail, Np.square(head))), 100.0), Np.square(Np.subtract(1.0, head))));
  }

  @Test
  void hessianOfRosenbrockMatchesClosedForm() {
    Rand r = new Rand(7);
    for (int trial = 0; trial < 4; trial++) {
      int n = 2 + r.nextInt(5);
      NDArray x = r.normal(n);
      double[] v = x.toDoubleArray();
      double[] h = new double[n * n];
      for (int i = 0; i < n - 1; i++) {
        h[i * n + i] += 1200 * v[i] * v[i] - 400 * v[i + 1] + 2;
        h[(i + 1) * n + i + 1] += 200;
        h[i * n + i + 1] += -400 * v[i];
        h[(i + 1) * n + i] += -400 * v[i];
      }
      NDArray hess = Arrax.hessian(xs -> rosenbrock(xs[0])).apply(x);
      Check.close(NDArray.fromFlat(h, n, n), hess, 1e-12, 1e-10, "hessian n=" + n + " " + r.describe());
    }
  }

  @Test
  void jacfwdEqualsJacrev() {
    for (long seed = 0; seed < 6; seed++) {
      Rand r = new Rand(seed);
      NDArray w = r.normal(3, 4);
      Fn f = xs -> Np.tanh(Np.matmul(Np.sin(xs[0]), w)).mul(Np.sum(Np.exp(xs[0].mul(0.1))));
      NDArray x = r.normal(2, 3);
      NDArray jf = Arrax.jacfwd(f).apply(x), jr = Arrax.jacrev(f).apply(x);
      assertEquals(List.of(2, 4, 2, 3), List.of(jr.shape()[0], jr.shape()[1], jr.shape()[2], jr.shape()[3]));
      Check.close(jf, jr, 1e-12, 1e-13, "jacfwd vs jacrev " + r.describe());
      // and both against central differences of each input element
      double[] x0 = x.toDoubleArray(), jac = jr.toDoubleArray();
      double eps = 1e-6;
      for (int k = 0; k < x0.length; k++) {
        double[] p = x0.clone(), m = x0.clone();
        p[k] += eps;
        m[k] -= eps;
        double[] fp = f.apply(NDArray.fromFlat(p, 2, 3)).toDoubleArray(), fm = f.apply(NDArray.fromFlat(m, 2, 3)).toDoubleArray();
        for (int o = 0; o < fp.length; o++) {
          double fd = (fp[o] - fm[o]) / (2 * eps);
          assertEquals(fd, jac[o * x0.length + k], 1e-6, "d out[" + o + "] / d x[" + k + "] " + r.describe());
        }
      }
    }
  }

  @Test
  void vmapOfGradEqualsPerRowGrad() {
    for (long seed = 0; seed < 5; seed++) {
      Rand r = new Rand(seed);
      NDArray w = r.normal(4);
      Fn f = xs -> Np.sum(Np.multiply(Nn.softplus(Np.multiply(xs[0], w)), xs[1]));
      VmapCheck.check(Arrax.grad(f), new NDArray[] {r.normal(6, 4), r.normal(4)}, new Integer[] {0, null}, 1e-13, "vmap(grad) " + r.describe());
      VmapCheck.check(Arrax.grad(f, 1), new NDArray[] {r.normal(4, 5), r.normal(5, 4)}, new Integer[] {1, 0}, 1e-13, "vmap(grad argnum 1) " + r.describe());
    }
  }

  /** mlp(W1, b1, w2, x) = tanh(x W1 + b1) . w2; d/dx = W1 ((1 - h^2) * w2). */
  static NDArray mlp(NDArray... a) {
    return Np.dot(Np.tanh(Np.add(Np.dot(a[3], a[0]), a[1])), a[2]);
  }

  @Test
  void perExampleMlpInputGradientsMatchClosedForm() {
    for (long seed = 0; seed < 4; seed++) {
      Rand r = new Rand(seed);
      int d = 2 + r.nextInt(6), h = 2 + r.nextInt(9), rows = 1 + r.nextInt(20);
      NDArray w1 = r.normal(d, h), b1 = r.normal(h), w2 = r.normal(h), x = r.normal(rows, d);
      for (Fn g : new Fn[] {Arrax.vmap(Arrax.grad(TransformationsTest::mlp, 3), null, null, null, 0),
          Arrax.jit(Arrax.vmap(Arrax.grad(TransformationsTest::mlp, 3), null, null, null, 0))}) {
        NDArray got = g.apply(w1, b1, w2, x);
        double[] W1 = w1.toDoubleArray(), B1 = b1.toDoubleArray(), W2 = w2.toDoubleArray(), X = x.toDoubleArray();
        double[] expected = new double[rows * d];
        for (int n = 0; n < rows; n++) {
          double[] s = new double[h];
          for (int j = 0; j < h; j++) {
            double z = B1[j];
            for (int i = 0; i < d; i++) z += X[n * d + i] * W1[i * h + j];
            double t = Math.tanh(z);
            s[j] = (1 - t * t) * W2[j];
          }
          for (int i = 0; i < d; i++) for (int j = 0; j < h; j++) expected[n * d + i] += W1[i * h + j] * s[j];
        }
        Check.close(NDArray.fromFlat(expected, rows, d), got, 1e-12, 1e-13, "per-example mlp gradients " + r.describe());
      }
    }
  }

  @Test
  void float32PerExampleGradientsStayFloat32() {
    Rand r = new Rand(3);
    NDArray w1 = r.normal(DType.FLOAT32, 4, 5), b1 = r.normal(DType.FLOAT32, 5), w2 = r.normal(DType.FLOAT32, 5), x = r.normal(DType.FLOAT32, 7, 4);
    NDArray g32 = Arrax.vmap(Arrax.grad(TransformationsTest::mlp, 3), null, null, null, 0).apply(w1, b1, w2, x);
    NDArray g64 = Arrax.vmap(Arrax.grad(TransformationsTest::mlp, 3), null, null, null, 0)
        .apply(w1.astype(DType.FLOAT64), b1.astype(DType.FLOAT64), w2.astype(DType.FLOAT64), x.astype(DType.FLOAT64));
    assertEquals(DType.FLOAT32, g32.dtype());
    Check.close(g64.toDoubleArray(), g32, 1e-5, 1e-6, "f32 gradients vs f64");
  }

  @Test
  void makeJaxprOfGradShowsReversePassAsEquations() {
    Fn f = xs -> Np.sum(Np.multiply(Np.tanh(xs[0]), 2.0));
    Program p = Arrax.makeJaxpr(Arrax.grad(f), NDArray.of(0.1, 0.2, 0.3));
    IrVerifier.verify(p);
    String text = p.toString();
    assertTrue(text.contains("tanh"), text);
    assertTrue(text.contains("mul"), text);
    assertFalse(text.contains("custom"), text);
    assertTrue(p.constVars().isEmpty(), "no closure-captured constants: " + text);
    Program back = Program.parse(p.toText());
    Check.same(Arrax.grad(f).apply(NDArray.of(0.5, -1.0, 2.0)), back.call(NDArray.of(0.5, -1.0, 2.0))[0], "reparsed grad program");
    double[] x = {0.5, -1.0, 2.0};
    double[] expected = new double[3];
    for (int i = 0; i < 3; i++) expected[i] = 2 * (1 - Math.tanh(x[i]) * Math.tanh(x[i]));
    Check.close(expected, back.call(NDArray.of(x))[0], 1e-15, 1e-15, "grad program value");
  }

  @Test
  void gradOfVmapAndVmapOfJacrevCompose() {
    Rand r = new Rand(11);
    NDArray xs = r.normal(5, 3);
    Fn rowLoss = a -> Np.sum(Np.square(Np.sin(a[0])));
    Fn total = a -> Np.sum(Arrax.vmap(rowLoss).apply(a[0]));
    NDArray g = Arrax.grad(total).apply(xs);
    double[] x = xs.toDoubleArray(), expected = new double[x.length];
    for (int i = 0; i < x.length; i++) expected[i] = 2 * Math.sin(x[i]) * Math.cos(x[i]);
    Check.close(expected, g, 1e-14, 1e-15, "grad(sum(vmap(f)))");
    NDArray jac = Arrax.vmap(Arrax.jacrev(a -> Np.sin(a[0]))).apply(xs);
    assertEquals(List.of(5, 3, 3), List.of(jac.shape()[0], jac.shape()[1], jac.shape()[2]));
    for (int n = 0; n < 5; n++) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) assertEquals(i == j ? Math.cos(x[n * 3 + i]) : 0.0, jac.getDouble(n, i, j), 1e-15);
      }
    }
  }

  @Test
  void nestedVmapAndOutAxes() {
    Rand r = new Rand(5);
    NDArray a = r.normal(3, 4, 2), b = r.normal(2);
    Fn inner = xs -> Np.dot(xs[0], xs[1]);
    NDArray nested = Arrax.vmap(Arrax.vmap(inner, 0, null), 0, null).apply(a, b);
    Check.close(Np.matmul(a, b), nested, 1e-15, 1e-15, "vmap(vmap(dot))");
    NDArray out1 = Arrax.vmapOut(xs -> Np.exp(xs[0]), 1, 0).apply(r.normal(3, 2));
    assertEquals(List.of(2, 3), List.of(out1.shape()[0], out1.shape()[1]));
    NDArray unmapped = Arrax.vmapOut(xs -> NDArray.of(1.0, 2.0), 0, 0).apply(r.normal(4));
    Check.same(NDArray.fromFlat(new double[] {1, 2, 1, 2, 1, 2, 1, 2}, 4, 2), unmapped, "unmapped output broadcast along out axis");
  }

  @Test
  void unusedAndStoppedInputsGetZeroGradients() {
    Fn f = xs -> Np.sum(Np.add(Np.exp(xs[0]), Lax.stopGradient(Np.square(xs[0]))));
    NDArray x = NDArray.of(0.0, 1.0);
    Check.close(new double[] {1.0, Math.E}, Arrax.grad(f).apply(x), 1e-15, 0, "stop_gradient blocks");
    Fn g = xs -> Np.sum(Np.exp(xs[0]));
    Check.same(NDArray.of(0.0, 0.0, 0.0), Arrax.grad(g, 1).apply(x, NDArray.of(5.0, 6.0, 7.0)), "unused argument");
    NDArray[] cts = Arrax.vjp(xs -> Np.multiply(xs[0], xs[1].astype(DType.FLOAT64)), NDArray.of(2.0), NDArray.ofInts(3)).pullback().apply(NDArray.of(1.0));
    Check.same(NDArray.of(3.0), cts[0], "float input cotangent");
    Check.same(NDArray.ofInts(0), cts[1], "integer input gets a zero cotangent");
    ArraxException e = assertThrows(ArraxException.class, () -> Arrax.grad(xs -> Np.sum(xs[0])).apply(NDArray.ofInts(1, 2)));
    assertTrue(e.getMessage().contains("argument 0 is i32[2]"), e.getMessage());
  }

  @Test
  void whereAndMaxGradientConventions() {
    Fn f = xs -> Np.sum(Np.where(Np.greater(xs[0], 0.0), Np.log(xs[0]), Np.zerosLike(xs[0])));
    // As in JAX (values pinned from jax.grad): the unchosen branch gets a zero cotangent, and 0 * (1/0) is NaN.
    Check.close(new double[] {0.5, Double.NaN, -0.0}, Arrax.grad(f).apply(NDArray.of(2.0, 0.0, -1.0)), 0, 0, "where gradient trap");
    // The JAX fix, a second where that keeps log's input safe, gives clean zeros.
    Fn safe = xs -> Np.sum(Np.where(Np.greater(xs[0], 0.0), Np.log(Np.where(Np.greater(xs[0], 0.0), xs[0], Np.onesLike(xs[0]))), Np.zerosLike(xs[0])));
    Check.close(new double[] {0.5, 0.0, 0.0}, Arrax.grad(safe).apply(NDArray.of(2.0, 0.0, -1.0)), 0, 0, "double where");
    Check.same(NDArray.of(0.5, 1.0, 0.0), Arrax.grad(xs -> Np.sum(Np.maximum(xs[0], 1.0))).apply(NDArray.of(1.0, 2.0, 0.0)), "max ties split");
    Check.same(NDArray.of(1.0, -1.0, 1.0), Arrax.grad(xs -> Np.sum(Np.abs(xs[0]))).apply(NDArray.of(0.0, -2.0, 3.0)), "abs at 0 has slope 1");
    Check.same(NDArray.of(0.0, 1.0, 0.0), Arrax.grad(xs -> Np.sum(Nn.relu(xs[0]))).apply(NDArray.of(0.0, 2.0, -3.0)), "relu at 0 has slope 0");
  }

  @Test
  void customJvpRuleIsUsedByGradJvpVmapAndJit() {
    AtomicInteger ruleCalls = new AtomicInteger();
    // log(1 + e^x) whose naive derivative e^x / (1 + e^x) is NaN at x = 1000; the rule uses sigmoid.
    Fn log1pexp = Arrax.customJvp(xs -> Np.log1p(Np.exp(xs[0])), (p, t) -> {
      ruleCalls.incrementAndGet();
      return new Arrax.JvpResult(Np.log1p(Np.exp(p[0])), Np.multiply(t[0], Nn.sigmoid(p[0])));
    });
    Fn loss = xs -> Np.sum(log1pexp.apply(xs[0]));
    NDArray x = NDArray.of(1000.0, 0.0, -3.0);
    double[] expected = {1.0, 0.5, 1 / (1 + Math.exp(3))};
    Check.close(expected, Arrax.grad(loss).apply(x), 1e-15, 0, "grad uses the rule");
    assertTrue(ruleCalls.get() > 0);
    Fn naive = xs -> Np.sum(Np.log1p(Np.exp(xs[0])));
    assertTrue(Double.isNaN(Arrax.grad(naive).apply(x).toDoubleArray()[0]), "without the rule the gradient is NaN");
    Check.close(expected, Arrax.jvp(xs -> log1pexp.apply(xs[0]), new NDArray[] {x}, new NDArray[] {NDArray.of(1.0, 1.0, 1.0)}).tangentOut(), 1e-15, 0, "jvp");
    NDArray rows = NDArray.fromFlat(new double[] {1000.0, 0.0, -3.0, 1000.0, 0.0, -3.0}, 2, 3);
    NDArray perRow = Arrax.vmap(Arrax.grad(loss)).apply(rows);
    Check.close(new double[] {1.0, 0.5, expected[2], 1.0, 0.5, expected[2]}, perRow, 1e-15, 0, "vmap(grad)");
    Fn total = xs -> Np.sum(Arrax.vmap(loss).apply(xs[0]));
    Check.close(perRow.toDoubleArray(), Arrax.grad(total).apply(rows), 1e-15, 0, "grad(vmap)");
    Check.close(expected, Arrax.jit(Arrax.grad(loss)).apply(x), 1e-15, 0, "jit(grad)");
    Fn second = Arrax.grad(Arrax.grad(xs -> log1pexp.apply(xs[0])));
    double[] secondDerivatives = {second.apply(NDArray.scalar(1000.0)).item(), second.apply(NDArray.scalar(0.0)).item(), second.apply(NDArray.scalar(-3.0)).item()};
    // d/dx sigmoid = s (1 - s), differentiated through the rule's tangent expression
    Check.close(new double[] {0.0, 0.25, expected[2] * (1 - expected[2])}, secondDerivatives, 1e-15, 1e-300, "second derivative through the rule");
  }

  @Test
  void customVjpBackwardIsUsedByGradJacrevAndVmap() {
    // Identity whose gradient is clipped to [-1, 1] (gradient clipping, a classic custom_vjp).
    Fn clipGrad = Arrax.customVjp(xs -> xs[0], xs -> new NDArray[] {xs[0]}, (res, ct) -> new NDArray[] {Np.clip(ct, -1.0, 1.0)});
    Fn loss = xs -> Np.sum(Np.multiply(clipGrad.apply(xs[0]), NDArray.of(3.0, -0.5, -7.0)));
    Check.same(NDArray.of(1.0, -0.5, -1.0), Arrax.grad(loss).apply(NDArray.of(1.0, 2.0, 3.0)), "grad through bwd");
    NDArray jac = Arrax.jacrev(xs -> Np.multiply(clipGrad.apply(xs[0]), 5.0)).apply(NDArray.of(1.0, 2.0));
    Check.same(NDArray.fromFlat(new double[] {1, 0, 0, 1}, 2, 2), jac, "jacrev through bwd (5 clipped to 1)");
    NDArray perRow = Arrax.vmap(Arrax.grad(loss)).apply(NDArray.fromFlat(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
    Check.same(NDArray.fromFlat(new double[] {1, -0.5, -1, 1, -0.5, -1}, 2, 3), perRow, "vmap(grad)");
    Fn total = xs -> Np.sum(Arrax.vmap(loss).apply(xs[0]));
    Check.same(NDArray.fromFlat(new double[] {1, -0.5, -1, 1, -0.5, -1}, 2, 3), Arrax.grad(total).apply(NDArray.fromFlat(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)),
        "grad(vmap) batches the backward rule");
    ArraxException e = assertThrows(ArraxException.class,
        () -> Arrax.jvp(xs -> clipGrad.apply(xs[0]), new NDArray[] {NDArray.of(1.0)}, new NDArray[] {NDArray.of(1.0)}));
    assertTrue(e.getMessage().contains("customVjp"), e.getMessage());
    Check.same(NDArray.of(1.0, 2.0), Arrax.jit(xs -> clipGrad.apply(xs[0])).apply(NDArray.of(1.0, 2.0)), "jit runs the body");
  }

  record Layer(NDArray w, NDArray b) {}

  @Test
  void treesFlattenAndGradientsKeepTheirStructure() {
    Rand r = new Rand(21);
    NDArray w1 = r.normal(3, 4), b1 = r.normal(4), w2 = r.normal(4);
    Map<String, Object> params = Map.of("W1", w1, "b1", b1, "head", List.of(w2, new Layer(NDArray.of(1.0), NDArray.of(2.0))));
    Tree.Flat flat = Tree.flatten(params);
    assertEquals(5, flat.leaves().size());
    assertTrue(flat.leaves().get(0) == w1 && flat.leaves().get(1) == b1, "sorted keys: W1 < b1 < head");
    Object rebuilt = Tree.unflatten(flat.def(), flat.leaves());
    assertEquals(flat.def().toString(), Tree.flatten(rebuilt).def().toString());
    Map<String, Object> doubled = Tree.map(x -> x.mul(2.0), params);
    Check.same(b1.mul(2.0), (NDArray) doubled.get("b1"), "map");
    assertEquals(new Layer(null, null).getClass(), ((List<?>) doubled.get("head")).get(1).getClass());

    NDArray x = r.normal(6, 3), y = r.normal(6);
    Arrax.TreeLoss<Map<String, NDArray>> loss = (p, data) -> {
      NDArray pred = Np.dot(Np.tanh(Np.add(Np.matmul(data[0], p.get("W1")), p.get("b1"))), p.get("w2"));
      return Np.mean(Np.square(Np.subtract(pred, data[1])));
    };
    Map<String, NDArray> p = Map.of("W1", w1, "b1", b1, "w2", w2);
    Arrax.ValueAndGradTree<Map<String, NDArray>> vg = Arrax.valueAndGradTree(loss, p, x, y);
    assertEquals(p.keySet(), vg.grad().keySet());
    // closed form
    double[] X = x.toDoubleArray(), Y = y.toDoubleArray(), W1 = w1.toDoubleArray(), B1 = b1.toDoubleArray(), W2 = w2.toDoubleArray();
    double[] gW1 = new double[12], gB1 = new double[4], gW2 = new double[4];
    double lossValue = 0;
    for (int n = 0; n < 6; n++) {
      double[] hdn = new double[4];
      double pred = 0;
      for (int j = 0; j < 4; j++) {
        double z = B1[j];
        for (int i = 0; i < 3; i++) z += X[n * 3 + i] * W1[i * 4 + j];
        hdn[j] = Math.tanh(z);
        pred += hdn[j] * W2[j];
      }
      double e = pred - Y[n];
      lossValue += e * e / 6;
      double dpred = 2 * e / 6;
      for (int j = 0; j < 4; j++) {
        gW2[j] += dpred * hdn[j];
        double dz = dpred * W2[j] * (1 - hdn[j] * hdn[j]);
        gB1[j] += dz;
        for (int i = 0; i < 3; i++) gW1[i * 4 + j] += dz * X[n * 3 + i];
      }
    }
    Check.close(new double[] {lossValue}, vg.value(), 1e-14, 0, "loss");
    Check.close(gW1, vg.grad().get("W1"), 1e-12, 1e-14, "dW1");
    Check.close(gB1, vg.grad().get("b1"), 1e-12, 1e-14, "db1");
    Check.close(gW2, vg.grad().get("w2"), 1e-12, 1e-14, "dw2");
    Check.same(vg.grad().get("W1"), Arrax.gradTree(loss).apply(p, x, y).get("W1"), "gradTree equals valueAndGradTree");
    ArraxException e = assertThrows(ArraxException.class, () -> Tree.flatten(Map.of("a", "not an array")));
    assertTrue(e.getMessage().contains("tree.a"), e.getMessage());
  }

  @Test
  void jitTracesOncePerSignatureAndIsThreadSafe() throws Exception {
    AtomicInteger traces = new AtomicInteger();
    Fn f = Arrax.jit(xs -> {
      traces.incrementAndGet();
      return Np.sum(Np.multiply(Np.sin(xs[0]), 2.0));
    });
    f.apply(NDArray.of(1.0, 2.0));
    f.apply(NDArray.of(3.0, 4.0));
    assertEquals(1, traces.get(), "same shape: one trace");
    f.apply(NDArray.of(1.0, 2.0, 3.0));
    assertEquals(2, traces.get(), "new shape: a new trace");
    f.apply(NDArray.of(1.0f, 2.0f));
    assertEquals(3, traces.get(), "new dtype: a new trace");
    Thread[] threads = new Thread[8];
    double[][] results = new double[8][];
    for (int t = 0; t < 8; t++) {
      final int k = t;
      threads[t] = new Thread(() -> {
        for (int rep = 0; rep < 20; rep++) results[k] = new double[] {f.apply(NDArray.of(k, k + 1.0)).item()};
      });
      threads[t].start();
    }
    for (Thread t : threads) t.join();
    for (int k = 0; k < 8; k++) assertEquals(2 * (Math.sin(k) + Math.sin(k + 1.0)), results[k][0], 1e-15, "thread " + k);
  }

  @Test
  void asynchronousDispatchKeepsOrderAndValues() {
    Fn step = Arrax.jit(xs -> Np.add(Np.multiply(xs[0], 2.0), 1.0));
    NDArray x = Np.zeros(new int[] {1000, 400}, DType.FLOAT32); // above the size that runs on the caller's thread
    for (int i = 0; i < 20; i++) x = step.apply(x); // each call may return before its value exists
    assertTrue(x.blockUntilReady() == x, "blockUntilReady returns the array itself");
    double expected = Math.pow(2, 20) - 1;
    for (double v : x.toDoubleArray()) assertEquals(expected, v, 0.0);
    NDArray y = step.apply(x);
    Check.same(Np.add(Np.multiply(x, 2.0), 1.0), y, "a dispatched result feeds eager code");
  }

  @Test
  void aSmallCallRunsOnTheCallersThreadAndReturnsItsValues() {
    // under Dispatcher.SYNC_ELEMENTS: no hand-off to the dispatch thread, whose wake-up would cost more than the call
    Fn step = Arrax.jit(xs -> Np.add(Np.multiply(xs[0], 2.0), 1.0));
    float[] data = new float[1000];
    for (int i = 0; i < data.length; i++) data[i] = i;
    NDArray x = NDArray.fromFlat(data, 100, 10);
    step.apply(x).blockUntilReady(); // compiled
    NDArray y = step.apply(x);
    assertTrue(((dev.arrax.core.ConcreteArray) y).isReady(), "a small call's values are there when it returns");
    float[] v = y.toFloatArray();
    for (int i = 0; i < v.length; i++) assertEquals(2.0 * i + 1, v[i], 0.0, "element " + i);
  }

  @Test
  void gradChecksOnRandomComposedFunctions() {
    for (long seed = 0; seed < 8; seed++) {
      Rand r = new Rand(seed);
      int n = 1 + r.nextInt(4), m = 1 + r.nextInt(4);
      NDArray a = r.normal(n, m), b = r.uniform(0.5, 2.0, m);
      Fn f = xs -> Np.sum(Np.multiply(Nn.logSoftmax(Np.multiply(xs[0], Np.log(xs[1])), -1), Np.cos(xs[0])));
      GradCheck.check(f, new NDArray[] {a, b}, 2, r, 1e-5, "composed " + r.describe());
    }
  }
}
