package io.medallion.common.config;

import java.util.Locale;

/**
 * Where a Kafka source starts when it has no checkpointed offsets: {@code earliest}, {@code
 * latest}, {@code committed-or-earliest}, {@code committed-or-latest} or {@code timestamp:<epoch
 * ms>}. Once a job has checkpointed, offsets always come from its checkpoint.
 *
 * @param mode which of the five
 * @param timestampMillis for {@link Mode#TIMESTAMP} only
 */
public record StartingOffsets(Mode mode, long timestampMillis) {

  public enum Mode {
    EARLIEST,
    LATEST,
    COMMITTED_OR_EARLIEST,
    COMMITTED_OR_LATEST,
    TIMESTAMP
  }

  static StartingOffsets parse(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.startsWith("timestamp:")) {
      try {
        return new StartingOffsets(Mode.TIMESTAMP, Long.parseLong(lower.substring("timestamp:".length())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("timestamp: must be followed by epoch milliseconds");
      }
    }
    for (Mode mode : Mode.values()) {
      if (mode != Mode.TIMESTAMP && mode.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(lower)) {
        return new StartingOffsets(mode, 0);
      }
    }
    throw new IllegalArgumentException(
        "is not one of earliest, latest, committed-or-earliest, committed-or-latest, timestamp:<epoch ms>");
  }

  @Override
  public String toString() {
    return mode == Mode.TIMESTAMP
        ? "timestamp:" + timestampMillis
        : mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
