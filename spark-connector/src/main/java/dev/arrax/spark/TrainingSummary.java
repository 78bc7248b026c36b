package dev.arrax.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What {@link ArraxEstimator#fit} did, iteration by iteration: the objective (the mean loss over the rows plus the
 * L2 penalty), the Euclidean norm of its gradient, and the wall time of the iteration (its Spark jobs included).
 * Entry 0 is the starting point.
 *
 * @param optimizer {@code lbfgs} or {@code adam}
 * @param iterations one entry per iteration, the starting point first
 * @param converged whether the gradient norm reached the tolerance before the iteration limit
 * @param rows the rows the loss was summed over (rows with nulls skipped under {@code null_row})
 * @param gradientEvaluations how many {@code sumGradient} passes over the data ran (line searches included)
 */
public record TrainingSummary(String optimizer, List<Iteration> iterations, boolean converged, long rows, int gradientEvaluations)
    implements Serializable {

  /**
   * One iteration.
   *
   * @param iteration 0 for the starting point
   * @param objective mean loss plus penalty after the iteration
   * @param gradientNorm Euclidean norm of the objective's gradient there
   * @param millis wall time of the iteration
   */
  public record Iteration(int iteration, double objective, double gradientNorm, long millis) implements Serializable {}

  /** The objective after the last iteration. */
  public double finalObjective() {
    return iterations.get(iterations.size() - 1).objective();
  }

  /** The gradient norm after the last iteration. */
  public double finalGradientNorm() {
    return iterations.get(iterations.size() - 1).gradientNorm();
  }
}
