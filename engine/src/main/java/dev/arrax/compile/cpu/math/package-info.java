/**
 * Internal: scalar and Vector API implementations of exp, log, tanh, erf, sin, cos and friends used by the generated CPU kernels, within a few ulps of the JDK's results.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.compile.cpu.math;
