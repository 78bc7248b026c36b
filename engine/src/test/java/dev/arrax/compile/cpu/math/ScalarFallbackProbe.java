package dev.arrax.compile.cpu.math;

import java.util.Random;

/**
 * Run by {@link VectorMathFallbackTest} in a child JVM started WITHOUT
 * {@code --add-modules jdk.incubator.vector}: prints {@code available=<bool>} and, per function, a
 * hash of the bits {@link VectorMath}'s array method returns for {@link #inputs()}. References no
 * Vector API type, so it loads where the module is absent.
 */
public final class ScalarFallbackProbe {
  private ScalarFallbackProbe() {}

  static final String[] NAMES = {"exp", "expm1", "log", "log1p", "tanh", "logistic", "erf", "sin", "cos"};

  /** 4099 floats (not a multiple of any vector length): specials, random bit patterns, normals. */
  static float[] inputs() {
    Random rng = new Random(77);
    float[] x = new float[4099];
    float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, Float.MAX_VALUE, -1f, 1f, 88.7f, -103.9f, 1e5f, 2e5f};
    System.arraycopy(special, 0, x, 0, special.length);
    for (int i = special.length; i < x.length; i++) {
      x[i] = (i % 2 == 0) ? Float.intBitsToFloat(rng.nextInt()) : (float) (rng.nextGaussian() * 5);
    }
    return x;
  }

  static long hash(String name, float[] in) {
    float[] out = new float[in.length];
    switch (name) {
      case "exp": VectorMath.exp(in, 0, out, 0, in.length); break;
      case "expm1": VectorMath.expm1(in, 0, out, 0, in.length); break;
      case "log": VectorMath.log(in, 0, out, 0, in.length); break;
      case "log1p": VectorMath.log1p(in, 0, out, 0, in.length); break;
      case "tanh": VectorMath.tanh(in, 0, out, 0, in.length); break;
      case "logistic": VectorMath.logistic(in, 0, out, 0, in.length); break;
      case "erf": VectorMath.erf(in, 0, out, 0, in.length); break;
      case "sin": VectorMath.sin(in, 0, out, 0, in.length); break;
      case "cos": VectorMath.cos(in, 0, out, 0, in.length); break;
      default: throw new IllegalArgumentException("unknown function " + name);
    }
    long h = 1125899906842597L;
    for (float v : out) h = 31 * h + (Float.isNaN(v) ? 0x7fc00000 : Float.floatToRawIntBits(v));
    return h;
  }

  public static void main(String[] args) {
    System.out.println("available=" + VectorMath.available());
    float[] in = inputs();
    for (String name : NAMES) System.out.println(name + "=" + hash(name, in));
  }
}
