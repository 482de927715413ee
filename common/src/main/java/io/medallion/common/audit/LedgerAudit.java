package io.medallion.common.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reconciles the committed {@code audit.ledger} of every job run, per source partition:
 *
 * <ol>
 *   <li>the records the run read from a Kafka partition are exactly the records Kafka holds between
 *       the first and the last offset it read (transaction markers and aborted records excluded);
 *   <li>every record read has one outcome: {@code read = written + dead-lettered + dropped + late}
 *       (+ forwarded to the job's next step);
 *   <li>every record a step forwarded was read by the next step, once.
 * </ol>
 *
 * Plain Java: the Kafka side comes in as a {@link KafkaRecords} function.
 */
public final class LedgerAudit {

  /** How many records a Kafka partition holds in an offset range, both ends included, as a read_committed consumer sees them. */
  @FunctionalInterface
  public interface KafkaRecords {
    long count(String topic, int partition, long firstOffset, long lastOffset);
  }

  private LedgerAudit() {}

  public static Report reconcile(Collection<LedgerRow> rows, KafkaRecords kafka) {
    Map<PartitionKey, List<LedgerRow>> byPartition =
        rows.stream().collect(Collectors.groupingBy(PartitionKey::of, TreeMap::new, Collectors.toList()));
    List<Line> lines = new ArrayList<>();
    for (Map.Entry<PartitionKey, List<LedgerRow>> group : byPartition.entrySet()) {
      lines.add(line(group.getKey(), group.getValue(), kafka));
    }
    return new Report(lines);
  }

  private static Line line(PartitionKey key, List<LedgerRow> rows, KafkaRecords kafka) {
    List<String> problems = new ArrayList<>();
    List<LedgerRow> fromSource = rows.stream().filter(r -> r.upstreamStep() == null).toList();
    long read = sum(fromSource, LedgerRow::recordsRead);
    long first = fromSource.stream().mapToLong(LedgerRow::firstOffset).filter(o -> o != Ledger.NO_OFFSET).min().orElse(Ledger.NO_OFFSET);
    long last = fromSource.stream().mapToLong(LedgerRow::lastOffset).max().orElse(Ledger.NO_OFFSET);
    Long inKafka = null;
    if (key.partition() != Ledger.NO_PARTITION && first != Ledger.NO_OFFSET) {
      inKafka = kafka.count(key.source(), key.partition(), first, last);
      if (inKafka != read) {
        problems.add("read " + read + " records, Kafka holds " + inKafka + " at offsets " + first + ".." + last);
      }
    }
    for (LedgerRow row : rows) {
      if (row.recordsRead() != row.outcomes()) {
        problems.add(row.step() + " read " + row.recordsRead() + " records and accounted for " + row.outcomes());
      }
    }
    Map<String, Long> forwardedBy = new TreeMap<>();
    Map<String, Long> readFrom = new TreeMap<>();
    for (LedgerRow row : rows) {
      if (row.forwarded() > 0) {
        forwardedBy.merge(row.step(), row.forwarded(), Long::sum);
      }
      if (row.upstreamStep() != null) {
        readFrom.merge(row.upstreamStep(), row.recordsRead(), Long::sum);
      }
    }
    for (String step : union(forwardedBy.keySet(), readFrom.keySet())) {
      long forwarded = forwardedBy.getOrDefault(step, 0L);
      long readDownstream = readFrom.getOrDefault(step, 0L);
      if (forwarded != readDownstream) {
        problems.add(step + " forwarded " + forwarded + " records, its next steps read " + readDownstream);
      }
    }
    Map<String, Long> byCode = new TreeMap<>();
    rows.forEach(r -> r.deadLettersByCode().forEach((code, n) -> byCode.merge(code, n, Long::sum)));
    return new Line(
        key,
        first,
        last,
        inKafka,
        read,
        sum(rows, LedgerRow::rowsWritten),
        sum(rows, LedgerRow::deadLettered),
        byCode,
        sum(rows, LedgerRow::duplicatesDropped),
        sum(rows, LedgerRow::late),
        problems);
  }

  private static List<String> union(Collection<String> a, Collection<String> b) {
    TreeMap<String, Boolean> all = new TreeMap<>();
    a.forEach(s -> all.put(s, true));
    b.forEach(s -> all.put(s, true));
    return List.copyOf(all.keySet());
  }

  private static long sum(List<LedgerRow> rows, Function<LedgerRow, Long> field) {
    return rows.stream().mapToLong(field::apply).sum();
  }

  /** A job run's source partition: a Kafka topic partition, or a table ({@link Ledger#NO_PARTITION}). */
  public record PartitionKey(String job, String runId, String source, int partition) implements Comparable<PartitionKey> {
    static PartitionKey of(LedgerRow row) {
      return new PartitionKey(row.job(), row.runId(), row.source(), row.partition());
    }

    @Override
    public int compareTo(PartitionKey o) {
      int c = job.compareTo(o.job);
      c = c != 0 ? c : runId.compareTo(o.runId);
      c = c != 0 ? c : source.compareTo(o.source);
      return c != 0 ? c : Integer.compare(partition, o.partition);
    }
  }

  /**
   * The reconciliation of one partition.
   *
   * @param inKafka the records Kafka holds in the offsets read, or null when the source is not Kafka
   * @param problems empty when balanced
   */
  public record Line(
      PartitionKey key,
      long firstOffset,
      long lastOffset,
      Long inKafka,
      long recordsRead,
      long rowsWritten,
      long deadLettered,
      Map<String, Long> deadLettersByCode,
      long duplicatesDropped,
      long late,
      List<String> problems) {

    public boolean balanced() {
      return problems.isEmpty();
    }
  }

  /** Every partition's line; balanced when each is. */
  public record Report(List<Line> lines) {
    public boolean balanced() {
      return lines.stream().allMatch(Line::balanced);
    }

    /** The lines of one job, in partition order. */
    public List<Line> of(String job) {
      return lines.stream().filter(l -> l.key().job().equals(job)).toList();
    }
  }
}
