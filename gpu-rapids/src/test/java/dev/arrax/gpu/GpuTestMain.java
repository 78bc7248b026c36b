package dev.arrax.gpu;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the {@code gpu}-tagged tests without Maven (the GPU host has only a JRE; see
 * {@code gpu-rapids/device/README.md}): {@code java -cp <test classes, classes, jars> dev.arrax.gpu.GpuTestMain [--all]}.
 * One line per test ({@code PASS}, {@code FAIL}, {@code SKIP} with the reason), the summary, exit status 1
 * on a failure, or when every GPU test was skipped (on the GPU host that means the GPU is not usable).
 */
public final class GpuTestMain {
  private GpuTestMain() {}

  public static void main(String[] args) {
    boolean all = args.length > 0 && args[0].equals("--all");
    System.out.println("GPU check: " + GpuTestCondition.reason());
    // Classes named, not scanned: no dependence on the runtime's zip file system.
    LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(CudfGpuTest.class));
    if (all) {
      b.selectors(selectClass(PrimitiveLoweringTest.class), selectClass(WorkloadLoweringTest.class), selectClass(DeclineTest.class),
          selectClass(RowChunksTest.class), selectClass(BackendWithoutGpuTest.class));
    } else {
      b.filters(TagFilter.includeTags("gpu"));
    }
    LauncherDiscoveryRequest request = b.build();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    TestExecutionListener lines = new TestExecutionListener() {
      @Override public void executionSkipped(TestIdentifier id, String reason) {
        System.out.println("SKIP " + id.getDisplayName() + ": " + reason);
      }

      @Override public void executionFinished(TestIdentifier id, TestExecutionResult r) {
        if (!id.isTest()) return;
        String status = r.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? "PASS" : "FAIL";
        System.out.println(status + " " + id.getDisplayName() + r.getThrowable().map(t -> ": " + t).orElse(""));
      }
    };
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, summary, lines);
    TestExecutionSummary s = summary.getSummary();
    PrintWriter out = new PrintWriter(System.out, true);
    s.printTo(out);
    s.printFailuresTo(out, 20);
    long ran = s.getTestsSucceededCount() + s.getTestsFailedCount();
    System.out.println("GPU TESTS: " + s.getTestsSucceededCount() + " passed, " + s.getTestsFailedCount() + " failed, "
        + (s.getTestsSkippedCount() + s.getContainersSkippedCount()) + " skipped");
    System.exit(s.getTotalFailureCount() > 0 || ran == 0 ? 1 : 0);
  }
}
