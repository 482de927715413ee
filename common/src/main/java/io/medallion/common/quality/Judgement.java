package io.medallion.common.quality;

import java.util.Locale;

/**
 * The verdict on one window's value of one check and scope.
 *
 * @param status ok, or the check's severity when the value lies outside the expected range
 * @param observed the window's value; NaN when the window had no data to compute it from
 * @param expectedMin the lower end of the range the value was judged against, or null (unbounded,
 *     or nothing to judge against: a NaN value, no previous window, EWMA warm-up)
 * @param expectedMax the upper end, or null likewise
 * @param alert the alert transition this window caused, or null when the alert state did not change
 */
public record Judgement(Status status, double observed, Double expectedMin, Double expectedMax, Alert alert)
    implements java.io.Serializable {

  /** A check's status in one window. */
  public enum Status {
    OK,
    WARN,
    FAIL;

    /** {@code ok}, {@code warn} or {@code fail}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The status a failing check of {@code severity} reports. */
    public static Status failing(Severity severity) {
      return severity == Severity.WARN ? WARN : FAIL;
    }
  }

  /** Whether an alert starts or ends. */
  public enum AlertState {
    FIRING,
    RESOLVED
  }

  /**
   * A change of a check's alert state: {@link AlertState#FIRING} when it starts failing,
   * {@link AlertState#RESOLVED} when it is ok again. {@code firstFiredAt} (epoch millis, the end of
   * the window that fired) is the same on both, so a resolution names the alert it ends.
   */
  public record Alert(AlertState state, long firstFiredAt) implements java.io.Serializable {}
}
