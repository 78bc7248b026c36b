package dev.arrax.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** A fixed pool that splits a row range into one contiguous slice per thread (the hand loops' parallelism). */
final class RowPool implements AutoCloseable {
  /** The work on rows {@code [from, to)}; {@code part} is the slice number, for per-slice partial results. */
  @FunctionalInterface
  interface RangeTask {
    void run(int part, int from, int to);
  }

  private final int threads;
  private final ExecutorService pool;

  RowPool(int threads) {
    this.threads = threads;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-hand");
      t.setDaemon(true);
      return t;
    });
  }

  int threads() { return threads; }

  /** Runs {@code task} over {@code [0, rows)} split in {@link #threads()} slices whose starts are multiples of {@code align}. */
  void forEachSlice(int rows, int align, RangeTask task) {
    int per = (rows + threads - 1) / threads;
    per = (per + align - 1) / align * align;
    List<Future<?>> fs = new ArrayList<>();
    for (int p = 0; p < threads; p++) {
      int from = Math.min(rows, p * per), to = Math.min(rows, from + per);
      int part = p;
      if (p == threads - 1) {
        task.run(part, from, to); // the calling thread takes the last slice
      } else {
        fs.add(pool.submit(() -> task.run(part, from, to)));
      }
    }
    for (Future<?> f : fs) {
      try {
        f.get();
      } catch (Exception e) {
        throw new IllegalStateException("hand loop slice failed", e);
      }
    }
  }

  @Override public void close() {
    pool.shutdownNow();
  }
}
