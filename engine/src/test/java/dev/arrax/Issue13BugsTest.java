package dev.arrax;

import static dev.arrax.testing.Pinned.pin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.Check;
import org.junit.jupiter.api.Test;

/**
 * Bugs 3, 4 and 5 of issue 13 (bugs 1 and 2 are in {@link LaxTest} and {@link NpTest}/{@link DTypePromotionTest}).
 * Each test failed before its fix. Expected values are closed forms.
 */
class Issue13BugsTest {

  /**
   * Bug 3: {@code Arrax.vmap(f, null, 0)} (JAX's {@code in_axes=(None, 0)}) bound to the
   * {@code (Fn, Integer[], Integer)} overload and threw a NullPointerException. That overload is now
   * {@code vmapOut}, so the spelling can only mean "argument 0 unmapped, argument 1 on axis 0".
   */
  @Test
  void vmapWithUnmappedFirstArgument() {
    NDArray w = NDArray.of(1.0, 2.0, 3.0);
    NDArray xs = NDArray.of(new double[][] {{1, 0, 0}, {0, 1, 0}, {1, 1, 1}, {2, 0, -1}});
    Fn dot = a -> Np.dot(a[0], a[1]);
    double[] expected = {1, 2, 6, -1};
    Check.close(expected, Arrax.vmap(dot, null, 0).apply(w, xs), 0, 0, "vmap(f, null, 0)");
    Check.close(expected, Arrax.vmap(dot, Arrax.UNMAPPED, 0).apply(w, xs), 0, 0, "vmap(f, UNMAPPED, 0)");
    Check.close(expected, Arrax.vmap(dot, 0, null).apply(xs, w), 0, 0, "vmap(f, 0, null)");
    Check.close(expected, Arrax.jit(Arrax.vmap(dot, null, 0)).apply(w, xs), 0, 0, "jit(vmap(f, null, 0))");
    // out axis through its own name
    NDArray cols = Arrax.vmapOut(a -> Np.multiply(a[0], a[1]), 1, null, 0).apply(w, xs);
    assertEquals("f64[3,4]", cols.type().toString(), "vmapOut puts the batch axis at 1");
    Check.close(new double[] {1, 0, 1, 2, 0, 2, 2, 0, 0, 0, 3, -3}, cols, 0, 0, "vmapOut(f, 1, null, 0)");
    // MultiFn spelling
    NDArray[] two = Arrax.outputs(dot, a -> Np.sum(a[1])).vmap(null, 0).apply(w, xs);
    Check.close(expected, two[0], 0, 0, "MultiFn.vmap(null, 0)");
    Check.close(new double[] {1, 1, 3, 1}, two[1], 0, 0, "MultiFn.vmap(null, 0) second output");
  }

  /** Bug 3: a lone null and null arguments fail with messages that say what to write instead. */
  @Test
  void vmapNullsFailWithTheFix() {
    NDArray x = Np.ones(2, 3);
    ArraxException lone = assertThrows(ArraxException.class, () -> Arrax.vmap(a -> a[0], (Integer[]) null));
    assertTrue(lone.getMessage().startsWith("vmap: inAxes is null. Java passes a lone null as the whole inAxes array"), lone.getMessage());
    assertTrue(lone.getMessage().contains("new Integer[] {null}"), lone.getMessage());
    ArraxException arg = assertThrows(ArraxException.class, () -> Arrax.vmap(a -> Np.add(a[0], a[1]), null, 0).apply(null, x));
    assertTrue(arg.getMessage().startsWith("vmap: argument 0 is null; pass an NDArray (an unmapped argument is still an array"), arg.getMessage());
    ArraxException all = assertThrows(ArraxException.class, () -> Arrax.vmap(a -> a[0]).apply((NDArray[]) null));
    assertTrue(all.getMessage().startsWith("vmap: the argument array is null"), all.getMessage());
    ArraxException fn = assertThrows(ArraxException.class, () -> Arrax.vmap(null, 0));
    assertTrue(fn.getMessage().startsWith("vmap: the function is null"), fn.getMessage());
    ArraxException unmapped = assertThrows(ArraxException.class, () -> Arrax.vmap(a -> a[0], new Integer[] {null}).apply(x));
    assertTrue(unmapped.getMessage().contains("no argument is mapped"), unmapped.getMessage());
  }

  /**
   * Bug 4 (decided: NDArray.scalar stays strongly typed, as {@code jnp.float64(0.0)}; the weak scalar is a
   * Java double). In JAX, {@code jnp.where(x32 > 0, x32, 0.0)} is f32 and
   * {@code jnp.where(x32 > 0, x32, jnp.float64(0.0))} is f64.
   */
  @Test
  void weakJavaDoublesKeepF32AndStrongScalarsPromote() {
    NDArray x32 = NDArray.of(-1.5f, 2.0f);
    NDArray weak = Np.where(Np.greater(x32, 0.0), x32, 0.0);
    pin(weak, DType.FLOAT32, new int[] {2}, new double[] {0, 2}, "where(x32 > 0, x32, 0.0) stays f32");
    NDArray strong = Np.where(Np.greater(x32, 0.0), x32, NDArray.scalar(0.0));
    pin(strong, DType.FLOAT64, new int[] {2}, new double[] {0, 2}, "where(x32 > 0, x32, scalar(0.0)) is f64 (a float64 array)");
    pin(Np.where(Np.greater(x32, 0.0), x32, NDArray.scalar(0.0, x32.dtype())), DType.FLOAT32, new int[] {2}, new double[] {0, 2},
        "scalar(0.0, x.dtype()) keeps f32");
    pin(Np.maximum(0.0, x32), DType.FLOAT32, new int[] {2}, new double[] {0, 2}, "maximum(0.0, x32)");
    pin(Np.minimum(0.0, x32), DType.FLOAT32, new int[] {2}, new double[] {-1.5, 0}, "minimum(0.0, x32)");
    pin(Np.power(2.0, x32), DType.FLOAT32, new int[] {2}, new double[] {Math.pow(2, -1.5), 4}, "power(2.0, x32)");
    pin(Np.where(Np.greater(x32, 0.0), 1.0, -1.0), DType.FLOAT64, new int[] {2}, new double[] {-1, 1}, "where(c, 1.0, -1.0): weak f64 alone is f64");
    pin(x32.mul(2.0).add(1.0), DType.FLOAT32, new int[] {2}, new double[] {-2, 5}, "x32 * 2.0 + 1.0");
  }

  /** Bug 5: the Lax.cond Javadoc example, verbatim, compiles and runs. */
  @Test
  void condJavadocExampleRuns() {
    NDArray x = NDArray.of(0.5, 1.0);
    NDArray y = Lax.cond(Np.greater(x.sum(), 0.0), xs -> Np.sin(xs[0]), xs -> Np.cos(xs[0]), x);
    Check.close(new double[] {Math.sin(0.5), Math.sin(1.0)}, y, 1e-15, 0, "cond example, positive sum");
    NDArray z = NDArray.of(-0.5, -1.0);
    NDArray w = Lax.cond(Np.greater(z.sum(), 0.0), xs -> Np.sin(xs[0]), xs -> Np.cos(xs[0]), z);
    Check.close(new double[] {Math.cos(-0.5), Math.cos(-1.0)}, w, 1e-15, 0, "cond example, negative sum");
  }
}
