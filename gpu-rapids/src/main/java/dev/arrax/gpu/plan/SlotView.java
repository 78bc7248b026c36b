package dev.arrax.gpu.plan;

import dev.arrax.core.Shapes;
import java.util.Arrays;

/**
 * A strided view of a host slot: element {@code i} (row major over {@code shape}) is slot element
 * {@code offset + sum_a idx_a * strides[a]}. Broadcasts (stride 0), transposes, slices and most
 * reshapes of parameters are views, so a parameter broadcast over a million rows costs nothing: the
 * lowering only reads the elements of one row. A view with {@code strides[0] == 0} over a leading row
 * axis is the same for every row ({@link #rowInvariant()}).
 */
public record SlotView(int slot, int[] shape, int[] strides, int offset) {
  /**
   * Copies the shape and strides.
   * @throws IllegalArgumentException if they differ in length
   */
  public SlotView {
    shape = shape.clone();
    strides = strides.clone();
    if (shape.length != strides.length) throw new IllegalArgumentException("view shape " + Shapes.str(shape) + " vs strides " + Shapes.str(strides));
  }

  /** The whole slot of shape {@code shape}, row major. */
  public static SlotView whole(int slot, int[] shape) {
    return new SlotView(slot, shape, Shapes.strides(shape), 0);
  }

  /** The number of elements the view covers (the product of its shape). */
  public int size() { return Shapes.size(shape); }

  /** The number of axes of the view. */
  public int rank() { return shape.length; }

  /** Slot index of element {@code flat} (row major over the view's shape). */
  public int sourceIndex(int flat) {
    int src = offset;
    for (int a = shape.length - 1; a >= 0; a--) {
      int n = shape[a];
      src += (flat % n) * strides[a];
      flat /= n;
    }
    return src;
  }

  /** Whether the view repeats along axis 0 (stride 0 there, or size 1). */
  public boolean rowInvariant() {
    return shape.length > 0 && (strides[0] == 0 || shape[0] == 1);
  }

  /** The view with axis 0 dropped (the elements of row 0). */
  public SlotView dropAxis0() {
    return new SlotView(slot, Arrays.copyOfRange(shape, 1, shape.length), Arrays.copyOfRange(strides, 1, strides.length), offset);
  }

  /** Whether the view is the slot itself (row-major, offset 0) for a slot of {@code slotShape}. */
  public boolean isWhole(int[] slotShape) {
    return offset == 0 && Arrays.equals(shape, slotShape) && Arrays.equals(strides, Shapes.strides(slotShape));
  }

  @Override public boolean equals(Object o) {
    return o instanceof SlotView v && v.slot == slot && v.offset == offset && Arrays.equals(v.shape, shape) && Arrays.equals(v.strides, strides);
  }

  @Override public int hashCode() { return 31 * (31 * slot + Arrays.hashCode(shape)) + Arrays.hashCode(strides) + offset; }

  /** {@code $s3} for a whole slot, else {@code $s3{shape (100,64) strides (0,1)}}. */
  @Override public String toString() {
    if (offset == 0 && Arrays.equals(strides, Shapes.strides(shape))) return "$s" + slot;
    return "$s" + slot + "{shape " + Shapes.str(shape) + " strides " + Shapes.str(strides) + (offset == 0 ? "" : " offset " + offset) + "}";
  }
}
