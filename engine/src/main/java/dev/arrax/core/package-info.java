/**
 * Internal: arrays, traces and the {@code Primitive} abstraction every interpreter (eval, JVP, batching, staging) goes through.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.core;
