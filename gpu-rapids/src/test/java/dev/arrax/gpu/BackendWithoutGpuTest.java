package dev.arrax.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arrax.ArraxException;
import dev.arrax.backend.Backend;
import dev.arrax.backend.Backends;
import dev.arrax.backend.Claim;
import dev.arrax.backend.Executable;
import dev.arrax.backend.Placement;
import dev.arrax.backend.ProgramPlan;
import dev.arrax.backend.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backend where no GPU is present (CI): it is found by name, says why it is not usable without loading
 * cuDF's native library, leaves {@code auto} on the CPU, and explains a GPU placement segment by segment.
 */
class BackendWithoutGpuTest {
  private static boolean noDevice() { return !Files.exists(Path.of("/dev/nvidiactl")); }

  @Test void registeredAsGpuAboveTheCpu() {
    Backend b = Backends.byName("gpu");
    assertTrue(b instanceof CudfBackend);
    assertEquals("gpu", Backends.all().get(0).name());
  }

  @Test void availabilityNamesTheMissingDevice() {
    String old = System.getProperty("arrax.gpu.deviceFile");
    System.setProperty("arrax.gpu.deviceFile", "/nonexistent/nvidiactl");
    try {
      assertEquals(Claim.no("no NVIDIA GPU here (/nonexistent/nvidiactl does not exist)"), CudfBackend.probe());
    } finally {
      if (old == null) System.clearProperty("arrax.gpu.deviceFile");
      else System.setProperty("arrax.gpu.deviceFile", old);
    }
  }

  @Test void requestingTheGpuFailsBeforeAnythingRuns() {
    assumeTrue(noDevice(), "this machine has /dev/nvidiactl");
    ArraxException e = assertThrows(ArraxException.class, () -> Backends.requireUsable("gpu"));
    assertEquals("backend 'gpu' is not usable here: no NVIDIA GPU here (/dev/nvidiactl does not exist). Use backend 'auto' to run on the CPU"
        + " where it is not usable, or 'cpu'.", e.getMessage());
  }

  @Test void autoRunsOnTheCpuAndSaysWhy() {
    assumeTrue(noDevice(), "this machine has /dev/nvidiactl");
    ProgramPlan plan = Workloads.w1(200, 1).plan();
    Placement p = Backends.place(plan, "auto");
    assertEquals("cpu", p.backend());
    assertEquals("auto: the program runs on the cpu because gpu not usable: no NVIDIA GPU here (/dev/nvidiactl does not exist)", p.note());
  }

  @Test void explainOfAGpuPlacementShowsGpuPerSegmentAndThePlan() {
    Workloads.Case w = Workloads.w3(500, 1);
    List<Placement.Decision> d = new ArrayList<>();
    for (Segment s : w.plan().segments()) d.add(new Placement.Decision(s, "gpu", List.of()));
    Placement placement = new Placement(w.plan(), "gpu", "gpu", d, "");
    Executable e = new CudfBackend().compile(placement);
    assertEquals("gpu", e.backend());
    String text = e.explain();
    String[] lines = text.split("\n");
    int segmentLines = 0;
    for (String line : lines) {
      if (line.startsWith("  #")) {
        segmentLines++;
        assertTrue(line.endsWith("gpu"), line);
      }
    }
    assertEquals(w.plan().segments().size(), segmentLines, text);
    assertTrue(text.contains("GpuPlan: rows 500, "), text);
    assertTrue(text.contains("sum_rows("), text);
    assertFalse(text.contains(" cpu"), text);
  }
}
