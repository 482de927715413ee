package io.medallion.common.paimon;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.operation.CleanOrphanFilesResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the orphan files of Paimon tables at a completed checkpoint, at most once per interval,
 * in a background thread so the listing never holds back a checkpoint barrier. A completed
 * checkpoint means every task of the job is running, so after a restore Paimon's committer has
 * already committed the files it restored. A failed round is logged and counted ({@code
 * paimonOrphanRemovalFailures}) and retried at the next interval: maintenance does not stop the
 * pipeline.
 */
final class OrphanFilesRemover extends ProcessFunction<Long, Void> implements CheckpointListener {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanFilesRemover.class);

  private final Map<String, String> catalogOptions;
  private final List<String> tables;
  private final Duration minAge;
  private final Duration interval;

  private transient ExecutorService worker;
  private transient Future<?> running;
  private transient long lastStartMillis;
  private transient Counter removedFiles;
  private transient Counter failures;

  OrphanFilesRemover(Map<String, String> catalogOptions, List<String> tables, Duration minAge, Duration interval) {
    this.catalogOptions = Map.copyOf(catalogOptions);
    this.tables = List.copyOf(tables);
    this.minAge = minAge;
    this.interval = interval;
  }

  @Override
  public void open(OpenContext context) {
    worker = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "paimon-orphan-removal");
      thread.setDaemon(true);
      return thread;
    });
    // The first round waits an interval too: a restarting job lists nothing while it recovers.
    lastStartMillis = System.currentTimeMillis();
    removedFiles = getRuntimeContext().getMetricGroup().counter("paimonOrphanFilesRemoved");
    failures = getRuntimeContext().getMetricGroup().counter("paimonOrphanRemovalFailures");
  }

  @Override
  public void processElement(Long tick, Context context, Collector<Void> out) {
    // The ticks only keep this task alive and running; the work happens at completed checkpoints.
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    long now = System.currentTimeMillis();
    if (now - lastStartMillis < interval.toMillis() || (running != null && !running.isDone())) {
      return;
    }
    lastStartMillis = now;
    running = worker.submit(this::removeOrphans);
  }

  private void removeOrphans() {
    try (Catalog catalog = PaimonCatalogs.create(catalogOptions)) {
      for (String table : tables) {
        CleanOrphanFilesResult result = PaimonMaintenance.removeOrphanFiles(catalog, Identifier.fromString(table), minAge);
        removedFiles.inc(result.getDeletedFileCount());
        LOG.info("Removed {} orphan files ({} bytes) of Paimon table {}", result.getDeletedFileCount(), result.getDeletedFileTotalLenInBytes(), table);
      }
    } catch (Exception e) {
      failures.inc();
      LOG.error("Removing the orphan files of Paimon tables {} failed; retried in {}", tables, interval, e);
    }
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.shutdownNow();
    }
  }
}
