package io.medallion.bronze;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * While open, every logger of this JVM (Flink, the Kafka clients, the in-process broker, Iceberg,
 * ours) logs at DEBUG or finer to an appender that looks for given strings in each message and its
 * stack trace; closing restores the levels. Only hits and a few marker lines are kept, not the log.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {
  private final List<String> secrets;
  private final List<String> markers;
  private final AtomicLong events = new AtomicLong();
  private final Queue<String> leaks = new ConcurrentLinkedQueue<>();
  private final Queue<String> markerLines = new ConcurrentLinkedQueue<>();
  private final LoggerContext context;
  private final Map<LoggerConfig, Level> levels = new HashMap<>();

  /** Starts capturing; {@code markers} are substrings whose lines are kept, to show what was captured. */
  static LogCapture start(List<String> secrets, List<String> markers) {
    return new LogCapture(secrets, markers);
  }

  private LogCapture(List<String> secrets, List<String> markers) {
    super("log-capture", null, null, true, Property.EMPTY_ARRAY);
    this.secrets = List.copyOf(secrets);
    this.markers = List.copyOf(markers);
    this.context = (LoggerContext) LogManager.getContext(false);
    start();
    Configuration config = context.getConfiguration();
    config.addAppender(this);
    List<LoggerConfig> loggers = new java.util.ArrayList<>(config.getLoggers().values());
    if (!loggers.contains(config.getRootLogger())) {
      loggers.add(config.getRootLogger());
    }
    for (LoggerConfig logger : loggers) {
      Level level = logger.getLevel();
      levels.put(logger, level);
      // The configured appenders (the console) keep their level: only this one sees DEBUG.
      for (String appender : List.copyOf(logger.getAppenders().keySet())) {
        Appender existing = logger.getAppenders().get(appender);
        logger.removeAppender(appender);
        logger.addAppender(existing, level, null);
      }
      logger.setLevel(Level.DEBUG);
      logger.addAppender(this, Level.ALL, null);
    }
    context.updateLoggers();
  }

  @Override
  public void append(LogEvent event) {
    events.incrementAndGet();
    StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage());
    if (event.getThrown() != null) {
      StringWriter trace = new StringWriter();
      event.getThrown().printStackTrace(new PrintWriter(trace));
      text.append('\n').append(trace);
    }
    String line = text.toString();
    for (String secret : secrets) {
      if (line.contains(secret)) {
        leaks.add(event.getLoggerName() + ": " + line);
      }
    }
    for (String marker : markers) {
      if (line.contains(marker)) {
        markerLines.add(line);
      }
    }
  }

  long events() {
    return events.get();
  }

  /** The captured lines that contain a secret, each with its logger. */
  List<String> leaks() {
    return List.copyOf(leaks);
  }

  List<String> markerLines() {
    return List.copyOf(markerLines);
  }

  @Override
  public void close() {
    levels.forEach(
        (logger, level) -> {
          logger.removeAppender(getName());
          for (String appender : List.copyOf(logger.getAppenders().keySet())) {
            Appender existing = logger.getAppenders().get(appender);
            logger.removeAppender(appender);
            logger.addAppender(existing, null, null);
          }
          logger.setLevel(level);
        });
    context.getConfiguration().getAppenders().remove(getName());
    context.updateLoggers();
    stop();
  }
}
