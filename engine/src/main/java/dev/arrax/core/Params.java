package dev.arrax.core;

/**
 * Marker for a primitive's static parameters. Each primitive declares a record implementing this, so
 * parameters are typed (not a string map) and {@link dev.arrax.ir.ParamCodec} can print and parse them.
 * Components may be int, long, double, boolean, int[], {@link dev.arrax.DType}, String, or sub-programs
 * ({@link dev.arrax.ir.Program}, {@code Program[]}) for control flow.
 */
public interface Params {
  /** For primitives without parameters. */
  record None() implements Params {
    /** The single instance. */
    public static final None INSTANCE = new None();
  }
}
