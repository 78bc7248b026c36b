package dev.arrax.it;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what one logger (and its children) logs at INFO and above while open, through Spark's log4j2 binding,
 * as {@code "LEVEL message"} lines; nothing of it reaches the console.
 */
final class LogCapture implements AutoCloseable {
  private final String logger;
  private final List<String> lines = new ArrayList<>();
  private final AbstractAppender appender;
  private final LoggerContext context;

  LogCapture(String logger) {
    this.logger = logger;
    this.context = (LoggerContext) LogManager.getContext(false);
    this.appender = new AbstractAppender("capture-" + logger, null, null, true, Property.EMPTY_ARRAY) {
      @Override public void append(LogEvent e) {
        synchronized (lines) {
          lines.add(e.getLevel() + " " + e.getMessage().getFormattedMessage());
        }
      }
    };
    appender.start();
    Configuration config = context.getConfiguration();
    LoggerConfig lc = new LoggerConfig(logger, Level.INFO, false);
    lc.addAppender(appender, Level.INFO, null);
    config.addLogger(logger, lc);
    context.updateLoggers();
  }

  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** The captured lines that contain {@code text}. */
  List<String> matching(String text) {
    List<String> out = new ArrayList<>();
    for (String l : lines()) if (l.contains(text)) out.add(l);
    return out;
  }

  @Override public void close() {
    context.getConfiguration().removeLogger(logger);
    context.updateLoggers();
    appender.stop();
  }
}
