/**
 * The lowering of optimized programs to {@link dev.arrax.gpu.plan.GpuPlan}s: the row-axis analysis, per-row
 * values as element graphs (narrow rows: one column per element; wide rows: one flat column), unrolled
 * contractions with parameter literals, NaN-exact max/min and guarded log1p/expm1 built from column
 * operations, and the scheduler that decides which values become columns. Declines name the operation
 * and the types. Dispatch is on primitive instances, {@link dev.arrax.core.ElementwiseOp} and typed params.
 */
package dev.arrax.gpu.lower;
