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
 * run in submission order. Synchronous for small calls ({@link #SYNC_ELEMENTS}; a queued earlier call's outputs that it
 * reads are waited for), and where the caller must keep the work on its own thread
 * ({@link Parallel#runSingleThreaded}, e.g. inside a Spark task) or with
 * {@code -Darrax.asyncDispatch=false}.
 */
public final class Dispatcher {
  private Dispatcher() {}

  /**
   * Calls whose inputs and outputs hold fewer elements than this (4 MB of floats) run on the caller's thread: the
   * hand-off to the dispatch thread and back, tens of microseconds when a thread has to wake up, costs more than it could
   * hide. W3's jit, 2 cores, through the dispatch thread and then on the caller's: 18 us at best and 32 us on average
   * against 8.5 and 12 on 1,000 rows; 142 and 245 us against 134 and 178 on 16,000 rows. Their values are ready when the
   * call returns.
   */
  static final long SYNC_ELEMENTS = 1 << 20;
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
    long elements = 0;
    for (NDArray a : args) elements += a.type().size();
    for (ArrayType t : outTypes) elements += t.size();
    if (elements < SYNC_ELEMENTS) return program.run(args);
    CompletableFuture<NDArray[]> all = CompletableFuture.supplyAsync(() -> program.run(args), QUEUE);
    NDArray[] outs = new NDArray[outTypes.length];
    for (int i = 0; i < outs.length; i++) {
      final int k = i;
      outs[i] = new ConcreteArray(outTypes[i], all.thenApply(r -> ((ConcreteArray) r[k]).buffer()));
    }
    return outs;
  }
}
