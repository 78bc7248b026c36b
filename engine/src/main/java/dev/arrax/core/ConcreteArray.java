package dev.arrax.core;

import dev.arrax.NDArray;

/** An {@link NDArray} that holds its elements: the value every computation eventually produces. */
public final class ConcreteArray extends NDArray {
  private final Buffer buffer;

  public ConcreteArray(ArrayType type, Buffer buffer) {
    super(type);
    if (buffer.dtype() != type.dtype() || buffer.size() != type.size()) {
      throw new IllegalArgumentException("buffer of " + buffer.size() + " " + buffer.dtype().shortName()
          + " elements does not fit type " + type);
    }
    this.buffer = buffer;
  }

  /** The elements, row-major. Never mutate a buffer that an array already wraps. */
  public Buffer buffer() { return buffer; }

  /** A fresh zero-filled array of the given type. */
  public static ConcreteArray zeros(ArrayType type) {
    return new ConcreteArray(type, Buffer.allocate(type.dtype(), type.size()));
  }

  public static ConcreteArray full(ArrayType type, double value) {
    Buffer b = Buffer.allocate(type.dtype(), type.size());
    for (int i = 0; i < b.size(); i++) b.setDouble(i, value);
    return new ConcreteArray(type, b);
  }
}
