package dev.arrax.gpu.plan;

/**
 * How a program input reaches the device. A row-mapped input {@code [rows, ...]} whose rows have few
 * elements (W1's {@code X[rows, 32]}) is uploaded as one flat column and split on the device into one
 * column per feature; a row of many elements (W2's logits {@code [rows, 1024]}) stays one wide column;
 * an input that is not row-mapped is a parameter: a host slot whose elements become AST literals.
 */
public sealed interface InputBinding permits InputBinding.Rows, InputBinding.Wide, InputBinding.Parameter {
  /** The index of the program input this binding is for. */
  int input();

  /** {@code columns[k]} holds element {@code k} of every row (one column when a row is one element). */
  record Rows(int input, int[] columns) implements InputBinding {
    /** Copies {@code columns}. */
    public Rows {
      columns = columns.clone();
    }
  }

  /** One wide column holding the rows one after the other. */
  record Wide(int input, int column) implements InputBinding {}

  /** A parameter: host slot {@code slot}. */
  record Parameter(int input, int slot) implements InputBinding {}
}
