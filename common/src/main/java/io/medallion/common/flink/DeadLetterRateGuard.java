package io.medallion.common.flink;

import io.medallion.common.deadletter.DeadLetterRateBreaker;
import java.util.Optional;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter circuit breaker inside an operator: the operator reports each input record's fate,
 * and when a window trips the {@link DeadLetterRateBreaker} the guard acts as {@code dlq.rate-action}
 * says. {@code alert}: one WARN line (job, subtask, counts, ratio, limit, window; never record
 * contents) and {@link StageMetrics#DEAD_LETTER_RATE_TRIPS} + 1. {@code fail}: the same count, then
 * a {@link SuppressRestartsException} around a {@link DeadLetterRateExceededException}, so the job
 * fails once with that message instead of restarting into the same input. Without a limit it does
 * nothing.
 */
public final class DeadLetterRateGuard {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRateGuard.class);

  private final String jobName;
  private final String operator;
  private final DeadLetterRateBreaker breaker;
  private final StageMetrics metrics;

  /**
   * @param limit the job's limit, or null for none
   * @param operator names the operator and subtask in the warning, e.g. {@code decode envelope (1/2)}
   */
  public DeadLetterRateGuard(String jobName, String operator, DeadLetterRateBreaker.Limit limit, StageMetrics metrics) {
    this.jobName = jobName;
    this.operator = operator;
    this.breaker = limit == null ? null : new DeadLetterRateBreaker(limit);
    this.metrics = metrics;
  }

  /**
   * The input record was written; call after it is emitted.
   *
   * @throws SuppressRestartsException when the action is {@code fail} and this record completed a window above the limit
   */
  public void written() {
    record(false);
  }

  /**
   * The input record was dead-lettered; call after the dead letter is emitted.
   *
   * @throws SuppressRestartsException when the action is {@code fail} and this record completed a window above the limit
   */
  public void deadLettered() {
    record(true);
  }

  private void record(boolean deadLettered) {
    if (breaker == null) {
      return;
    }
    Optional<DeadLetterRateBreaker.Trip> trip = breaker.record(deadLettered);
    if (trip.isEmpty()) {
      return;
    }
    metrics.deadLetterRateTrip();
    String sentence = trip.get().describe(jobName);
    if (breaker.limit().action() == DeadLetterRateBreaker.Action.FAIL) {
      LOG.error("Dead-letter circuit breaker tripped in {}: {}; dlq.rate-action fail stops the job", operator, sentence);
      throw new SuppressRestartsException(new DeadLetterRateExceededException(sentence + "; the job stops (dlq.rate-action fail)."));
    }
    LOG.warn("Dead-letter circuit breaker tripped in {}: {}; dlq.rate-action alert, the job goes on", operator, sentence);
  }

  /** The failure of a job whose dead-letter rate tripped the breaker with action {@code fail}. */
  public static final class DeadLetterRateExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeadLetterRateExceededException(String message) {
      super(message);
    }
  }
}
