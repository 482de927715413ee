package io.medallion.testkit;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.testutils.junit.SharedReference;

/**
 * Test-only failure injection: throws once, on the row whose string column at {@code position}
 * equals {@code value}, then lets everything through. The flag lives in a {@link SharedReference}
 * (Flink's SharedObjectsExtension), so the restarted task sees that it already failed.
 */
public final class FailOnce implements MapFunction<RowData, RowData> {
  private static final long serialVersionUID = 1L;

  private final int position;
  private final String value;
  private final SharedReference<AtomicBoolean> failed;

  public FailOnce(int position, String value, SharedReference<AtomicBoolean> failed) {
    this.position = position;
    this.value = value;
    this.failed = failed;
  }

  @Override
  public RowData map(RowData row) {
    if (row.getString(position).toString().equals(value) && failed.get().compareAndSet(false, true)) {
      throw new IllegalStateException("injected failure on " + value);
    }
    return row;
  }
}
