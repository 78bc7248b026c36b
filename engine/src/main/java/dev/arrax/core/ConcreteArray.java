package dev.arrax.core;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An {@link NDArray} that holds its elements: the value every computation eventually produces. A
 * jitted call may return one whose elements are still being computed on the dispatch thread (JAX's
 * asynchronous dispatch); {@link #buffer()} then waits for them, so every reader sees the value.
 */
public final class ConcreteArray extends NDArray {
  private volatile Buffer buffer;
  private final CompletableFuture<Buffer> pending;

  /**
   * An array holding {@code buffer}, whose dtype and size must match {@code type} (the buffer is not
   * copied).
   * @throws IllegalArgumentException if they do not
   */
  public ConcreteArray(ArrayType type, Buffer buffer) {
    super(type);
    check(type, buffer);
    this.buffer = buffer;
    this.pending = null;
  }

  /** An array whose elements arrive later; its type is known now. */
  public ConcreteArray(ArrayType type, CompletableFuture<Buffer> pending) {
    super(type);
    this.pending = pending;
  }

  private static void check(ArrayType type, Buffer buffer) {
    if (buffer.dtype() != type.dtype() || buffer.size() != type.size()) {
      throw new IllegalArgumentException("buffer of " + buffer.size() + " " + buffer.dtype().shortName()
          + " elements does not fit type " + type);
    }
  }

  /**
   * The elements, row-major, waiting for them if they are still being computed (an error in that
   * computation is rethrown here). Never mutate a buffer that an array already wraps.
   */
  public Buffer buffer() {
    Buffer b = buffer;
    if (b != null) return b;
    try {
      b = pending.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) throw re;
      if (cause instanceof Error err) throw err;
      throw new ArraxException("asynchronous computation failed: " + cause, cause);
    }
    check(type(), b);
    buffer = b;
    return b;
  }

  /** Whether the elements are available without waiting. */
  public boolean isReady() {
    return buffer != null || pending.isDone();
  }

  /** A fresh zero-filled array of the given type. */
  public static ConcreteArray zeros(ArrayType type) {
    return new ConcreteArray(type, Buffer.allocate(type.dtype(), type.size()));
  }

  /**
   * An array of {@code type} with every element {@code value}, converted as {@link Buffer#setDouble} does.
   */
  public static ConcreteArray full(ArrayType type, double value) {
    Buffer b = Buffer.allocate(type.dtype(), type.size());
    for (int i = 0; i < b.size(); i++) b.setDouble(i, value);
    return new ConcreteArray(type, b);
  }
}
