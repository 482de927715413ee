package io.medallion.common.gold;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;

/**
 * The aggregate of {@code gold.metric_rollup} for one (name, tags, window): exact count, min, max
 * and sum, and p50/p95/p99 from a DDSketch. The sketch guarantees a relative error of at most
 * {@link #RELATIVE_ACCURACY} on every quantile (a reported p99 of 200 ms means a true p99 within
 * 198–202 ms), whatever the distribution, and merges losslessly across partial aggregates.
 */
public final class MetricRollup {
  /** The relative error bound of the percentiles. */
  public static final double RELATIVE_ACCURACY = 0.01;

  private long count;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sum;
  private final DDSketch sketch = DDSketches.unboundedDense(RELATIVE_ACCURACY);

  public void add(double value) {
    count++;
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
    sketch.accept(value);
  }

  public void merge(MetricRollup other) {
    if (other.count == 0) {
      return;
    }
    count += other.count;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    sum += other.sum;
    sketch.mergeWith(other.sketch);
  }

  public long count() {
    return count;
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double sum() {
    return sum;
  }

  /**
   * The value at quantile {@code q} (0.5 for the median), within {@link #RELATIVE_ACCURACY}, and
   * clamped to the exact min and max so a percentile never leaves the observed range.
   */
  public double quantile(double q) {
    if (count == 0) {
      throw new IllegalStateException("no values");
    }
    return Math.max(min, Math.min(max, sketch.getValueAtQuantile(q)));
  }
}
