/**
 * Internal: tracing a Java function into a {@link dev.arrax.ir.Program} (the staging trace behind {@code makeJaxpr} and {@code jit}).
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.staging;
