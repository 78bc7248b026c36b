package dev.arrax.compile;

/**
 * A generated fused loop nest. {@code buffers} holds the group's input arrays then its output arrays
 * (primitive arrays); the kernel computes rows {@code [rowFrom, rowTo)} and, within each row, columns
 * {@code [colFrom, colTo)} of the group's iteration space, so callers can split work across threads.
 */
public interface Kernel {
  void run(Object[] buffers, int rowFrom, int rowTo, int colFrom, int colTo);
}
