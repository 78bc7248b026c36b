package dev.arrax.spark;

import dev.arrax.arrow.DirectBatch;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The Arrow memory of one Spark task on the batch path of a backend other than the CPU: a named, size-limited
 * child of the connector's per-JVM root allocator, and the batches allocated from it. {@link #close} closes the
 * batches and then the allocator, which fails (naming the allocator) if any buffer is still held; it runs when
 * the task's iterator is exhausted and, as a task completion listener, when the task ends early (a
 * {@code limit}, a failure, a kill), so no Arrow memory outlives its task.
 */
final class TaskArrow implements AutoCloseable {
  private static final Object LOCK = new Object();
  private static RootAllocator root;

  private final BufferAllocator allocator;
  private final Deque<AutoCloseable> owned = new ArrayDeque<>();
  private boolean closed;

  /** A child allocator named for the task, limited to {@code limitBytes}; closed with the task if not before. */
  TaskArrow(String op, int partition, long limitBytes) {
    TaskContext tc = TaskContext.get();
    String name = "arrax " + op + " partition " + partition + (tc == null ? "" : " task attempt " + tc.taskAttemptId());
    this.allocator = root().newChildAllocator(name, 0, limitBytes);
    if (tc != null) tc.addTaskCompletionListener((TaskCompletionListener) ctx -> close());
  }

  private static BufferAllocator root() {
    synchronized (LOCK) {
      if (root == null) root = new RootAllocator(Long.MAX_VALUE);
      return root;
    }
  }

  /** The bytes the connector's Arrow allocators hold in this JVM now, the most they ever held, and the open task allocators. */
  static ArraxSpark.ArrowMemory usage() {
    synchronized (LOCK) {
      if (root == null) return new ArraxSpark.ArrowMemory(0, 0, 0);
      return new ArraxSpark.ArrowMemory(root.getAllocatedMemory(), root.getPeakMemoryAllocation(), root.getChildAllocators().size());
    }
  }

  /** A batch of these columns with room for {@code rows} rows, closed with this task's memory. */
  DirectBatch batch(List<DirectBatch.Column> columns, int rows) {
    DirectBatch b = DirectBatch.allocate(allocator, columns, rows);
    owned.push(b);
    return b;
  }

  /**
   * A limit for a task's allocator that no correct run reaches: four times the batch's values (Arrow rounds
   * buffers up to powers of two, and growing one holds the old and the new buffer for a moment) plus 64 MiB.
   */
  static long limitFor(long bytesPerRow, int batchRows, long fixedBytes) {
    long values = Math.multiplyExact(bytesPerRow + 2, (long) batchRows) + fixedBytes;
    return Math.addExact(Math.multiplyExact(4L, values), 64L << 20);
  }

  @Override public void close() {
    if (closed) return;
    closed = true;
    RuntimeException first = null;
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception e) {
        RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
        if (first == null) first = r;
        else first.addSuppressed(r);
      }
    }
    try {
      allocator.close();
    } catch (RuntimeException e) {
      if (first == null) first = e;
      else first.addSuppressed(e);
    }
    if (first != null) throw first;
  }
}
