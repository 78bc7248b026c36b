package dev.arrax;

import dev.arrax.batching.Vmap;

/**
 * A pure array function with several outputs, e.g. from {@link Arrax#outputs} or
 * {@link Arrax#valueAndGrad}. Its transformations are instance methods ({@link #jit()},
 * {@link #vmap(Integer...)}) rather than overloads of {@code Arrax.jit}, so that an inline lambda
 * passed to {@code Arrax.jit} is never ambiguous between {@link Fn} and MultiFn.
 */
@FunctionalInterface
public interface MultiFn {
  /** The function of all its arguments as one array: what a lambda implements (also from Scala: {@code a => ...}). */
  NDArray[] call(NDArray[] args);

  /** Applies the function: {@code f.apply(x, w)}. */
  default NDArray[] apply(NDArray... args) {
    return call(args);
  }

  /** Traced once per input signature and run as one program (shared work runs once). */
  default MultiFn jit() {
    return Jit.of(this, new int[0]);
  }

  /** As {@link #jit()} on a chosen backend ({@code cpu}, {@code gpu}, {@code auto}); see {@link Arrax#jit(Fn, String)}. */
  default MultiFn jit(String backend) {
    if (backend == null) throw new ArraxException("backend: null; use \"cpu\", \"gpu\" or \"auto\"");
    return Jit.of(this, new int[0], backend);
  }

  /** Maps every output over the given input axes (null: not mapped); outputs are batched at axis 0. */
  default MultiFn vmap(Integer... inAxes) {
    MultiFn self = this;
    Integer[] axes = Arrax.copyAxes("MultiFn.vmap", inAxes);
    return args -> Vmap.apply(self::apply, Arrax.axesOrDefault(axes, args), new Integer[] {0}, args);
  }

  /** {@link Arrax#checkpoint} for a function with several outputs: reverse mode recomputes its intermediates. */
  default MultiFn checkpoint() {
    MultiFn self = this;
    return args -> {
      Arrax.checkArgs("checkpoint", args);
      return dev.arrax.primitives.Checkpoint.apply("checkpoint", self::apply, args);
    };
  }

  /** The {@code i}-th output as an {@link Fn}. */
  default Fn output(int i) {
    MultiFn self = this;
    return args -> self.apply(args)[i];
  }
}
