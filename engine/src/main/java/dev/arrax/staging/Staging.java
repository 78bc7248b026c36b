package dev.arrax.staging;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Trace;
import dev.arrax.core.TraceStack;
import dev.arrax.ir.Program;
import java.util.function.Function;

/** Traces a function to a {@link Program}, recording every operation (omnistaging). */
public final class Staging {
  private Staging() {}

  /**
   * Traces {@code f} on fresh variables of {@code inTypes} into a program named {@code name}
   * ({@code jax.make_jaxpr}): every operation is recorded, closed-over concrete arrays become constants.
   */
  public static Program trace(String name, ArrayType[] inTypes, Function<NDArray[], NDArray[]> f) {
    StagingTrace t = TraceStack.push(l -> new StagingTrace(l, name));
    Trace prev = TraceStack.setDynamic(t);
    try {
      NDArray[] in = new NDArray[inTypes.length];
      for (int i = 0; i < in.length; i++) in[i] = t.newInput(inTypes[i]);
      return t.build(f.apply(in));
    } finally {
      TraceStack.setDynamic(prev);
      TraceStack.pop(t);
    }
  }
}
