package dev.arrax.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a new JVM: this JVM's {@code java} and classpath, the given JVM flags and arguments,
 * without {@code JDK_JAVA_OPTIONS}/{@code JAVA_TOOL_OPTIONS} from the environment. The output is read while the child
 * runs (a full pipe cannot stall it); a child still running at the deadline is killed and reported as not exited.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** Whether the child exited before the deadline, its exit value (-1 if it did not) and its output. */
  public record Result(boolean exited, int exitValue, String out) {}

  /** Runs {@code main} with {@code flags} and {@code args}; stdout only, or stdout and stderr merged with {@code withStderr}. */
  public static Result run(List<String> flags, Class<?> main, List<String> args, boolean withStderr, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(flags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    if (withStderr) pb.redirectErrorStream(true);
    else pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    boolean exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!exited) p.destroyForcibly().waitFor();
    return new Result(exited, exited ? p.exitValue() : -1, out.join());
  }
}
