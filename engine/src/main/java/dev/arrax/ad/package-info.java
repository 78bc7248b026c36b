/**
 * Internal: automatic differentiation. Forward mode is a JVP trace; reverse mode linearizes a program and transposes the linear part (linearize-then-transpose, as JAX), with symbolic zeros and undefined primals as real types.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.ad;
