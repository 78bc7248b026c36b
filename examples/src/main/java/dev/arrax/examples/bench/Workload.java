package dev.arrax.examples.bench;

import dev.arrax.NDArray;
import java.util.function.Supplier;

/** One reference workload of {@code examples/bench/jax_anchor.py}: its data, its Arrax program and its hand-written loop. */
abstract class Workload {
  /** "W1", "W2" or "W3". */
  abstract String id();

  /** One line saying what is computed. */
  abstract String description();

  /** Rows one call processes (the rows/s numerator). */
  abstract int rows();

  /** Generates the inputs for {@code n} benchmark rows (the workload may use a fraction, as W2 does). */
  abstract void setup(int n);

  /** A FRESH jitted function (nothing traced or compiled yet) bound to the inputs; each get() runs it to completion. */
  abstract Supplier<NDArray[]> newArraxCall();

  /** The hand-written loop; returns its outputs as flat float arrays, in the order of the Arrax outputs. */
  abstract float[][] hand(RowPool pool);

  /** A float64 reference for the leading elements of every output (a prefix of rows, or all of a small output). */
  abstract double[][] reference64();

  /** Names of the outputs, for the error report. */
  abstract String[] outputNames();

  /** Drops the inputs so the next workload has the heap. */
  abstract void release();

  static float[][] toFloats(NDArray[] out) {
    float[][] r = new float[out.length][];
    for (int i = 0; i < out.length; i++) r[i] = out[i].toFloatArray();
    return r;
  }
}
