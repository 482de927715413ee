package io.medallion.gold;

import io.medallion.common.silver.SilverTable;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.consumer.ConsumerManager;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.manifest.ManifestCommittable;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.StreamTableWrite;
import org.apache.paimon.table.sink.TableCommitImpl;

/**
 * Writes silver snapshots the way silver-transform's Paimon sink does, one commit per table with
 * the event-time watermark it carries, so a test decides exactly which events gold sees before
 * which watermark.
 */
final class SilverCommits {
  private static final String COMMIT_USER = "silver-commits-it";

  private final Catalog catalog;
  private final Map<SilverTable, Long> commitIds = new EnumMap<>(SilverTable.class);

  SilverCommits(Catalog catalog) {
    this.catalog = catalog;
  }

  /**
   * An empty first snapshot of every table, as silver's sink commits at each checkpoint. A reader
   * that starts after it reads every later snapshot incrementally. (One that starts at a commit's
   * append snapshot, before the compaction that writes its changelog, would see that commit's rows
   * only after its watermark; the README describes this start-up race.)
   */
  void commitEmpty() throws Exception {
    commit(List.of(), null);
  }

  /** Whether a reader has registered its position under {@code consumerId} in every table. */
  boolean consumedByEveryTable(String consumerId) throws Exception {
    for (SilverTable table : SilverTable.values()) {
      FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
      if (new ConsumerManager(paimon.fileIO(), paimon.location()).consumer(consumerId).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Commits the events of each table, and the watermark, as one snapshot per silver table. */
  void commit(List<SilverEvent> events, Long watermark) throws Exception {
    for (SilverTable table : SilverTable.values()) {
      FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
      long commitId = commitIds.merge(table, 1L, Long::sum);
      List<CommitMessage> messages;
      try (IOManager io = IOManager.create(System.getProperty("java.io.tmpdir"));
          StreamTableWrite write = paimon.newStreamWriteBuilder().withCommitUser(COMMIT_USER).newWrite()) {
        // The lookup changelog producer spills to local disk, as silver's Flink writers do.
        write.withIOManager(io);
        for (SilverEvent event : events) {
          if (event.table() == table) {
            write.write(event.toPaimonRow());
          }
        }
        // Waits for the lookup compaction, which writes the changelog that gold streams.
        messages = write.prepareCommit(true, commitId);
      }
      ManifestCommittable committable = new ManifestCommittable(commitId, watermark);
      messages.forEach(committable::addFileCommittable);
      try (TableCommitImpl commit = paimon.newCommit(COMMIT_USER).ignoreEmptyCommit(false)) {
        commit.commit(committable);
      }
    }
  }
}
