package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.backend.Backends;
import dev.arrax.compile.cpu.Warmup;
import dev.arrax.testing.ChildJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Backends#holdWarmup}: while a hold is open the background warm-up cannot finish (it waits at its next check);
 * once every hold is released it does, and releasing twice counts once. In a child JVM, so the warm-up starts there
 * under the test's control.
 */
class WarmupHoldTest {
  /** Run in the child JVM: prints one line per check. */
  public static void main(String[] args) throws Exception {
    Runnable a = Backends.holdWarmup();
    Runnable b = Backends.holdWarmup();
    Fn f = Arrax.jit(x -> Np.sum(Np.tanh(x[0]), -1)); // starts the warm-up
    float got = (float) f.apply(NDArray.of(0.5f, -1f)).item();
    System.out.println("value " + (Math.abs(got - (float) (Math.tanh(0.5) + Math.tanh(-1))) < 1e-6));
    System.out.println("held " + Warmup.awaitDone(3_000));
    a.run();
    a.run(); // a second release of the same hold changes nothing: b still holds
    System.out.println("one released " + Warmup.awaitDone(1_000));
    b.run();
    System.out.println("all released " + Warmup.awaitDone(120_000));
  }

  @Test void aHeldWarmupWaitsAndFinishesOnceReleased() throws Exception {
    ChildJvm.Result r = ChildJvm.run(List.of("--add-modules=jdk.incubator.vector", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
        WarmupHoldTest.class, List.of(), true, 180);
    String out = r.out();
    assertTrue(r.exited(), out);
    assertEquals(0, r.exitValue(), out);
    assertTrue(out.contains("value true"), out);
    assertTrue(out.contains("held false"), "the warm-up finished while held:\n" + out);
    assertTrue(out.contains("one released false"), "the warm-up finished with one hold still open:\n" + out);
    assertTrue(out.contains("all released true"), "the warm-up did not finish once released:\n" + out);
  }
}
