package io.medallion.common.deadletter;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The dead-letter circuit breaker of one operator instance: it counts the instance's input records
 * and how many of them were dead-lettered over tumbling windows of {@link Limit#window()} inputs,
 * and reports a {@link Trip} when a completed window dead-lettered more than {@link
 * Limit#maxRate()} of its inputs. Exactly at the rate does not trip.
 *
 * <p>A window is a number of input records, not a duration, so the decision depends only on the
 * input and its order: a catch-up at ten times the usual speed, a replay and a test all judge the
 * same records alike, and a quiet hour with three records cannot trip on a ratio of 2/3. Only
 * completed windows are judged; the counts are not checkpointed, so after a restart the window
 * starts again. Not thread-safe; one per operator instance (subtask).
 */
public final class DeadLetterRateBreaker {

  /** What a job does when the breaker trips (config {@code dlq.rate-action}). */
  public enum Action {
    /** Log a warning and count the trip; the job goes on dead-lettering. */
    ALERT,
    /** Stop the job, without restarts. */
    FAIL;

    /** The configuration value: {@code alert} or {@code fail}. */
    public String configValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The configured limit: more than {@code maxRate} (0 to 1) of a window of {@code window} input
   * records dead-lettered trips the breaker, and {@code action} says what then happens.
   */
  public record Limit(double maxRate, long window, Action action) implements Serializable {
    public Limit {
      if (!(maxRate >= 0 && maxRate <= 1)) {
        throw new IllegalArgumentException("maxRate must be from 0 to 1, not " + maxRate);
      }
      if (window < 1) {
        throw new IllegalArgumentException("window must be at least 1, not " + window);
      }
      Objects.requireNonNull(action, "action");
    }

    /** The most dead letters a window may have without tripping: maxRate × window, rounded down, computed exactly. */
    long allowedDeadLetters() {
      return BigDecimal.valueOf(maxRate).multiply(BigDecimal.valueOf(window)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }
  }

  /** A completed window that dead-lettered more than the limit allows. */
  public record Trip(long deadLetters, long window, double maxRate) {

    /** The observed ratio, deadLetters / window, to at most four decimals. */
    public String observedRate() {
      return BigDecimal.valueOf(deadLetters)
          .divide(BigDecimal.valueOf(window), 4, RoundingMode.HALF_UP)
          .stripTrailingZeros()
          .toPlainString();
    }

    /**
     * One sentence for the job's failure or warning, with counts only (never record contents), e.g.
     * {@code bronze-ingest dead-lettered 6 of 10 input records (ratio 0.6), above dlq.max-rate 0.5
     * over dlq.rate-window 10: the producer's output is likely broken}.
     */
    public String describe(String jobName) {
      return jobName + " dead-lettered " + deadLetters + " of " + window + " input records (ratio " + observedRate()
          + "), above dlq.max-rate " + BigDecimal.valueOf(maxRate).stripTrailingZeros().toPlainString()
          + " over dlq.rate-window " + window + ": the producer's output is likely broken";
    }
  }

  private final Limit limit;
  private final long allowedDeadLetters;
  private long inputs;
  private long deadLetters;

  public DeadLetterRateBreaker(Limit limit) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.allowedDeadLetters = limit.allowedDeadLetters();
  }

  public Limit limit() {
    return limit;
  }

  /**
   * Counts one input record and its fate. When it completes a window, judges that window and starts
   * the next one.
   *
   * @param deadLettered whether this record was dead-lettered (else it was written)
   * @return the trip, when this record completed a window above the limit
   */
  public Optional<Trip> record(boolean deadLettered) {
    inputs++;
    if (deadLettered) {
      deadLetters++;
    }
    if (inputs < limit.window()) {
      return Optional.empty();
    }
    long windowDeadLetters = deadLetters;
    inputs = 0;
    deadLetters = 0;
    return windowDeadLetters > allowedDeadLetters
        ? Optional.of(new Trip(windowDeadLetters, limit.window(), limit.maxRate()))
        : Optional.empty();
  }
}
