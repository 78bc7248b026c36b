package dev.arrax.primitives;

import dev.arrax.NDArray;

/** The error function; d/dx = 2/sqrt(pi) e^(-x^2). */
public final class Erf extends UnaryElementwise {
  Erf() {
    super(dev.arrax.core.ElementwiseOp.ERF);
  }

  @Override protected double apply(double x) {
    return SpecialFunctions.erf(x);
  }

  @Override protected NDArray tangent(NDArray x, NDArray y, NDArray t) {
    return Ops.mul(t, Ops.mul(Ops.like(x, 2.0 / Math.sqrt(Math.PI)), Ops.exp(Ops.neg(Ops.mul(x, x)))));
  }
}
