package dev.arrax.spark;

import dev.arrax.backend.Backends;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * A map or gradient task holds the engine's background warm-up off until the task ends: on an executor whose cores
 * all run tasks, the warm-up (which runs Vector API code before HotSpot has compiled it, tens of times slower than
 * compiled) took ~15% of the CPU for the first minute of a job streaming W1's rows (JFR, 2 cores, local[2]), and
 * since an identity map runs no kernel, the warm-up's wait for running programs never held it. It continues between
 * tasks.
 */
final class ExecutorWork {
  private ExecutorWork() {}

  /** Holds the warm-up off until the current task completes (success or failure); outside a task, does nothing. */
  static void holdWarmupForThisTask() {
    TaskContext tc = TaskContext.get();
    if (tc == null) return;
    Runnable release = Backends.holdWarmup();
    tc.addTaskCompletionListener((TaskCompletionListener) ctx -> release.run());
  }
}
