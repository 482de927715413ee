package io.medallion.common.paimon;

import java.io.FileNotFoundException;
import java.util.List;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.Snapshot;
import org.apache.paimon.globalindex.GlobalIndexResult;
import org.apache.paimon.manifest.PartitionEntry;
import org.apache.paimon.metrics.MetricRegistry;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.ReadBuilderImpl;
import org.apache.paimon.table.source.StreamTableScan;
import org.apache.paimon.table.source.TableScan;
import org.apache.paimon.utils.SnapshotManager;

/**
 * The read builder of a streaming read of a lookup-changelog table whose snapshot watermark also
 * advances past snapshots that hold no rows.
 *
 * <p>Why: a table with {@code changelog-producer=lookup} streams its changelog from its COMPACT
 * snapshots, and Paimon's scan takes the watermark only from the snapshots it reads. But a writer
 * whose watermark moves on without new rows commits an APPEND snapshot with no rows and the new
 * watermark, and no COMPACT snapshot: the reader's watermark stayed at the last COMPACT snapshot's,
 * and the last event-time window before the writer went quiet never closed (a demo run's gold
 * missed one minute of user actions this way).
 *
 * <p>When the snapshot just before the scan's next one is an APPEND with no rows, every row up to
 * it has been read, so its watermark is safe to pass on. An APPEND with rows is never trusted: its
 * changelog is in the COMPACT snapshot after it. That holds only when every commit compacts its own
 * level-0 files ({@code lookup-wait} with the radical {@code lookup-compact}, Paimon's defaults);
 * for any other table the scan is Paimon's own.
 */
public final class ChangelogWatermarkReadBuilder extends ReadBuilderImpl {
  private static final long serialVersionUID = 1L;

  private final FileStoreTable table;

  public ChangelogWatermarkReadBuilder(FileStoreTable table) {
    super(table);
    this.table = table;
  }

  /** Whether {@code options} commit each snapshot's changelog in the same commit as its rows. */
  static boolean compactsEveryCommit(CoreOptions options) {
    return options.changelogProducer() == CoreOptions.ChangelogProducer.LOOKUP
        && options.toConfiguration().get(CoreOptions.LOOKUP_WAIT)
        && options.lookupCompact() == CoreOptions.LookupCompactMode.RADICAL;
  }

  @Override
  public StreamTableScan newStreamScan() {
    StreamTableScan scan = super.newStreamScan();
    return compactsEveryCommit(table.coreOptions()) ? new Scan(scan, table.snapshotManager()) : scan;
  }

  /** Paimon's scan, with the watermark of a row-less APPEND snapshot that it has passed. */
  static final class Scan implements StreamTableScan {
    private final StreamTableScan delegate;
    private final SnapshotManager snapshots;
    private long checkedSnapshotId = -1;
    private Long checkedWatermark;

    Scan(StreamTableScan delegate, SnapshotManager snapshots) {
      this.delegate = delegate;
      this.snapshots = snapshots;
    }

    @Override
    public Long watermark() {
      Long scanned = delegate.watermark();
      Long next = delegate.checkpoint();
      if (next == null) {
        return scanned;
      }
      Long passed = watermarkOfRowlessAppend(next - 1);
      return passed == null || (scanned != null && scanned >= passed) ? scanned : passed;
    }

    private Long watermarkOfRowlessAppend(long snapshotId) {
      if (snapshotId != checkedSnapshotId) {
        checkedSnapshotId = snapshotId;
        checkedWatermark = null;
        try {
          Snapshot snapshot = snapshotId > 0 ? snapshots.tryGetSnapshot(snapshotId) : null;
          if (snapshot != null && snapshot.commitKind() == Snapshot.CommitKind.APPEND && snapshot.deltaRecordCount() == 0) {
            checkedWatermark = snapshot.watermark();
          }
        } catch (FileNotFoundException expired) {
          // Expired behind the reader: the next row-less APPEND carries a watermark at least as high.
        }
      }
      return checkedWatermark;
    }

    @Override
    public Plan plan() {
      return delegate.plan();
    }

    @Override
    public Long checkpoint() {
      return delegate.checkpoint();
    }

    @Override
    public void restore(Long nextSnapshotId) {
      delegate.restore(nextSnapshotId);
    }

    @Override
    public void notifyCheckpointComplete(Long nextSnapshot) {
      delegate.notifyCheckpointComplete(nextSnapshot);
    }

    @Override
    public TableScan withMetricRegistry(MetricRegistry registry) {
      delegate.withMetricRegistry(registry);
      return this;
    }

    @Override
    public TableScan withGlobalIndexResult(GlobalIndexResult result) {
      delegate.withGlobalIndexResult(result);
      return this;
    }

    @Override
    public List<PartitionEntry> listPartitionEntries() {
      return delegate.listPartitionEntries();
    }
  }
}
