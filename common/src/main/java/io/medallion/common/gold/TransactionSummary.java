package io.medallion.common.gold;

import java.io.IOException;
import java.math.BigDecimal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * The aggregate of {@code gold.transaction_summary} for one (merchant, currency, window): count,
 * exact amount sum, min and max, and how many were declined. Mergeable, so partial aggregates of
 * the same window combine into the same result in any order. A Flink {@link Value}: window state
 * holds it through {@link #write}/{@link #read}, without Kryo.
 */
public final class TransactionSummary implements Value {
  private static final long serialVersionUID = 1L;

  private long count;
  private BigDecimal sum = BigDecimal.ZERO;
  private BigDecimal min;
  private BigDecimal max;
  private long declined;

  public void add(BigDecimal amount, String status) {
    count++;
    sum = sum.add(amount);
    min = min == null || amount.compareTo(min) < 0 ? amount : min;
    max = max == null || amount.compareTo(max) > 0 ? amount : max;
    if ("declined".equals(status)) {
      declined++;
    }
  }

  public void merge(TransactionSummary other) {
    if (other.count == 0) {
      return;
    }
    count += other.count;
    sum = sum.add(other.sum);
    min = min == null || other.min.compareTo(min) < 0 ? other.min : min;
    max = max == null || other.max.compareTo(max) > 0 ? other.max : max;
    declined += other.declined;
  }

  public long count() {
    return count;
  }

  public BigDecimal sum() {
    return sum;
  }

  /** The smallest amount, or null before the first. */
  public BigDecimal min() {
    return min;
  }

  /** The largest amount, or null before the first. */
  public BigDecimal max() {
    return max;
  }

  public long declined() {
    return declined;
  }

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeLong(count);
    out.writeLong(declined);
    ValueCodec.writeDecimal(out, sum);
    if (count > 0) {
      ValueCodec.writeDecimal(out, min);
      ValueCodec.writeDecimal(out, max);
    }
  }

  @Override
  public void read(DataInputView in) throws IOException {
    count = in.readLong();
    declined = in.readLong();
    sum = ValueCodec.readDecimal(in);
    min = count > 0 ? ValueCodec.readDecimal(in) : null;
    max = count > 0 ? ValueCodec.readDecimal(in) : null;
  }
}
