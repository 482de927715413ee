package io.medallion.common.gold;

import java.time.Duration;
import java.time.Instant;

/**
 * Tumbling event-time windows as gold assigns them: {@code [start, start + size)}, aligned to the
 * epoch, so an event exactly at a boundary opens the next window. The same arithmetic as Flink's
 * {@code TumblingEventTimeWindows} with offset 0, kept here so tests and readers can compute a
 * window without Flink.
 */
public final class EventTimeWindows {

  private EventTimeWindows() {}

  /** The start of the window of size {@code size} that contains {@code time}. */
  public static Instant start(Instant time, Duration size) {
    long millis = time.toEpochMilli();
    return Instant.ofEpochMilli(millis - Math.floorMod(millis, size.toMillis()));
  }

  /** The exclusive end of the window that contains {@code time}. */
  public static Instant end(Instant time, Duration size) {
    return start(time, size).plus(size);
  }

  /**
   * Whether an event of {@code time} is too late to be counted once the watermark has reached
   * {@code watermark}: its window ended, plus the allowed lateness, at or before the watermark.
   * (Flink drops a window's state when the watermark passes {@code end - 1 ms + lateness}.)
   */
  public static boolean isLate(Instant time, Instant watermark, Duration size, Duration allowedLateness) {
    return isLate(time.toEpochMilli(), watermark.toEpochMilli(), size.toMillis(), allowedLateness.toMillis());
  }

  /** {@link #isLate(Instant, Instant, Duration, Duration)} in epoch milliseconds, for the hot path. */
  public static boolean isLate(long timeMillis, long watermarkMillis, long sizeMillis, long allowedLatenessMillis) {
    long end = timeMillis - Math.floorMod(timeMillis, sizeMillis) + sizeMillis;
    return end - 1 + allowedLatenessMillis <= watermarkMillis;
  }
}
