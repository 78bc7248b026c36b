package dev.arrax.primitives;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.core.UndefinedPrimal;

/**
 * {@code optimization_barrier operands...}: the identity on its operands, which the optimizer does not see
 * through (JAX's {@code lax.optimization_barrier}). Values read through it are new variables, so common
 * subexpression elimination cannot merge a computation on them with the same computation on the
 * originals. {@link Checkpoint}'s backward pass recomputes from barrier outputs, so under jit the
 * recomputation stays a recomputation (JAX's {@code prevent_cse=True}), and the forward intermediates can
 * be released after the forward pass.
 *
 * <p>Rules: evaluation returns the operands themselves (no copy); JVP is a barrier of the primals with
 * the tangents passed through; it is linear (the transpose passes cotangents through); vmap keeps each
 * operand's batch axis.
 */
public final class OptimizationBarrier extends Primitive<Params.None> {
  OptimizationBarrier() {
    super("optimization_barrier", Params.None.class);
  }

  @Override public ArrayType[] outTypes(ArrayType[] in, Params.None p) {
    return in.clone();
  }

  @Override public NDArray[] evaluate(ConcreteArray[] in, Params.None p) {
    return java.util.Arrays.copyOf(in, in.length, NDArray[].class);
  }

  @Override public JvpResult jvp(NDArray[] primals, NDArray[] tangents, Params.None p) {
    return new JvpResult(bind(p, primals), tangents.clone());
  }

  @Override public NDArray[] transpose(NDArray[] cotangents, NDArray[] inputs, Params.None p) {
    NDArray[] r = new NDArray[inputs.length];
    for (int i = 0; i < inputs.length; i++) r[i] = UndefinedPrimal.is(inputs[i]) ? cotangents[i] : null;
    return r;
  }

  @Override public Batched batch(NDArray[] args, int[] dims, int axisSize, Params.None p) {
    return new Batched(bind(p, args), dims.clone());
  }

  /** The operands behind a barrier (nothing to do for none). */
  public static NDArray[] apply(NDArray... operands) {
    return operands.length == 0 ? operands : Primitives.OPTIMIZATION_BARRIER.bind(Params.None.INSTANCE, operands);
  }
}
