package dev.arrax.backend;

import dev.arrax.ArraxException;
import dev.arrax.DType;
import dev.arrax.NDArray;
import dev.arrax.core.ArrayType;
import dev.arrax.core.Buffer;
import dev.arrax.core.ConcreteArray;

/**
 * Zero-copy access to the host memory of concrete arrays, for backends and connectors (Arrow, Spark,
 * cuDF transfers) that move elements in bulk. An array's elements are one Java primitive array, row
 * major: {@code float[]} for f32, {@code double[]} for f64, {@code int[]} for i32 and u32 (u32 as raw
 * bits), {@code long[]} for i64, {@code boolean[]} for bool.
 *
 * <p>Arrays are immutable: never write into the result of {@link #data}, and never write into a
 * primitive array after {@link #wrap} has handed it to an array.
 */
public final class HostArrays {
  private HostArrays() {}

  /** The backing primitive array of a concrete array (waiting for an asynchronous result); not a copy. */
  public static Object data(NDArray a) {
    if (a instanceof ConcreteArray c) return c.buffer().array();
    throw new ArraxException("expected a concrete array, got a traced value " + a.type()
        + " (host data exists only outside jit/vmap/grad tracing)");
  }

  /** An array over {@code data} (a primitive array of the dtype's Java type and the shape's size); not a copy. */
  public static NDArray wrap(DType dtype, Object data, int... shape) {
    return new ConcreteArray(ArrayType.of(dtype, shape), Buffer.wrap(dtype, data));
  }

  /** The Java element type of a dtype's primitive arrays. */
  public static Class<?> elementType(DType dtype) {
    return switch (dtype) {
      case FLOAT32 -> float.class;
      case FLOAT64 -> double.class;
      case INT32, UINT32 -> int.class;
      case INT64 -> long.class;
      case BOOL -> boolean.class;
    };
  }
}
