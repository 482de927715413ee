package io.medallion.common.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * One committed row of {@code audit.ledger}.
 *
 * @param partition the Kafka partition, or {@link Ledger#NO_PARTITION}
 * @param firstOffset the first offset read, or {@link Ledger#NO_OFFSET}
 * @param lastOffset the last offset read, or {@link Ledger#NO_OFFSET}
 */
public record LedgerRow(
    String job,
    String runId,
    String step,
    String upstreamStep,
    String source,
    int partition,
    long firstOffset,
    long lastOffset,
    long recordsRead,
    long rowsWritten,
    long deadLettered,
    Map<String, Long> deadLettersByCode,
    long duplicatesDropped,
    long late,
    long forwarded) {

  /** Every committed row of the ledger table. */
  public static List<LedgerRow> readAll(Table ledger) {
    ledger.refresh();
    List<LedgerRow> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(ledger).build()) {
      records.forEach(record -> rows.add(of(record)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ledger.name(), e);
    }
    return rows;
  }

  /** Reads a row of the Iceberg table. */
  @SuppressWarnings("unchecked")
  public static LedgerRow of(Record record) {
    Integer partition = (Integer) record.getField("source_partition");
    Long first = (Long) record.getField("first_offset");
    Long last = (Long) record.getField("last_offset");
    return new LedgerRow(
        (String) record.getField("job"),
        (String) record.getField("run_id"),
        (String) record.getField("step"),
        (String) record.getField("upstream_step"),
        (String) record.getField("source"),
        partition == null ? Ledger.NO_PARTITION : partition,
        first == null ? Ledger.NO_OFFSET : first,
        last == null ? Ledger.NO_OFFSET : last,
        (Long) record.getField("records_read"),
        (Long) record.getField("rows_written"),
        (Long) record.getField("dead_lettered"),
        Map.copyOf((Map<String, Long>) record.getField("dead_letters_by_code")),
        (Long) record.getField("duplicates_dropped"),
        (Long) record.getField("late"),
        (Long) record.getField("forwarded"));
  }

  /** The outcomes of the records read: equal to {@link #recordsRead} in a sound row. */
  public long outcomes() {
    return rowsWritten + deadLettered + duplicatesDropped + late + forwarded;
  }
}
