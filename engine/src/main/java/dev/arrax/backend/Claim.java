package dev.arrax.backend;

/**
 * A backend's answer for one segment (or a whole program): it runs it, or it will not, and why, in the
 * words spark-rapids uses for its plan tags ("will not work on GPU because ..."). The reason names the
 * operation and the types and is shown by {@link Executable#explain()}.
 */
public record Claim(boolean accepted, String reason) {
  private static final Claim YES = new Claim(true, "");

  /**
   * Checks the claim.
   * @throws IllegalArgumentException if a declined claim has no reason (a null reason of an accepted one becomes empty)
   */
  public Claim {
    if (!accepted && (reason == null || reason.isBlank())) throw new IllegalArgumentException("a declined claim needs a reason");
    if (reason == null) reason = "";
  }

  /** Accepts (a shared instance with an empty reason). */
  public static Claim yes() { return YES; }

  /** Declines, saying why ({@code "sort has no cuDF lowering"}). */
  public static Claim no(String reason) { return new Claim(false, reason); }
}
