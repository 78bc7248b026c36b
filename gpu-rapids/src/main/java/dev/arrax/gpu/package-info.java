/**
 * The GPU backend ({@code gpu}): vmapped per-row programs run as column-wise work on an NVIDIA GPU through
 * RAPIDS cuDF's Java API (26.08.1, {@code provided}; classifier {@code cuda12} by default, {@code cuda13}
 * with {@code -Dcudf.classifier=cuda13}).
 *
 * <pre>
 *   optimized Program + rows ──{@link dev.arrax.gpu.lower.GpuLowering}──▶ {@link dev.arrax.gpu.plan.GpuPlan} (plain data)
 *        │                                                        ├─▶ {@code CudfExecutable}: cuDF (device)
 *        └── per segment: claim, or decline with a reason          └─▶ {@link dev.arrax.gpu.plan.HostEvaluator}: host emulation
 * </pre>
 *
 * Only {@code CudfExecutable} and {@code CudfProbe} touch {@code ai.rapids} classes; everything else
 * (lowering, plans, emulation, {@link dev.arrax.gpu.CudfBackend}) runs where cuDF's native library cannot
 * load, which is every machine without a GPU.
 */
package dev.arrax.gpu;
