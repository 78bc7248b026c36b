/**
 * Internal: one class per primitive, holding its shape and dtype rule, reference evaluation, JVP, transpose (if linear) and batching rules and a typed params record; all are listed in {@code Primitives}.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.primitives;
