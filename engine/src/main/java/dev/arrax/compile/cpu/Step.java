package dev.arrax.compile.cpu;

import dev.arrax.NDArray;

/** One unit of a compiled program: reads and writes slots of the environment. */
interface Step {
  void run(NDArray[] env);

  /** Environment slots this step reads. */
  int[] inputSlots();

  /** Environment slots this step writes. */
  int[] outputSlots();

  /** For diagnostics: "fused[add,tanh,reduce_sum] f32[1000,64]", "matmul f32[1000,32]x[32,64]", ... */
  String describe();
}
