/**
 * Internal: the {@code cpu} backend: fused loops generated as Java source and compiled with Janino (Vector API for f32), register-tiled matmul kernels, row blocking across threads, and the reference interpreter for the rest.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.compile.cpu;
