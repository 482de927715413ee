package io.medallion.local;

import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.gold.GroupKey;
import io.medallion.common.gold.MetricTags;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.silver.SilverEventTime;
import io.medallion.common.silver.SilverTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalMap;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.source.ScanMode;
import org.apache.paimon.table.source.Split;

/**
 * Freshness read back from the tables' own snapshots: for each row, the commit time of the
 * snapshot that first made it visible, minus the time the record was produced (its Kafka
 * timestamp, which {@link LiveTraffic} sets when it hands the record to the producer).
 *
 * <ul>
 *   <li>bronze: each append snapshot of {@code bronze.events} is read on its own ({@code
 *       appendsBetween(parent, snapshot)}); a row's latency is {@code snapshot.timestampMillis()
 *       - kafka_timestamp}.
 *   <li>silver: each APPEND snapshot of a silver table is read as a delta (the data files it
 *       added); a row's latency is {@code Snapshot.timeMillis() -} the Kafka timestamp of the
 *       record at its {@code (source_topic, source_partition, source_offset)}, the copy that
 *       silver kept (first seen wins).
 *   <li>gold: a gold row (dimensions, window) is measured once it is complete: it counts every
 *       silver event of its group and window. Its latency is the commit time of the first
 *       snapshot whose delta holds the row complete, minus the latest Kafka timestamp among those
 *       events. That includes the wait for the window to close: silver's watermark must pass the
 *       window's end, so an event some seconds after it must reach silver first.
 * </ul>
 *
 * Rows produced during the warm-up (gold: rows whose latest event was) are not measured.
 */
final class TableFreshness {

  private TableFreshness() {}

  /** Latencies of the rows of {@code bronze.events} produced from {@code measuredFrom} on. */
  static Latencies bronze(org.apache.iceberg.catalog.Catalog catalog, long measuredFrom) throws IOException {
    Table table = catalog.loadTable(BronzeEventsTable.IDENTIFIER);
    Latencies latencies = new Latencies();
    for (Snapshot snapshot : table.snapshots()) {
      if (!DataOperations.APPEND.equals(snapshot.operation())) {
        continue;
      }
      IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table).select("kafka_timestamp");
      scan = snapshot.parentId() == null ? scan.useSnapshot(snapshot.snapshotId()) : scan.appendsBetween(snapshot.parentId(), snapshot.snapshotId());
      try (CloseableIterable<Record> rows = scan.build()) {
        for (Record row : rows) {
          long produced = ((OffsetDateTime) row.getField("kafka_timestamp")).toInstant().toEpochMilli();
          if (produced >= measuredFrom) {
            latencies.add(produced, snapshot.timestampMillis() - produced);
          }
        }
      }
    }
    return latencies;
  }

  /** The silver events of one gold row: how many, and when the latest of them was produced. */
  static final class GoldGroup {
    final long windowEnd;
    long events;
    long lastProduced = Long.MIN_VALUE;

    GoldGroup(long windowEnd) {
      this.windowEnd = windowEnd;
    }
  }

  /** What the silver tables hold: their rows' latencies, and the gold rows those rows make. */
  record Silver(Map<SilverTable, Latencies> latencies, Map<GoldTable, Map<String, GoldGroup>> goldGroups) {}

  static Silver silver(Catalog catalog, LiveTraffic.Sent sent, long measuredFrom, Duration goldWindow) throws Exception {
    Map<SilverTable, Latencies> latencies = new EnumMap<>(SilverTable.class);
    Map<GoldTable, Map<String, GoldGroup>> groups = new EnumMap<>(GoldTable.class);
    for (SilverTable silver : SilverTable.values()) {
      GoldTable gold = GoldTable.of(silver);
      List<String> dimensions = dimensions(gold);
      int[] projection = new int[4 + dimensions.size()];
      projection[0] = SilverTable.SOURCE_TOPIC;
      projection[1] = SilverTable.SOURCE_PARTITION;
      projection[2] = SilverTable.SOURCE_OFFSET;
      projection[3] = SilverTable.EVENT_TIME;
      for (int i = 0; i < dimensions.size(); i++) {
        projection[4 + i] = silver.position(dimensions.get(i));
      }
      Latencies tableLatencies = new Latencies();
      Map<String, GoldGroup> tableGroups = new HashMap<>();
      forEachAddedRow(
          (FileStoreTable) catalog.getTable(silver.identifier()),
          projection,
          0,
          (snapshot, row) -> {
            long produced = sent.producedAt(row.getString(0).toString(), row.getInt(1), row.getLong(2));
            if (produced >= measuredFrom) {
              tableLatencies.add(produced, snapshot.timeMillis() - produced);
            }
            long eventTime = row.getTimestamp(3, SilverEventTime.PRECISION).getMillisecond();
            String[] values = new String[dimensions.size()];
            for (int i = 0; i < values.length; i++) {
              values[i] = dimensions.get(i).equals("tags") ? MetricTags.canonical(tags(row, 4 + i)) : row.getString(4 + i).toString();
            }
            long windowStart = EventTimeWindows.start(java.time.Instant.ofEpochMilli(eventTime), goldWindow).toEpochMilli();
            GoldGroup group = tableGroups.computeIfAbsent(GroupKey.of(values) + "@" + windowStart, k -> new GoldGroup(windowStart + goldWindow.toMillis()));
            group.events++;
            group.lastProduced = Math.max(group.lastProduced, produced);
          });
      latencies.put(silver, tableLatencies);
      groups.put(gold, tableGroups);
    }
    return new Silver(latencies, groups);
  }

  /**
   * Follows the gold tables' snapshots, and notes for each gold row the commit time of the first
   * snapshot that held it complete (counting every silver event of its group and window). Call
   * {@link #advance} again to read the snapshots committed since.
   */
  static final class Gold {
    private final Catalog catalog;
    private final Map<GoldTable, Map<String, GoldGroup>> groups;
    private final Map<GoldTable, Map<String, Long>> completeAt = new EnumMap<>(GoldTable.class);
    private final Map<GoldTable, Long> nextSnapshot = new EnumMap<>(GoldTable.class);

    Gold(Catalog catalog, Map<GoldTable, Map<String, GoldGroup>> groups) {
      this.catalog = catalog;
      this.groups = groups;
      for (GoldTable table : GoldTable.values()) {
        completeAt.put(table, new HashMap<>());
        nextSnapshot.put(table, 1L);
      }
    }

    void advance() throws Exception {
      for (GoldTable table : GoldTable.values()) {
        int dimensionCount = dimensions(table).size();
        int[] projection = new int[dimensionCount + 2];
        for (int i = 0; i < dimensionCount; i++) {
          projection[i] = i;
        }
        List<String> names = table.fields().stream().map(f -> f.name()).toList();
        projection[dimensionCount] = names.indexOf(GoldTable.WINDOW_START);
        projection[dimensionCount + 1] = names.indexOf(eventCountColumn(table));
        Map<String, GoldGroup> expected = groups.get(table);
        Map<String, Long> complete = completeAt.get(table);
        long next =
            forEachAddedRow(
                (FileStoreTable) catalog.getTable(table.identifier()),
                projection,
                nextSnapshot.get(table),
                (snapshot, row) -> {
                  String[] values = new String[dimensionCount];
                  for (int i = 0; i < dimensionCount; i++) {
                    values[i] = row.getString(i).toString();
                  }
                  String key = GroupKey.of(values) + "@" + row.getTimestamp(dimensionCount, 3).getMillisecond();
                  GoldGroup group = expected.get(key);
                  if (group != null && eventCount(table, row, dimensionCount + 1) == group.events) {
                    complete.putIfAbsent(key, snapshot.timeMillis());
                  }
                });
        nextSnapshot.put(table, next);
      }
    }

    /** Whether every gold row of a window that silver's latest watermark has closed is complete. */
    boolean closedWindowsComplete() throws Exception {
      for (GoldTable table : GoldTable.values()) {
        org.apache.paimon.Snapshot latest = ((FileStoreTable) catalog.getTable(table.source().identifier())).snapshotManager().latestSnapshot();
        long watermark = latest == null || latest.watermark() == null ? Long.MIN_VALUE : latest.watermark();
        for (Map.Entry<String, GoldGroup> group : groups.get(table).entrySet()) {
          if (group.getValue().windowEnd - 1 <= watermark && !completeAt.get(table).containsKey(group.getKey())) {
            return false;
          }
        }
      }
      return true;
    }

    /** Latencies of the complete gold rows whose latest event was produced from {@code measuredFrom} on. */
    Latencies latencies(GoldTable table, long measuredFrom) {
      Latencies latencies = new Latencies();
      completeAt.get(table).forEach(
          (key, visible) -> {
            GoldGroup group = groups.get(table).get(key);
            if (group.lastProduced >= measuredFrom) {
              latencies.add(group.lastProduced, visible - group.lastProduced);
            }
          });
      return latencies;
    }

    /** Gold rows whose latest event was produced from {@code measuredFrom} on, complete or not. */
    long rowsAfter(GoldTable table, long measuredFrom) {
      return groups.get(table).values().stream().filter(g -> g.lastProduced >= measuredFrom).count();
    }
  }

  /** A gold table's dimensions: its primary key without the window start. */
  private static List<String> dimensions(GoldTable table) {
    List<String> dimensions = new ArrayList<>(table.primaryKey());
    dimensions.remove(GoldTable.WINDOW_START);
    return dimensions;
  }

  private static String eventCountColumn(GoldTable table) {
    return switch (table) {
      case TRANSACTION_SUMMARY -> "transaction_count";
      case USER_ACTIVITY -> "actions";
      case METRIC_ROLLUP -> "value_count";
      case SYSTEM_HEALTH -> "event_count";
    };
  }

  /** How many silver events a gold row counts (as {@link GoldRows#events}, on Paimon's row). */
  private static long eventCount(GoldTable table, InternalRow row, int at) {
    if (table != GoldTable.USER_ACTIVITY) {
      return row.getLong(at);
    }
    InternalArray counts = row.getMap(at).valueArray();
    long events = 0;
    for (int i = 0; i < counts.size(); i++) {
      events += counts.getLong(i);
    }
    return events;
  }

  private static Map<String, String> tags(InternalRow row, int at) {
    if (row.isNullAt(at)) {
      return Map.of();
    }
    InternalMap map = row.getMap(at);
    Map<String, String> tags = new HashMap<>();
    for (int i = 0; i < map.size(); i++) {
      InternalArray values = map.valueArray();
      tags.put(map.keyArray().getString(i).toString(), values.isNullAt(i) ? null : values.getString(i).toString());
    }
    return tags;
  }

  /**
   * Reads, snapshot by snapshot from {@code from}, the rows that each APPEND snapshot added (its
   * delta files) with the given projection; returns the id of the next snapshot to read.
   */
  private static long forEachAddedRow(FileStoreTable table, int[] projection, long from, BiConsumer<org.apache.paimon.Snapshot, InternalRow> action) {
    var snapshots = table.snapshotManager();
    Long earliest = snapshots.earliestSnapshotId();
    Long latest = snapshots.latestSnapshotId();
    if (latest == null) {
      return from;
    }
    for (long id = Math.max(from, earliest); id <= latest; id++) {
      org.apache.paimon.Snapshot snapshot = snapshots.snapshot(id);
      if (snapshot.commitKind() != org.apache.paimon.Snapshot.CommitKind.APPEND) {
        continue;
      }
      List<Split> splits = table.newSnapshotReader().withSnapshot(snapshot).withMode(ScanMode.DELTA).read().splits();
      try (RecordReader<InternalRow> reader = table.newReadBuilder().withProjection(projection).newRead().createReader(splits)) {
        reader.forEachRemaining(row -> action.accept(snapshot, row));
      } catch (IOException e) {
        throw new UncheckedIOException("reading snapshot " + id + " of " + table.name() + " failed", e);
      }
    }
    return latest + 1;
  }
}
