package io.medallion.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.table.data.RowData;
import org.apache.flink.testutils.junit.SharedReference;

/**
 * Test-only failure injection: the operator throws once, when it hears that checkpoint {@code
 * checkpoint} (or a later one) completed, whatever rows flow then. The job restarts from that
 * checkpoint. The count lives in a {@link SharedReference} so restarted tasks, and the other
 * subtasks, do not throw again.
 */
public final class FailAfterCheckpoint implements MapFunction<RowData, RowData>, CheckpointListener {
  private static final long serialVersionUID = 1L;

  private final long checkpoint;
  private final SharedReference<AtomicInteger> failures;

  public FailAfterCheckpoint(long checkpoint, SharedReference<AtomicInteger> failures) {
    this.checkpoint = checkpoint;
    this.failures = failures;
  }

  @Override
  public RowData map(RowData row) {
    return row;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (checkpointId >= checkpoint && failures.get().compareAndSet(0, 1)) {
      throw new IllegalStateException("injected failure after checkpoint " + checkpointId);
    }
  }
}
