package dev.arrax.compile.cpu;

import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.ConcreteArray;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Asynchronous dispatch, as in JAX: a compiled call is queued on one dispatch thread and returns at
 * once with arrays whose values arrive later ({@link ConcreteArray#buffer()} waits for them). Calls
 * run in submission order. Synchronous where the caller must keep the work on its own thread
 * ({@link Parallel#runSingleThreaded}, e.g. inside a Spark task) or with
 * {@code -Darrax.asyncDispatch=false}.
 */
public final class Dispatcher {
  private Dispatcher() {}

  private static final boolean ASYNC = !"false".equals(System.getProperty("arrax.asyncDispatch"));
  private static final ExecutorService QUEUE = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "arrax-dispatch");
    t.setDaemon(true);
    return t;
  });

  /**
   * Runs {@code program} on {@code args}: queued on the dispatch thread (returning arrays whose values
   * arrive later) unless dispatch is synchronous here, then directly.
   */
  public static NDArray[] run(CompiledProgram program, NDArray[] args) {
    if (!ASYNC || Parallel.threads() == 1) return program.run(args);
    ArrayType[] outTypes = program.optimized().outTypes();
    CompletableFuture<NDArray[]> all = CompletableFuture.supplyAsync(() -> program.run(args), QUEUE);
    NDArray[] outs = new NDArray[outTypes.length];
    for (int i = 0; i < outs.length; i++) {
      final int k = i;
      outs[i] = new ConcreteArray(outTypes[i], all.thenApply(r -> ((ConcreteArray) r[k]).buffer()));
    }
    return outs;
  }
}
