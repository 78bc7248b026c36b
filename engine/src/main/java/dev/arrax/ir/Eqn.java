package dev.arrax.ir;

import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import java.util.List;

/** One equation: {@code outputs = primitive[params] inputs}. */
public record Eqn(Primitive<?> primitive, Params params, List<Atom> inputs, List<Var> outputs) {
  /** Copies the input and output lists into unmodifiable ones. */
  public Eqn {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
