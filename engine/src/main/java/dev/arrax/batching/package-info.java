/**
 * Internal: {@code vmap} as a batching trace; every primitive carries its batching rule, and a missing one fails with the primitive's name.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.batching;
