package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.rapids.cudf.Rmm;
import ai.rapids.cudf.RmmAllocationMode;
import dev.arrax.NDArray;
import dev.arrax.backend.Backends;
import dev.arrax.backend.DirectArray;
import dev.arrax.backend.Executable;
import dev.arrax.backend.HostArrays;
import dev.arrax.backend.Placement;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import dev.arrax.core.ArrayType;
import dev.arrax.gpu.lower.GpuLowering;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * On a real GPU: every lowered primitive and W1-W3 run with cuDF against the CPU backend, the off-heap
 * path ({@code runDirect}), parts of rows, and no leaked device or host memory at the end (RMM's tracked
 * bytes back to zero; cuDF's cleaner finds no unclosed column, scalar, buffer or expression). Skipped, with
 * the reason, where no GPU is usable (CI).
 */
@Tag("gpu")
@EnabledIf(value = "dev.arrax.gpu.GpuTestCondition#gpuUsable",
    disabledReason = "no usable GPU (/dev/nvidiactl missing, or cuDF's Cuda.isEnvCompatibleForTesting() is false)")
class CudfGpuTest {
  @BeforeAll static void initializeRmm() {
    if (!Rmm.isInitialized()) Rmm.initialize(RmmAllocationMode.CUDA_DEFAULT, null, 0);
  }

  /** A GPU executable for any batch size (the tests use batches below arrax.gpu.minRows). */
  static Executable onGpu(ProgramPlan plan) {
    GpuLowering.Result r = GpuLowering.lower(plan);
    assertTrue(r.lowered(), "declined: " + r.declined());
    List<Placement.Decision> d = new ArrayList<>();
    for (Segment s : plan.segments()) d.add(new Placement.Decision(s, "gpu", List.of()));
    return new CudfBackend().compile(new Placement(plan, "gpu", "gpu", d, ""));
  }

  private static void gpuMatchesCpu(String what, ProgramPlan plan, NDArray[] args, boolean cpuBackend) {
    long before = Rmm.getTotalBytesAllocated();
    NDArray[] gpu = onGpu(plan).run(args);
    assertEquals(before, Rmm.getTotalBytesAllocated(), what + ": device bytes still allocated after the run");
    NDArray[] cpu = cpuBackend ? Backends.compile(plan, "cpu").run(args) : plan.program().call(args);
    for (int i = 0; i < cpu.length; i++) Compare.assertClose(what + " output " + i, cpu[i], gpu[i], Compare.F32_REL);
  }

  @TestFactory Stream<DynamicTest> everyPrimitive() {
    List<DynamicTest> tests = new ArrayList<>();
    for (PrimitiveCases.Case c : PrimitiveCases.all()) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        Workloads.Case w = c.make().apply(11L);
        gpuMatchesCpu(c.name(), w.plan(), w.args(), c.cpuBackend());
      }));
    }
    return tests.stream();
  }

  @Test void w1() {
    Workloads.Case w = Workloads.w1(200_000, 1);
    gpuMatchesCpu("W1", w.plan(), w.args(), true);
  }

  @Test void w2() {
    Workloads.Case w = Workloads.w2(20_000, 2);
    gpuMatchesCpu("W2", w.plan(), w.args(), true);
  }

  @Test void w3() {
    Workloads.Case w = Workloads.w3(200_000, 3);
    gpuMatchesCpu("W3", w.plan(), w.args(), true);
  }

  @Test void partsOfRowsGiveTheSameResult() {
    Workloads.Case w = Workloads.w3(100_000, 4);
    NDArray[] whole = onGpu(w.plan()).run(w.args());
    System.setProperty("arrax.gpu.maxChunkRows", "30000");
    try {
      NDArray[] parts = onGpu(w.plan()).run(w.args());
      Compare.assertClose("W3 in parts", whole[0], parts[0], 1e-6);
    } finally {
      System.clearProperty("arrax.gpu.maxChunkRows");
    }
  }

  @Test void directBuffersInAndOut() {
    for (Workloads.Case w : List.of(Workloads.w1(50_000, 5), Workloads.w2(5_000, 6), Workloads.w3(50_000, 7))) {
      Executable e = onGpu(w.plan());
      NDArray[] expected = e.run(w.args());
      DirectArray[] in = new DirectArray[w.args().length];
      for (int i = 0; i < in.length; i++) {
        in[i] = direct(w.args()[i].type());
        in[i].copyFrom(HostArrays.data(w.args()[i]));
      }
      DirectArray[] out = new DirectArray[expected.length];
      for (int i = 0; i < out.length; i++) out[i] = direct(expected[i].type());
      e.runDirect(in, out);
      for (int i = 0; i < out.length; i++) {
        NDArray got = HostArrays.wrap(out[i].type().dtype(), out[i].toHostArray(), out[i].type().shape());
        Compare.assertClose(w.id() + " runDirect output " + i, expected[i], got, 0);
      }
    }
  }

  private static DirectArray direct(ArrayType t) {
    return new DirectArray(t, ByteBuffer.allocateDirect(t.size() * DirectArray.elementBytes(t.dtype())).order(ByteOrder.LITTLE_ENDIAN));
  }

  @AfterAll static void nothingLeaked() throws Exception {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
    }
    assertEquals(0L, Rmm.getTotalBytesAllocated(), "device bytes allocated after all GPU tests");
    java.lang.reflect.Field f = Class.forName("ai.rapids.cudf.MemoryCleaner").getDeclaredField("leakCount");
    f.setAccessible(true);
    assertEquals(0L, ((AtomicLong) f.get(null)).get(), "cuDF objects (columns, scalars, host buffers, expressions) leaked without close()");
  }
}
