package io.medallion.common.audit;

import io.medallion.common.event.ErrorCode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The counts of one step for one source partition between two drains of its {@link Ledger}. Every
 * record read has exactly one outcome, so {@code recordsRead = rowsWritten + deadLettered +
 * duplicatesDropped + late + forwarded} holds by construction; the audit checks it again on what
 * was committed.
 */
public final class LedgerEntry {
  private final String source;
  private final int partition;
  long firstOffset = Ledger.NO_OFFSET;
  long lastOffset = Ledger.NO_OFFSET;
  long recordsRead;
  long rowsWritten;
  long duplicatesDropped;
  long late;
  long forwarded;
  private final Map<ErrorCode, Long> deadLetters = new EnumMap<>(ErrorCode.class);

  LedgerEntry(String source, int partition) {
    this.source = source;
    this.partition = partition;
  }

  void read(long offset) {
    recordsRead++;
    if (offset != Ledger.NO_OFFSET) {
      firstOffset = firstOffset == Ledger.NO_OFFSET ? offset : Math.min(firstOffset, offset);
      lastOffset = Math.max(lastOffset, offset);
    }
  }

  void deadLettered(ErrorCode code) {
    deadLetters.merge(code, 1L, Long::sum);
  }

  public String source() {
    return source;
  }

  /** The Kafka partition, or {@link Ledger#NO_PARTITION}. */
  public int partition() {
    return partition;
  }

  /** The smallest offset read, or {@link Ledger#NO_OFFSET}. */
  public long firstOffset() {
    return firstOffset;
  }

  /** The largest offset read, or {@link Ledger#NO_OFFSET}. */
  public long lastOffset() {
    return lastOffset;
  }

  public long recordsRead() {
    return recordsRead;
  }

  public long rowsWritten() {
    return rowsWritten;
  }

  public long deadLettered() {
    return deadLetters.values().stream().mapToLong(Long::longValue).sum();
  }

  public Map<ErrorCode, Long> deadLettersByCode() {
    return Collections.unmodifiableMap(deadLetters);
  }

  public long duplicatesDropped() {
    return duplicatesDropped;
  }

  public long late() {
    return late;
  }

  public long forwarded() {
    return forwarded;
  }
}
