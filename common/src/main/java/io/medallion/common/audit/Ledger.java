package io.medallion.common.audit;

import io.medallion.common.event.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one step did with each record it read since it last drained, per source partition: every
 * record is counted once as read and once as exactly one outcome. Plain Java: the Flink operators
 * that hold one drain it before each checkpoint barrier (see {@code LedgerOutput}).
 */
public final class Ledger {
  /** Partition and offset of a record that did not come from Kafka (e.g. a Paimon changelog row). */
  public static final int NO_PARTITION = -1;

  public static final long NO_OFFSET = -1;

  private final Map<SourcePartition, LedgerEntry> entries = new LinkedHashMap<>();
  // Steps read long runs from one partition: most records find their entry without hashing.
  private String lastSource;
  private int lastPartition;
  private LedgerEntry last;

  public void written(String source, int partition, long offset) {
    entry(source, partition, offset).rowsWritten++;
  }

  public void deadLettered(String source, int partition, long offset, ErrorCode code) {
    entry(source, partition, offset).deadLettered(code);
  }

  public void duplicateDropped(String source, int partition, long offset) {
    entry(source, partition, offset).duplicatesDropped++;
  }

  public void late(String source, int partition, long offset) {
    entry(source, partition, offset).late++;
  }

  public void forwarded(String source, int partition, long offset) {
    entry(source, partition, offset).forwarded++;
  }

  /** The counts since the last drain, in the order their partitions were first seen; empties the ledger. */
  public List<LedgerEntry> drain() {
    List<LedgerEntry> drained = new ArrayList<>(entries.values());
    entries.clear();
    lastSource = null;
    last = null;
    return drained;
  }

  private LedgerEntry entry(String source, int partition, long offset) {
    LedgerEntry entry;
    if (last != null && partition == lastPartition && (source == lastSource || source.equals(lastSource))) {
      entry = last;
    } else {
      entry = entries.computeIfAbsent(new SourcePartition(source, partition), key -> new LedgerEntry(key.source(), key.partition()));
      lastSource = source;
      lastPartition = partition;
      last = entry;
    }
    entry.read(offset);
    return entry;
  }

  private record SourcePartition(String source, int partition) {
    SourcePartition {
      Objects.requireNonNull(source, "source");
    }
  }
}
