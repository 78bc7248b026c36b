package dev.arrax.gpu.plan;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;
import dev.arrax.core.Primitive;
import java.util.function.IntFunction;

/**
 * The host side of one run of a {@link GpuPlan}, shared by the cuDF executor and {@link HostEvaluator}:
 * binds the slots (parameter inputs, constants), runs the prelude, gives literal values to the device
 * work, fills the sums over rows read back from the device, runs the epilogue and materializes host
 * outputs. Host work is on parameters and sums only, never on per-row data.
 */
public final class HostSlots {
  private final GpuPlan plan;
  private final ConcreteArray[] values;

  private HostSlots(GpuPlan plan) {
    this.plan = plan;
    this.values = new ConcreteArray[plan.slots().size()];
  }

  /**
   * Binds the input and constant slots and runs the prelude. {@code parameterInput} returns the host array
   * of a program input that the plan binds as a parameter.
   */
  public static HostSlots prepare(GpuPlan plan, IntFunction<NDArray> parameterInput) {
    HostSlots h = new HostSlots(plan);
    for (SlotInfo s : plan.slots()) {
      if (s.source() instanceof SlotInfo.Input in) h.values[s.id()] = concrete(parameterInput.apply(in.input()), s.type());
      else if (s.source() instanceof SlotInfo.Constant c) h.values[s.id()] = concrete(c.value(), s.type());
    }
    for (HostStep step : plan.prelude()) h.run(step);
    return h;
  }

  /** The value of slot element {@code index}, for AST literals. */
  public double element(int slot, int index) {
    ConcreteArray v = values[slot];
    if (v == null) throw new IllegalStateException("slot $s" + slot + " read before it is bound");
    return v.buffer().getDouble(index);
  }

  /** The value of a literal leaf ({@link Expr.Const} or {@link Expr.Param}). */
  public double literal(Expr leaf) {
    if (leaf instanceof Expr.Const c) return c.value();
    if (leaf instanceof Expr.Param p) return element(p.slot(), p.index());
    throw new IllegalArgumentException("not a literal leaf: " + leaf.render());
  }

  /** Fills the sum slots from the device's scalars (summed in FLOAT64, rounded to each slot's dtype) and runs the epilogue. */
  public void finish(double[] scalars) {
    for (SlotInfo s : plan.slots()) {
      if (!(s.source() instanceof SlotInfo.Sums sums)) continue;
      ConcreteArray a = ConcreteArray.zeros(s.type());
      for (int i = 0; i < sums.scalarIds().length; i++) a.buffer().setDouble(i, scalars[sums.scalarIds()[i]]);
      values[s.id()] = a;
    }
    for (HostStep step : plan.epilogue()) run(step);
  }

  /** A host output: the view materialized with the output's type (a slot itself is returned as it is). */
  public NDArray output(SlotView v, ArrayType type) {
    ConcreteArray slot = values[v.slot()];
    if (v.isWhole(slot.shape()) && slot.type().equals(type)) return slot;
    return materialize(v, type);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void run(HostStep step) {
    ConcreteArray[] in = new ConcreteArray[step.inputs().size()];
    for (int i = 0; i < in.length; i++) {
      SlotView v = step.inputs().get(i);
      ConcreteArray slot = values[v.slot()];
      in[i] = v.isWhole(slot.shape()) ? slot : materialize(v, slot.type().withShape(v.shape()));
    }
    NDArray[] out = ((Primitive) step.primitive()).evaluate(in, step.params());
    for (int i = 0; i < step.outSlots().length; i++) {
      SlotInfo s = plan.slots().get(step.outSlots()[i]);
      ConcreteArray c = (ConcreteArray) out[i];
      if (!c.type().equals(s.type())) throw new IllegalStateException("host step " + step.describe() + " gave " + c.type() + " for " + s.type());
      values[s.id()] = c;
    }
  }

  /**
   * Copies a view into a fresh array. A view that repeats along axis 0 (a parameter broadcast over rows) is
   * built from its first row by doubling copies, with no per-element work over the rows.
   */
  private ConcreteArray materialize(SlotView v, ArrayType type) {
    Buffer src = values[v.slot()].buffer();
    ConcreteArray out = ConcreteArray.zeros(type);
    Buffer dst = out.buffer();
    int n = v.size();
    if (n == 0) return out;
    int fill = n;
    if (v.rank() > 0 && v.rowInvariant() && v.shape()[0] > 1) fill = n / v.shape()[0];
    for (int i = 0; i < fill; i++) dst.copyElement(i, src, v.sourceIndex(i));
    for (int have = fill; have < n; have *= 2) dst.copyRange(have, dst, 0, Math.min(have, n - have));
    return out;
  }

  private static ConcreteArray concrete(NDArray a, ArrayType expected) {
    if (!(a instanceof ConcreteArray c)) throw new ArraxException("gpu plan: expected a concrete array for " + expected + ", got " + a.type());
    if (!c.type().equals(expected)) throw new ArraxException("gpu plan: parameter must be " + expected + ", got " + c.type());
    c.buffer(); // waits for an asynchronous result
    return c;
  }
}
