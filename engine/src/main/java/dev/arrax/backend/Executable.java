package dev.arrax.backend;

import dev.arrax.NDArray;

/**
 * A compiled program, ready to run on concrete arrays: what {@link Backends#compile} returns. Immutable
 * and safe to call from many threads.
 */
public interface Executable {
  /** Runs the program; the backend may use several threads. Arguments must match the program's input types. */
  NDArray[] run(NDArray... args);

  /**
   * Runs the program on the calling thread only (inside a Spark task, whose cores Spark already
   * schedules). Backends without threads of their own run as {@link #run}.
   */
  default NDArray[] runOnCallerThread(NDArray... args) { return run(args); }

  /**
   * Runs the program on off-heap inputs and writes the outputs into caller-provided off-heap buffers
   * (Arrow vectors' buffers, say), on the calling thread. The default copies through host arrays in
   * bulk; a device backend overrides it to move the buffers to and from the device directly.
   */
  default void runDirect(DirectArray[] inputs, DirectArray[] outputs) {
    NDArray[] args = new NDArray[inputs.length];
    for (int i = 0; i < args.length; i++) {
      args[i] = HostArrays.wrap(inputs[i].type().dtype(), inputs[i].toHostArray(), inputs[i].type().shape());
    }
    NDArray[] out = runOnCallerThread(args);
    if (out.length != outputs.length) throw new IllegalArgumentException("program has " + out.length + " outputs, given " + outputs.length + " buffers");
    for (int i = 0; i < out.length; i++) {
      if (!out[i].type().equals(outputs[i].type())) {
        throw new IllegalArgumentException("output " + i + " is " + out[i].type() + ", its buffer is for " + outputs[i].type());
      }
      outputs[i].copyFrom(HostArrays.data(out[i]));
    }
  }

  /** The name of the backend that runs it ({@code cpu}, {@code gpu}). */
  String backend();

  /** The plan it was compiled from, with the placement of each segment. */
  Placement placement();

  /** A printable plan: per segment which backend runs it and, where one declined, why. */
  default String explain() { return placement().explain(); }
}
