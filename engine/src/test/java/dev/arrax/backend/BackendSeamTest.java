package dev.arrax.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.Arrax;
import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;
import dev.arrax.compile.Passes;
import dev.arrax.core.ElementwiseOp;
import dev.arrax.core.Primitive;
import dev.arrax.ir.Program;
import dev.arrax.primitives.Primitives;
import dev.arrax.testing.Rand;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backend seam: discovery, the neutral planner, claims and fallbacks, explain, and the direct-buffer path. */
class BackendSeamTest {
  private static final int D = 6, H = 5;

  /** A 2-layer tanh MLP for one row: the shape of the benchmark's W1. */
  private static NDArray mlp(NDArray... a) {
    return Np.dot(Np.tanh(Np.add(Np.dot(a[0], a[1]), a[2])), a[3]);
  }

  private static NDArray[] w1Args(int rows, long seed) {
    Rand r = new Rand(seed);
    return new NDArray[] {r.normal(DType.FLOAT32, rows, D), r.normal(DType.FLOAT32, D, H), r.normal(DType.FLOAT32, H), r.normal(DType.FLOAT32, H)};
  }

  private static Program w1Program(NDArray[] args) {
    return Passes.optimize(Arrax.makeJaxpr(Arrax.vmap(Arrax.grad(BackendSeamTest::mlp), 0, null, null, null), args));
  }

  @AfterEach void reset() {
    PickyTestBackend.usable = true;
  }

  @Test void serviceLoaderFindsTheCpuAndTestBackendsHighestPriorityFirst() {
    List<String> names = new ArrayList<>();
    for (Backend b : Backends.all()) names.add(b.name());
    assertEquals(List.of("picky", "cpu"), names);
    assertTrue(Backends.byName(" CPU ").availability().accepted());
  }

  @Test void unknownBackendNamesTheInstalledOnesAndTheGpuModule() {
    ArraxException e = assertThrows(ArraxException.class, () -> Backends.byName("gpu"));
    assertEquals("no backend named 'gpu'; installed: [picky, cpu] and 'auto' (the GPU backend is the arrax-gpu-rapids module;"
        + " put it and ai.rapids:cudf on the classpath)", e.getMessage());
    assertThrows(ArraxException.class, () -> Arrax.jit(a -> a[0], "tpu"));
  }

  @Test void unusableBackendFailsBeforeAnythingRunsButAutoFallsBack() {
    PickyTestBackend.usable = false;
    ArraxException e = assertThrows(ArraxException.class, () -> Backends.requireUsable("picky"));
    assertEquals("backend 'picky' is not usable here: the picky test device is switched off. Use backend 'auto' to run on the CPU"
        + " where it is not usable, or 'cpu'.", e.getMessage());
    NDArray[] args = w1Args(16, 1);
    Placement p = Backends.place(ProgramPlan.of(w1Program(args)), "auto");
    assertEquals("cpu", p.backend());
    assertEquals("auto: the program runs on the cpu because picky not usable: the picky test device is switched off", p.note());
  }

  @Test void neutralPlannerCutsW1IntoContractionsAndFusedGroups() {
    NDArray[] args = w1Args(16, 2);
    ProgramPlan plan = ProgramPlan.of(w1Program(args));
    List<Segment.Kind> kinds = new ArrayList<>();
    for (Segment s : plan.segments()) kinds.add(s.kind());
    assertEquals(List.of(Segment.Kind.CONTRACTION, Segment.Kind.FUSED, Segment.Kind.CONTRACTION, Segment.Kind.FUSED, Segment.Kind.CONTRACTION), kinds);
    assertEquals(16, plan.rows());
    assertArrayEquals(new boolean[] {true, false, false, false}, plan.rowMapped());
    // Every segment input is a program input or an earlier segment's output; the last segment yields the result.
    Set<Object> available = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    available.addAll(plan.program().inVars());
    available.addAll(plan.program().constVars());
    for (Segment s : plan.segments()) {
      for (var v : s.inputs()) assertTrue(available.contains(v), "segment " + s.index() + " reads " + v + " before it exists");
      available.addAll(s.outputs());
    }
    assertEquals(plan.program().outs().get(0), plan.segments().get(4).outputs().get(0));
  }

  @Test void backendThatClaimsEverySegmentRunsTheProgramAndExplainsIt() {
    NDArray[] args = w1Args(16, 3);
    Fn onPicky = Arrax.jit(Arrax.vmap(Arrax.grad(BackendSeamTest::mlp), 0, null, null, null), "picky");
    Fn onCpu = Arrax.jit(Arrax.vmap(Arrax.grad(BackendSeamTest::mlp), 0, null, null, null), "cpu");
    int before = PickyTestBackend.RUNS.get();
    assertArrayEquals(onCpu.apply(args).toFloatArray(), onPicky.apply(args).toFloatArray());
    assertEquals(before + 1, PickyTestBackend.RUNS.get());
    String explain = Arrax.explain(Arrax.vmap(Arrax.grad(BackendSeamTest::mlp), 0, null, null, null), "auto", args);
    assertTrue(explain.startsWith("== Arrax plan: backend picky (requested auto), rows 16, 5 segments =="), explain);
    assertTrue(explain.contains("#0 CONTRACTION[dot_general] f32[16,6] -> f32[16,5]   picky"), explain);
  }

  @Test void declinedSegmentSendsTheWholeProgramToTheCpuWithTheReason() {
    Fn f = a -> Np.sum(Np.tanh(dev.arrax.primitives.Ops.sort(new NDArray[] {a[0]}, 1, 1)[0]), -1);
    NDArray x = new Rand(4).normal(DType.FLOAT32, 16, 7);
    Placement p = Backends.place(ProgramPlan.of(Passes.optimize(Arrax.makeJaxpr(f, x))), "picky");
    assertEquals("cpu", p.backend());
    String explain = p.explain();
    assertTrue(explain.contains("OPAQUE[sort] f32[16,7] -> f32[16,7]   cpu   (picky: will not run on picky because sort f32[16,7] has no picky lowering)"), explain);
    assertTrue(p.note().startsWith("picky: the program runs on the cpu because picky declined 1 of "), p.note());
    int before = PickyTestBackend.RUNS.get();
    NDArray got = Arrax.jit(f, "picky").apply(x);
    assertEquals(before, PickyTestBackend.RUNS.get(), "the picky backend must not run a program it declined");
    assertArrayEquals(Arrax.jit(f, "cpu").apply(x).toFloatArray(), got.toFloatArray());
  }

  @Test void programLevelDeclineIsExplained() {
    NDArray[] args = w1Args(7, 5);
    Placement p = Backends.place(ProgramPlan.of(w1Program(args)), "auto");
    assertEquals("cpu", p.backend());
    assertEquals("auto: the program runs on the cpu because picky declined the program: a batch of 7 rows is below the picky minimum of 8", p.note());
  }

  @Test void directBuffersRunLikeHostArrays() {
    NDArray[] args = w1Args(16, 6);
    Executable exe = Backends.compile(w1Program(args), "cpu");
    DirectArray[] in = new DirectArray[args.length];
    for (int i = 0; i < args.length; i++) {
      in[i] = new DirectArray(args[i].type(), ByteBuffer.allocateDirect(args[i].size() * 4));
      in[i].copyFrom(HostArrays.data(args[i]));
    }
    NDArray expected = exe.run(args)[0];
    DirectArray[] out = {new DirectArray(expected.type(), ByteBuffer.allocateDirect(expected.size() * 4))};
    exe.runDirect(in, out);
    assertArrayEquals(expected.toFloatArray(), (float[]) out[0].toHostArray());
    IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
        () -> new DirectArray(expected.type(), ByteBuffer.allocate(expected.size() * 4)));
    assertEquals("DirectArray needs a direct (off-heap) buffer for f32[16,6]", heap.getMessage());
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> new DirectArray(expected.type(), ByteBuffer.allocateDirect(8)));
    assertEquals("DirectArray of f32[16,6] needs 384 bytes, the buffer has 8", small.getMessage());
  }

  @Test void hostArraysWrapWithoutCopying() {
    float[] data = {1, 2, 3, 4, 5, 6};
    NDArray a = HostArrays.wrap(DType.FLOAT32, data, 2, 3);
    assertTrue(HostArrays.data(a) == data);
    assertEquals(6.0, a.getDouble(1, 2));
    assertEquals(float.class, HostArrays.elementType(DType.FLOAT32));
  }

  /** Lowering keys: each elementwise primitive names exactly one op, whose name is the primitive's. */
  @Test void everyElementwisePrimitiveHasItsOwnOp() {
    Set<ElementwiseOp> seen = EnumSet.noneOf(ElementwiseOp.class);
    for (Primitive<?> p : Primitives.all()) {
      ElementwiseOp op = p.elementwiseOp();
      if (op == null) continue;
      assertTrue(seen.add(op), "two primitives claim " + op);
      assertEquals(op.primitiveName(), p.name());
    }
    assertEquals(EnumSet.allOf(ElementwiseOp.class), seen);
    assertFalse(Primitives.DOT_GENERAL.elementwiseOp() != null);
  }

  /** The CPU backend's lowering reads no params reflectively and matches no primitive by its name. */
  @Test void cpuLoweringUsesNoNameStringsOrReflection() throws Exception {
    java.nio.file.Path root = java.nio.file.Path.of("src/main/java/dev/arrax/compile/cpu");
    List<String> offenders = new ArrayList<>();
    try (var files = java.nio.file.Files.walk(root)) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
        String src = java.nio.file.Files.readString(f);
        for (String bad : new String[] {"getDeclaredMethod", "getRecordComponents", ".name().equals(", "case \"", "Set.of(\""}) {
          if (src.contains(bad)) offenders.add(f.getFileName() + ": " + bad);
        }
      }
    }
    assertEquals(List.of(), offenders);
  }
}
