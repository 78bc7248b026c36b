package dev.arrax.gpu.plan;

/**
 * Where a program output comes from: row columns interleaved back into {@code [rows, ...]}, one wide
 * column, or a host slot view (a parameter, a constant, sums over rows and what the epilogue computes from
 * them).
 */
public sealed interface OutputBinding permits OutputBinding.Rows, OutputBinding.Wide, OutputBinding.Host {
  /** The index of the program output this binding is for. */
  int output();

  /** {@code columns[k]} is element {@code k} of every row; interleaved on the device before the copy back. */
  record Rows(int output, int[] columns) implements OutputBinding {
    /** Copies {@code columns}. */
    public Rows {
      columns = columns.clone();
    }
  }

  /** A wide column, copied back as it is. */
  record Wide(int output, int column) implements OutputBinding {}

  /** A host value. */
  record Host(int output, SlotView view) implements OutputBinding {}
}
