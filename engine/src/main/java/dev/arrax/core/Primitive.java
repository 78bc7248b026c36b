package dev.arrax.core;

import dev.arrax.ArraxException;
import dev.arrax.NDArray;

/**
 * A primitive operation of the IR and every rule the transformations need, kept together (JAX keeps
 * the same rows in lax.py/ad.py/batching.py; here they live in one class per primitive):
 * <ul>
 *   <li>{@link #outTypes}: the shape and dtype rule, which also validates arguments;</li>
 *   <li>{@link #evaluate}: the reference implementation on concrete arrays (float64-accurate);</li>
 *   <li>{@link #jvp}: forward-mode derivative, written with ordinary operations so it can itself be
 *       differentiated, batched and staged;</li>
 *   <li>{@link #transpose}: for primitives linear in some inputs, the cotangent rule used by reverse mode;</li>
 *   <li>{@link #batch}: the vmap rule.</li>
 * </ul>
 * A rule that is not provided fails with the primitive's name, never silently.
 */
public abstract class Primitive<P extends Params> {
  private final String name;
  private final Class<P> paramsType;

  /**
   * A primitive called {@code name} in printed programs (JAX's lax name, e.g. {@code "exp"}), with
   * parameters of record type {@code paramsType} ({@code Params.None} if it has none).
   */
  protected Primitive(String name, Class<P> paramsType) {
    this.name = name;
    this.paramsType = paramsType;
  }

  /** The name in printed programs and in error messages, e.g. {@code dot_general}. */
  public final String name() { return name; }

  /** The record class of this primitive's parameters; the program parser decodes parameters into it. */
  public final Class<P> paramsType() { return paramsType; }

  /** Output types for the given input types, or a {@link dev.arrax.ShapeException} naming this primitive. */
  public abstract ArrayType[] outTypes(ArrayType[] in, P params);

  /** Reference evaluation; inputs are concrete. */
  public abstract NDArray[] evaluate(ConcreteArray[] in, P params);

  /**
   * Forward-mode rule. {@code tangents[i]} is a {@link SymbolicZero} where the input has no tangent.
   * Returns the primal outputs and their tangents (a {@link SymbolicZero} where the output has none).
   */
  public JvpResult jvp(NDArray[] primals, NDArray[] tangents, P params) {
    throw new ArraxException("differentiation rule (JVP) for '" + name + "' is not implemented");
  }

  /**
   * Transpose rule of a primitive linear in the inputs that are {@link UndefinedPrimal}s. Receives the
   * cotangents of the outputs (possibly {@link SymbolicZero}) and returns one cotangent per input
   * (null for inputs that are not linear).
   */
  public NDArray[] transpose(NDArray[] cotangents, NDArray[] inputs, P params) {
    throw new ArraxException("reverse-mode differentiation of '" + name + "' is not supported: it has no transpose rule"
        + " (it is not linear in its inputs " + java.util.Arrays.toString(inputs) + ")");
  }

  /**
   * vmap rule: {@code dims[i]} is the batched axis of {@code args[i]} or {@link Batched#NOT_MAPPED}.
   * At least one argument is batched.
   */
  public Batched batch(NDArray[] args, int[] dims, int axisSize, P params) {
    throw new ArraxException("batching rule (vmap) for '" + name + "' is not implemented");
  }

  /**
   * The elementwise operation this primitive is, or null when it is not elementwise: the key backends
   * lower elementwise equations by (see {@link ElementwiseOp}).
   */
  public ElementwiseOp elementwiseOp() { return null; }

  /** The params of an equation of this primitive, typed: {@code Primitives.REDUCE_SUM.params(e).axes()}. */
  public final P params(dev.arrax.ir.Eqn e) {
    if (e.primitive() != this) throw new IllegalArgumentException("equation of " + e.primitive() + " read as " + name);
    return paramsType.cast(e.params());
  }

  /** Applies this primitive through the current transformations. */
  public final NDArray[] bind(P params, NDArray... args) {
    return Dispatch.bind(this, params, args);
  }

  /** Applies a single-output primitive. */
  public final NDArray bind1(P params, NDArray... args) {
    return Dispatch.bind(this, params, args)[0];
  }

  @Override public String toString() { return name; }

  /** Forward-mode result: primal outputs and tangents. */
  public record JvpResult(NDArray[] primals, NDArray[] tangents) {
    /** A result with one output and its tangent. */
    public static JvpResult of(NDArray primal, NDArray tangent) {
      return new JvpResult(new NDArray[] {primal}, new NDArray[] {tangent});
    }
  }

  /** vmap result: outputs and the batched axis of each. */
  public record Batched(NDArray[] outs, int[] dims) {
    /** The batch dimension of a value that is not batched (the same for every batch element). */
    public static final int NOT_MAPPED = -1;

    /** A result with one output batched along {@code dim} (or {@link #NOT_MAPPED}). */
    public static Batched of(NDArray out, int dim) {
      return new Batched(new NDArray[] {out}, new int[] {dim});
    }
  }
}
