package io.medallion.common.quality;

/**
 * When a check fails: outside a fixed range, or an anomaly against the check's own history.
 * Values are in the metric's unit (fractions, counts, seconds).
 */
public sealed interface Condition extends java.io.Serializable {
  /** Fails below {@code min} or above {@code max}; either may be null (unbounded). */
  record Threshold(Double min, Double max) implements Condition {}

  /**
   * Fails when the value changed by more than {@code maxChange} (a fraction: 0.5 = ±50 %) against
   * the previous window's value.
   */
  record RelativeChange(double maxChange) implements Condition {}

  /**
   * Fails when the value is more than {@code z} standard deviations from the exponentially
   * weighted moving mean ({@code alpha} = weight of the newest window); judges nothing until
   * {@code warmUp} windows have been seen.
   */
  record EwmaZScore(double alpha, double z, int warmUp) implements Condition {}
}
