/**
 * Internal: backend-neutral optimization of programs before lowering (dead-code elimination, common subexpressions, constant folding, algebraic simplification) and the segment planner.
 *
 * <p>Not API: classes here may change without notice. Use {@code dev.arrax} (and {@code dev.arrax.backend} for
 * backends) instead.
 */
package dev.arrax.compile;
