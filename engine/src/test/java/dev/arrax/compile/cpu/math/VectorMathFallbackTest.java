package dev.arrax.compile.cpu.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrax.testing.ChildJvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scalar fallback in a real JVM without the Vector API module: a child JVM started without
 * {@code --add-modules jdk.incubator.vector} must load {@link VectorMath}, report
 * {@code available() == false}, and return the same bits as the vector path in this JVM.
 */
class VectorMathFallbackTest {
  @Test
  void childJvmWithoutTheModuleFallsBackToIdenticalScalarResults() throws IOException, InterruptedException {
    assertTrue(VectorMath.available(), "this JVM should run the vector path (surefire adds the module)");
    ChildJvm.Result r = ChildJvm.run(List.of("-Xshare:auto"), ScalarFallbackProbe.class, List.of(), false, 60);
    assertTrue(r.exited(), "child JVM did not finish");
    assertEquals(0, r.exitValue(), "child JVM failed:\n" + r.out());
    String out = r.out();

    List<String> want = new ArrayList<>();
    want.add("available=false");
    float[] in = ScalarFallbackProbe.inputs();
    for (String name : ScalarFallbackProbe.NAMES) {
      want.add(name + "=" + ScalarFallbackProbe.hash(name, in)); // vector path, here
    }
    assertEquals(String.join("\n", want), out.strip(),
        "child JVM (scalar fallback) output vs this JVM (vector path)");
  }
}
