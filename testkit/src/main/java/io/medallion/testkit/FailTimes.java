package io.medallion.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.testutils.junit.SharedReference;

/**
 * Test-only failure injection: throws on the row whose string column at {@code position} equals
 * {@code value}, {@code times} times in a row, then lets everything through. The row comes again
 * after each restore, so each restarted attempt fails on it until the count is spent; the count
 * lives in a {@link SharedReference} (Flink's SharedObjectsExtension) so restarted tasks see it.
 */
public final class FailTimes implements MapFunction<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private final int position;
  private final String value;
  private final int times;
  private final SharedReference<AtomicInteger> failures;

  public FailTimes(int position, String value, int times, SharedReference<AtomicInteger> failures) {
    this.position = position;
    this.value = value;
    this.times = times;
    this.failures = failures;
  }

  @Override
  public RowData map(RowData row) {
    if (row.getString(position).toString().equals(value)) {
      int before = failures.get().getAndUpdate(n -> n < times ? n + 1 : n);
      if (before < times) {
        throw new IllegalStateException("injected failure " + (before + 1) + " of " + times + " on " + value);
      }
    }
    return row;
  }
}
