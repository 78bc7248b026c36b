/**
 * GPU plans as plain data, and their host emulation: device columns ({@link dev.arrax.gpu.plan.ColumnInfo}),
 * cuDF AST expressions ({@link dev.arrax.gpu.plan.Expr} over {@link dev.arrax.gpu.plan.AstUnaryOp} and
 * {@link dev.arrax.gpu.plan.AstBinaryOp}, constant for constant cuDF 26.08.1's operators), column operations
 * ({@link dev.arrax.gpu.plan.Step}), host slots and host steps (parameters, sums over rows), input and output
 * bindings. {@link dev.arrax.gpu.plan.GpuPlan#describe()} prints a plan; {@link dev.arrax.gpu.plan.HostEvaluator}
 * runs one with cuDF's semantics. No class here refers to cuDF.
 */
package dev.arrax.gpu.plan;
