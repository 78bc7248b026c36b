package dev.arrax.core;

import java.security.CodeSource;

/** Finds the user's frame that called into Arrax, for error messages ("at MyJob.java:42"). */
public final class CallSite {
  private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
  private static final CodeSource ENGINE = CallSite.class.getProtectionDomain().getCodeSource();

  private CallSite() {}

  /** " (at File.java:line)" for the first frame outside the engine, or "" when there is none. */
  public static String describe() {
    return WALKER.walk(frames -> frames
        .filter(f -> !isEngine(f.getDeclaringClass()))
        .findFirst()
        .map(f -> " (at " + f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + "))")
        .orElse(""));
  }

  private static boolean isEngine(Class<?> c) {
    if (c.getName().startsWith("java.") || c.getName().startsWith("jdk.")) return true;
    CodeSource cs = c.getProtectionDomain().getCodeSource();
    return ENGINE != null && cs != null && ENGINE.getLocation().equals(cs.getLocation());
  }
}
