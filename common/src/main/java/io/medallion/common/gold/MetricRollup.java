package io.medallion.common.gold;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * The aggregate of {@code gold.metric_rollup} for one (name, tags, window): exact count, min, max
 * and sum, and p50/p95/p99 from a DDSketch. The sketch guarantees a relative error of at most
 * {@link #RELATIVE_ACCURACY} on every quantile (a reported p99 of 200 ms means a true p99 within
 * 198–202 ms), whatever the distribution, and merges losslessly across partial aggregates.
 */
public final class MetricRollup implements Value {
  private static final long serialVersionUID = 1L;

  /** The relative error bound of the percentiles. */
  public static final double RELATIVE_ACCURACY = 0.01;

  /** The largest magnitude the sketch tracks, 1 % under Double.MAX_VALUE; it throws on more. */
  private static final double MAX_TRACKED = DDSketches.unboundedDense(RELATIVE_ACCURACY).getIndexMapping().maxIndexableValue();

  private long count;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double sum;
  private DDSketch sketch = DDSketches.unboundedDense(RELATIVE_ACCURACY);

  /**
   * @throws IllegalArgumentException when {@code value} is NaN or infinite: no percentile holds
   *     it, and a NaN would turn the min, max and sum into NaN
   */
  public void add(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("a rollup takes finite values only, not " + value);
    }
    count++;
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
    // Silver takes any finite value: one in the last 1 % below ±Double.MAX_VALUE enters the sketch
    // at the edge of its range, so a percentile there is within 2 % (1 % of clamping, 1 % of the
    // sketch), and quantile() clamps to the exact min and max, so a window of one value is exact.
    sketch.accept(Math.max(-MAX_TRACKED, Math.min(MAX_TRACKED, value)));
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

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeLong(count);
    out.writeDouble(min);
    out.writeDouble(max);
    out.writeDouble(sum);
    GrowingByteArrayOutput encoded = GrowingByteArrayOutput.withDefaultInitialCapacity();
    sketch.encode(encoded, false);
    out.writeInt(encoded.numWrittenBytes());
    out.write(encoded.backingArray(), 0, encoded.numWrittenBytes());
  }

  @Override
  public void read(DataInputView in) throws IOException {
    count = in.readLong();
    min = in.readDouble();
    max = in.readDouble();
    sum = in.readDouble();
    byte[] encoded = new byte[in.readInt()];
    in.readFully(encoded);
    sketch = DDSketch.decode(ByteArrayInput.wrap(encoded), UnboundedSizeDenseStore::new);
  }
}
