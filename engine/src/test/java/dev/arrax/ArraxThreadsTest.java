package dev.arrax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The threads Arrax starts, seen from a fresh JVM: building and computing arrays eagerly starts none (in particular
 * not the compiler warm-up); jit, asynchronous dispatch and multi-core kernels start only daemons named
 * {@code arrax-...}; and the JVM exits when main returns, without System.exit.
 */
class ArraxThreadsTest {
  /** Run in the child JVM: prints one line per check, for the parent to read. */
  public static void main(String[] args) throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    NDArray x = NDArray.fromFlat(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    NDArray y = Np.sum(Np.exp(x.mul(2.0)));
    NDArray.of(1.0, 2.0).add(NDArray.ofLongs(1, 2));
    y.item();
    Thread.sleep(200);
    System.out.println("eager " + names(newThreads(before)));
    dev.arrax.compile.cpu.Parallel.setThreads(2);
    Fn f = Arrax.jit(a -> Np.sum(Np.tanh(a[0].mul(0.5)), -1));
    // the warm-up starts here and may be done before the runs below end (a quiet machine): look right away, and again
    Set<String> started = new TreeSet<>();
    for (Thread t : newThreads(before)) started.add(t.getName() + (t.isDaemon() ? ":daemon" : ":NOT-DAEMON"));
    NDArray big = Np.ones(new int[] {2048, 1024}, DType.FLOAT32); // enough work to split across threads
    for (int i = 0; i < 3; i++) f.apply(big).blockUntilReady();
    Thread.sleep(200);
    for (Thread t : newThreads(before)) started.add(t.getName() + (t.isDaemon() ? ":daemon" : ":NOT-DAEMON"));
    System.out.println("jit " + started);
    System.out.println("main returns");
  }

  private static List<Thread> newThreads(Set<Thread> before) {
    List<Thread> r = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) if (!before.contains(t) && t.isAlive()) r.add(t);
    return r;
  }

  private static Set<String> names(List<Thread> ts) {
    Set<String> s = new TreeSet<>();
    for (Thread t : ts) s.add(t.getName());
    return s;
  }

  @Test void eagerArraysStartNoThreadAndArraxThreadsAreNamedDaemons() throws Exception {
    ChildJvm.Result r = ChildJvm.run(List.of("--add-modules=jdk.incubator.vector", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
        ArraxThreadsTest.class, List.of(), true, 120);
    String out = r.out();
    assertTrue(r.exited(), "the JVM did not exit after main returned (a non-daemon thread kept it alive):\n" + out);
    assertEquals(0, r.exitValue(), out);
    List<String> lines = new ArrayList<>();
    for (String l : out.split("\n")) if (l.startsWith("eager ") || l.startsWith("jit ") || l.startsWith("main ")) lines.add(l.strip());
    assertEquals("eager []", lines.get(0), "eager arrays started threads (the warm-up must wait for jit/compile):\n" + out);
    String jit = lines.get(1);
    assertTrue(jit.contains("arrax-warmup:daemon") && jit.contains("arrax-dispatch:daemon") && jit.contains("arrax-kernel-"), jit);
    for (String t : jit.substring("jit [".length(), jit.length() - 1).split(", ")) {
      assertTrue(t.startsWith("arrax-") && t.endsWith(":daemon"), "a thread Arrax started is not a named daemon: " + t + " in " + jit);
    }
    assertEquals("main returns", lines.get(2));
  }
}
