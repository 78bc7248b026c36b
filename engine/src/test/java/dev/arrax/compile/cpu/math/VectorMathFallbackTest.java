package dev.arrax.compile.cpu.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(java, "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
        ScalarFallbackProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish: " + cmd);
    assertEquals(0, p.exitValue(), "child JVM failed: " + cmd + "\n" + out);

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
