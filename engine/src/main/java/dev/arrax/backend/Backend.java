package dev.arrax.backend;

/**
 * An executor of optimized programs: the CPU code generator ({@code cpu}, always present), the RAPIDS
 * cuDF backend ({@code gpu}, in the {@code arrax-gpu-rapids} module) or any other. Backends are found
 * with {@link java.util.ServiceLoader} (a {@code META-INF/services/dev.arrax.backend.Backend} entry) and
 * chosen by name through {@link Backends}; {@code auto} picks the first usable backend that claims the
 * whole program, else the CPU.
 *
 * <p>A backend is a plug-in over the backend-neutral plan: it claims each {@link Segment} it can run
 * or declines it with a reason ({@link Claim#no}), and compiles a plan whose segments it all claimed
 * into an {@link Executable}. Backends must be thread-safe.
 */
public interface Backend {
  /** The name users choose it by ({@code cpu}, {@code gpu}); lower case, no spaces. */
  String name();

  /**
   * Whether this backend can run here and now (native libraries load, a device is present). Cheap
   * after the first call; never throws.
   */
  Claim availability();

  /** Whether this backend runs the segment; a declined claim says why. Never throws. */
  Claim claim(Segment segment, ProgramPlan plan);

  /**
   * Whether this backend should run the whole plan, given that it claimed every segment: the GPU, for
   * example, declines a batch too small to pay for the transfers. Default: yes.
   */
  default Claim claimProgram(ProgramPlan plan) { return Claim.yes(); }

  /**
   * Compiles the placement's plan, every segment of which this backend claimed (the CPU backend is also
   * handed plans that others declined). The executable's {@link Executable#placement()} is this placement.
   */
  Executable compile(Placement placement);

  /** Order among backends for {@code auto}: higher is tried first (the CPU is 0). */
  default int priority() { return 0; }
}
