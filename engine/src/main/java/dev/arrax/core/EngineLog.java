package dev.arrax.core;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's loggers, looked up when a message is logged rather than held in static fields: creating the first
 * logger initializes the logging backend, which took 0.7 s of a fresh JVM's first call with log4j2 on the classpath
 * (its configuration loads ~700 classes), and the engine's first calls have nothing to log. The backend starts in a
 * holder class, so threads that log at once (kernels compile side by side) wait for that start instead of getting
 * loggers of a half-initialized backend, which drop what is logged meanwhile (SLF4J's substitute loggers, log4j2's
 * default ERROR-only configuration); loggers are then cached by name.
 */
public final class EngineLog {
  private EngineLog() {}

  private static final class Backend {
    static final ILoggerFactory FACTORY = start();

    /** SLF4J's binding, then the backend's own start (log4j2 configures itself at its first logger). */
    private static ILoggerFactory start() {
      LoggerFactory.getLogger(EngineLog.class);
      return LoggerFactory.getILoggerFactory();
    }
  }

  /** The logger of {@code owner}. */
  public static Logger of(Class<?> owner) {
    return Backend.FACTORY.getLogger(owner.getName());
  }
}
