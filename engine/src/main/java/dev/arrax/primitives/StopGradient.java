package dev.arrax.primitives;

import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.SymbolicZero;

/** Identity whose derivative is zero: gradients do not flow through it (jax.lax.stop_gradient). */
public final class StopGradient extends UnaryElementwise {
  StopGradient() {
    super(dev.arrax.core.ElementwiseOp.STOP_GRADIENT);
  }

  @Override protected boolean acceptsIntegers() { return true; }

  @Override protected double apply(double x) { return x; }

  @Override protected long applyInteger(long x, DType d) { return x; }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) { return new SymbolicZero(y.type()); }
}
