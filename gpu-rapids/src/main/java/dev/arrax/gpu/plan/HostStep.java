package dev.arrax.gpu.plan;

import dev.arrax.core.Params;
import dev.arrax.core.Primitive;
import dev.arrax.ir.ParamCodec;
import java.util.List;
import java.util.StringJoiner;

/**
 * An equation of the program run on the host, on small arrays: work on parameters only (the prelude,
 * before the device runs: {@code l = dot_general(1.0, w2)} in W1) or on sums over rows (the epilogue,
 * after: the transpose and reshape of W3's gradient). It runs the engine's reference evaluation of the
 * primitive on the materialized input views. Host steps never touch per-row data; the lowering bounds
 * their size.
 *
 * @param primitive    the primitive
 * @param params       its typed params
 * @param inputs       the operands as views of slots
 * @param outSlots     the slots it defines, one per output
 * @param afterDevice  whether it belongs to the epilogue
 */
public record HostStep(Primitive<?> primitive, Params params, List<SlotView> inputs, int[] outSlots, boolean afterDevice) {
  /** Copies the inputs and output slots. */
  public HostStep {
    inputs = List.copyOf(inputs);
    outSlots = outSlots.clone();
  }

  /** {@code $s4 = reduce_sum[axes=(0)] $s2}: the step as plans print it. */
  public String describe() {
    StringJoiner outs = new StringJoiner(", ");
    for (int s : outSlots) outs.add("$s" + s);
    StringJoiner ins = new StringJoiner(", ");
    for (SlotView v : inputs) ins.add(v.toString());
    String p = ParamCodec.format(params);
    return outs + " = " + primitive.name() + (p.isEmpty() ? "" : "[" + p + "]") + " " + ins;
  }
}
