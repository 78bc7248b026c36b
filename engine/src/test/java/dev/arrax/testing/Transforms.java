package dev.arrax.testing;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.NDArray;
import dev.arrax.Np;

/**
 * One call that runs a function through the transformations a new API function must survive: jit
 * against eager, GradCheck (float64 finite differences, both modes) and VmapCheck (a loop over examples)
 * with every argument batched, floats perturbed per example so the examples differ.
 */
public final class Transforms {
  private Transforms() {}

  /**
   * @param gradOrder 0: no derivative check; 1 or 2: GradCheck of that order (floating arguments)
   * @param tol tolerance of jit vs eager and of vmap vs loop (relative and absolute)
   */
  public static void check(Fn f, NDArray[] args, Rand r, int gradOrder, double tol, String msg) {
    NDArray eager = f.apply(args);
    Check.close(eager, Arrax.jit(f).apply(args), tol, tol, msg + ": jit vs eager");
    if (gradOrder > 0) GradCheck.check(f, args, gradOrder, r, 1e-5, msg);
    NDArray[] batched = new NDArray[args.length];
    Integer[] axes = new Integer[args.length];
    for (int i = 0; i < args.length; i++) {
      NDArray a = args[i];
      NDArray[] rows = new NDArray[3];
      for (int b = 0; b < 3; b++) {
        rows[b] = a.dtype().isFloating() && b > 0 ? Np.add(a, r.normal(a.shape()).astype(a.dtype()).mul(1e-3)) : a;
      }
      batched[i] = Np.stack(rows, 0);
      axes[i] = 0;
    }
    VmapCheck.check(f, batched, axes, tol, msg + ": vmap, all arguments batched");
    if (args.length > 1) {
      Integer[] first = new Integer[args.length];
      NDArray[] mixed = args.clone();
      first[0] = 0;
      mixed[0] = batched[0];
      VmapCheck.check(f, mixed, first, tol, msg + ": vmap, first argument batched");
    }
  }
}
