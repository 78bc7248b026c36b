package dev.arrax.it;

import dev.arrax.NDArray;
import dev.arrax.backend.Backend;
import dev.arrax.backend.Backends;
import dev.arrax.backend.Claim;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.backend.Placement;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import dev.arrax.core.ArrayType;
import dev.arrax.spark.ArraxSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TEST-ONLY backend, {@code arrowtest}, registered through this module's
 * {@code META-INF/services/dev.arrax.backend.Backend}: it stands in for a device backend (the GPU) so the Spark
 * connector's Arrow batch path runs end to end on a machine without one. Its executables accept only
 * {@link Executable#runDirect} (so any other path fails loudly), check that what they receive are direct
 * buffers held by the connector's Arrow allocators and of the program's types, and compute through the CPU
 * backend. Off unless a test switches it on ({@link #use}); while off it is installed but not usable, which is
 * what {@code auto} meets on a machine whose GPU backend has no GPU.
 */
public final class ArrowTestBackend implements Backend {
  public static final String NAME = "arrowtest";

  /** What the backend does: not usable, claims everything, or declines contractions (a backend that takes part of a program). */
  public enum Mode { OFF, ALL, NO_CONTRACTIONS }

  private static volatile Mode mode = Mode.OFF;
  static final AtomicLong DIRECT_RUNS = new AtomicLong();
  static final AtomicLong DIRECT_INPUT_BYTES = new AtomicLong();
  /** The row-mapped flags of every plan compiled, as text ("[false, true, ...]"), for checks of the connector's plans. */
  static final List<String> ROW_MAPPED = Collections.synchronizedList(new ArrayList<>());

  /** Switches the backend to {@code m}; returns a handle that switches it off again. */
  static AutoCloseable use(Mode m) {
    mode = m;
    return () -> mode = Mode.OFF;
  }

  @Override public String name() { return NAME; }

  /** Below the CPU, so installed lists read "[cpu, arrowtest]". */
  @Override public int priority() { return -1; }

  @Override public Claim availability() {
    return mode == Mode.OFF ? Claim.no("the test backend is switched off (ArrowTestBackend.use turns it on)") : Claim.yes();
  }

  @Override public Claim claim(Segment segment, ProgramPlan plan) {
    if (mode == Mode.NO_CONTRACTIONS && segment.kind() == Segment.Kind.CONTRACTION) {
      return Claim.no("the test backend takes no contractions (" + segment.eqns().get(0).primitive().name() + ")");
    }
    return Claim.yes();
  }

  @Override public Executable compile(Placement placement) {
    ROW_MAPPED.add(placement.plan().rows() + " " + Arrays.toString(placement.plan().rowMapped()));
    Executable cpu = Backends.byName(Backends.CPU).compile(placement);
    return new DirectOnly(cpu, placement);
  }

  private static final class DirectOnly implements Executable {
    private final Executable cpu;
    private final Placement placement;

    DirectOnly(Executable cpu, Placement placement) {
      this.cpu = cpu;
      this.placement = placement;
    }

    @Override public NDArray[] run(NDArray... args) {
      throw new UnsupportedOperationException("arrowtest runs off-heap batches only (runDirect); it was called with arrays");
    }

    @Override public NDArray[] runOnCallerThread(NDArray... args) {
      throw new UnsupportedOperationException("arrowtest runs off-heap batches only (runDirect); it was called with arrays");
    }

    @Override public void runDirect(DirectArray[] inputs, DirectArray[] outputs) {
      ArrayType[] in = placement.plan().program().inTypes();
      ArrayType[] out = placement.plan().program().outTypes();
      check(inputs, in, "input");
      check(outputs, out, "output");
      long bytes = 0;
      for (DirectArray d : inputs) bytes += d.data().capacity();
      long held = ArraxSpark.arrowMemory().allocatedBytes();
      if (held < bytes) {
        throw new IllegalStateException("arrowtest: the connector's Arrow allocators hold " + held + " bytes, less than the "
            + bytes + " bytes of the inputs: the buffers are not Arrow memory");
      }
      NDArray[] args = new NDArray[inputs.length];
      for (int i = 0; i < args.length; i++) args[i] = HostArrays.wrap(in[i].dtype(), inputs[i].toHostArray(), in[i].shape());
      NDArray[] res = cpu.runOnCallerThread(args);
      for (int i = 0; i < res.length; i++) outputs[i].copyFrom(HostArrays.data(res[i]));
      DIRECT_RUNS.incrementAndGet();
      DIRECT_INPUT_BYTES.addAndGet(bytes);
    }

    private static void check(DirectArray[] given, ArrayType[] expected, String what) {
      if (given.length != expected.length) {
        throw new IllegalStateException("arrowtest: " + given.length + " " + what + "s for a program of " + expected.length);
      }
      for (int i = 0; i < given.length; i++) {
        DirectArray d = given[i];
        long need = (long) expected[i].size() * DirectArray.elementBytes(expected[i].dtype());
        if (!d.data().isDirect() || !d.type().equals(expected[i]) || d.data().capacity() != need) {
          throw new IllegalStateException("arrowtest: " + what + " " + i + " is " + d.type() + " in a " + (d.data().isDirect() ? "direct" : "heap")
              + " buffer of " + d.data().capacity() + " bytes; the program wants " + expected[i] + " (" + need + " bytes, direct)");
        }
      }
    }

    @Override public String backend() { return NAME; }

    @Override public Placement placement() { return placement; }
  }
}
