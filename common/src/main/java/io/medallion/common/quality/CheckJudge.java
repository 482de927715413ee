package io.medallion.common.quality;

import io.medallion.common.quality.Condition.EwmaZScore;
import io.medallion.common.quality.Condition.RelativeChange;
import io.medallion.common.quality.Condition.Threshold;
import io.medallion.common.quality.Judgement.Alert;
import io.medallion.common.quality.Judgement.AlertState;
import io.medallion.common.quality.Judgement.Status;

/**
 * Judges one window's value of a check against its condition and the check's {@link CheckHistory},
 * and folds the value into that history.
 *
 * <ul>
 *   <li>A value outside the expected range fails with the check's severity ({@link
 *       Status#failing}); a value on a bound passes.
 *   <li>Anomaly conditions judge the value against the history before it is folded in, so a spike
 *       is caught in the window it occurs.
 *   <li>A NaN value (no data in the window) is not judged: status OK, no range, no alert; it leaves
 *       the history and the alert state as they were, so a gap neither resolves nor re-fires an
 *       alert.
 * </ul>
 */
public final class CheckJudge {

  /**
   * The EWMA standard deviation is at least this fraction of |mean|: a constant series has zero
   * variance, which would make any change, however small, an anomaly.
   */
  static final double MIN_RELATIVE_STDDEV = 0.01;

  /** And at least this, for a constant series at zero. */
  static final double MIN_STDDEV = 1e-9;

  private static final Range UNBOUNDED = new Range(null, null);

  private CheckJudge() {}

  /**
   * Judges {@code observed}, the value of {@code check} over the window ending at {@code windowEnd}
   * (epoch millis), and updates {@code history}.
   *
   * <ul>
   *   <li>{@link Threshold}: the range is {@code [min, max]}.
   *   <li>{@link RelativeChange}: {@code previous ± |previous| * maxChange}, which is {@code
   *       previous * (1 ± maxChange)} ordered low to high whatever the sign of the previous value.
   *       After a zero the range is {@code [0, 0]}: any other value is an infinite relative change.
   *       The first value is not judged.
   *   <li>{@link EwmaZScore}: {@code mean ± z * stddev} of the EWMA, the standard deviation floored
   *       at {@code max(1 % of |mean|, 1e-9)}. Not judged until {@code warmUp} windows (at least
   *       one) are in the history.
   * </ul>
   *
   * An alert fires when the status turns from OK to failing and resolves when it turns back;
   * windows that keep the status raise none.
   */
  public static Judgement judge(QualityCheck check, CheckHistory history, double observed, long windowEnd) {
    if (Double.isNaN(observed)) {
      return new Judgement(Status.OK, observed, null, null, null);
    }
    Condition condition = check.condition();
    Range range;
    if (condition instanceof Threshold threshold) {
      range = new Range(threshold.min(), threshold.max());
    } else if (condition instanceof RelativeChange change) {
      range = relativeChange(change, history, observed);
    } else {
      range = ewmaZScore((EwmaZScore) condition, history, observed);
    }
    Status status = range.contains(observed) ? Status.OK : Status.failing(check.severity());
    return new Judgement(status, observed, range.min(), range.max(), transition(history, status, windowEnd));
  }

  private static Range relativeChange(RelativeChange change, CheckHistory history, double observed) {
    double previous = history.previous;
    history.previous = observed;
    if (Double.isNaN(previous)) {
      return UNBOUNDED;
    }
    double delta = Math.abs(previous) * change.maxChange();
    return new Range(previous - delta, previous + delta);
  }

  private static Range ewmaZScore(EwmaZScore ewma, CheckHistory history, double observed) {
    Range range = UNBOUNDED;
    if (history.seen >= Math.max(ewma.warmUp(), 1)) {
      double stddev = Math.max(Math.sqrt(history.variance), Math.max(MIN_RELATIVE_STDDEV * Math.abs(history.mean), MIN_STDDEV));
      range = new Range(history.mean - ewma.z() * stddev, history.mean + ewma.z() * stddev);
    }
    if (history.seen == 0) {
      history.mean = observed;
    } else {
      // West's incremental EWMA variance (Finch, "Incremental calculation of weighted mean and variance").
      double diff = observed - history.mean;
      double increment = ewma.alpha() * diff;
      history.mean += increment;
      history.variance = (1 - ewma.alpha()) * (history.variance + diff * increment);
    }
    history.seen++;
    return range;
  }

  private static Alert transition(CheckHistory history, Status status, long windowEnd) {
    boolean wasFailing = history.status != Status.OK;
    history.status = status;
    if (!wasFailing && status != Status.OK) {
      history.firstFiredAt = windowEnd;
      return new Alert(AlertState.FIRING, windowEnd);
    }
    if (wasFailing && status == Status.OK) {
      return new Alert(AlertState.RESOLVED, history.firstFiredAt);
    }
    return null;
  }

  /** The expected range; a null end is unbounded. */
  private record Range(Double min, Double max) {
    boolean contains(double value) {
      return (min == null || value >= min) && (max == null || value <= max);
    }
  }
}
