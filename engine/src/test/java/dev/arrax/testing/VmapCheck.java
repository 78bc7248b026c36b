package dev.arrax.testing;

import dev.arrax.Arrax;
import dev.arrax.Fn;
import dev.arrax.Lax;
import dev.arrax.NDArray;
import dev.arrax.Np;

/** vmap against a Java loop: the batched result equals stacking per-example results computed one by one. */
public final class VmapCheck {
  private VmapCheck() {}

  public static void check(Fn f, NDArray[] args, Integer[] inAxes, double rtol, String msg) {
    NDArray batched = Arrax.vmap(f, inAxes).apply(args);
    int size = -1;
    for (int i = 0; i < args.length; i++) {
      if (inAxes[i] != null) size = args[i].shape()[inAxes[i] < 0 ? inAxes[i] + args[i].ndim() : inAxes[i]];
    }
    NDArray[] rows = new NDArray[size];
    for (int b = 0; b < size; b++) {
      NDArray[] ex = new NDArray[args.length];
      for (int i = 0; i < args.length; i++) ex[i] = inAxes[i] == null ? args[i] : Lax.indexInDim(args[i], b, inAxes[i], false);
      rows[b] = f.apply(ex);
    }
    if (size == 0) {
      org.junit.jupiter.api.Assertions.assertEquals(0, batched.shape()[0], msg + ": empty batch");
      return;
    }
    NDArray expected = Np.stack(rows, 0);
    Check.close(expected, batched, rtol, rtol, msg + ": vmap vs loop over " + size + " examples");
  }
}
