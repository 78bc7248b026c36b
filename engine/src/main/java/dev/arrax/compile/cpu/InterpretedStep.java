package dev.arrax.compile.cpu;

import dev.arrax.NDArray;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Eqn;

/** Runs one equation with the primitive's reference evaluator: the fallback for what is not compiled. */
final class InterpretedStep implements Step {
  private final Eqn eqn;
  private final int[] inputSlots;
  private final int[] outputSlots;

  InterpretedStep(Eqn eqn, int[] inputSlots, int[] outputSlots) {
    this.eqn = eqn;
    this.inputSlots = inputSlots;
    this.outputSlots = outputSlots;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  @Override public void run(NDArray[] env) {
    ConcreteArray[] in = new ConcreteArray[inputSlots.length];
    for (int i = 0; i < in.length; i++) in[i] = (ConcreteArray) env[inputSlots[i]];
    NDArray[] out = ((Primitive) eqn.primitive()).evaluate(in, eqn.params());
    for (int i = 0; i < out.length; i++) env[outputSlots[i]] = out[i];
  }

  @Override public int[] inputSlots() { return inputSlots.clone(); }

  @Override public int[] outputSlots() { return outputSlots.clone(); }

  @Override public String describe() {
    return "interpreted " + eqn.primitive().name() + " -> " + eqn.outputs().get(0).type();
  }
}
