package io.medallion.common.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerAuditTest {
  /** A topic whose partition 0 holds offsets 0..99 with a transaction marker at 50, partition 1 offsets 0..9. */
  private static final LedgerAudit.KafkaRecords KAFKA =
      (topic, partition, first, last) -> {
        long records = last - first + 1;
        return partition == 0 && first <= 50 && last >= 50 ? records - 1 : records;
      };

  private static LedgerRow row(String step, String upstream, int partition, long first, long last, long read, long written, long dead, long dropped, long forwarded) {
    return new LedgerRow(
        "silver-transform", "run-1", step, upstream, "raw.events", partition, first, last, read, written, dead,
        dead == 0 ? Map.of() : Map.of("MISSING_FIELD", dead), dropped, 0, forwarded);
  }

  @Test
  void balancesWhenTheReadRecordsAreKafkasRangeAndEveryRecordHasOneOutcome() {
    List<LedgerRow> rows =
        List.of(
            // Two checkpoints of validation on partition 0 (99 records: 100 offsets, one marker) ...
            row("validate", null, 0, 0, 49, 50, 0, 2, 0, 48),
            row("validate", null, 0, 51, 99, 49, 0, 1, 0, 48),
            // ... and deduplication of the 96 it forwarded, counted by two subtasks.
            row("dedup", "validate", 0, 0, 99, 60, 58, 0, 2, 0),
            row("dedup", "validate", 0, 3, 98, 36, 36, 0, 0, 0),
            row("validate", null, 1, 0, 9, 10, 0, 0, 0, 10),
            row("dedup", "validate", 1, 0, 9, 10, 10, 0, 0, 0));

    LedgerAudit.Report report = LedgerAudit.reconcile(rows, KAFKA);

    assertThat(report.balanced()).isTrue();
    LedgerAudit.Line first = report.lines().get(0);
    assertThat(List.of(first.inKafka(), first.recordsRead(), first.rowsWritten(), first.deadLettered(), first.duplicatesDropped()))
        .containsExactly(99L, 99L, 94L, 3L, 2L);
    assertThat(first.deadLettersByCode()).isEqualTo(Map.of("MISSING_FIELD", 3L));
  }

  @Test
  void findsRecordsReadTwiceOrNeverAgainstKafka() {
    LedgerAudit.Report report =
        LedgerAudit.reconcile(
            List.of(
                row("validate", null, 0, 0, 99, 100, 0, 0, 0, 100), row("dedup", "validate", 0, 0, 99, 100, 100, 0, 0, 0),
                row("validate", null, 1, 0, 9, 9, 0, 0, 0, 9), row("dedup", "validate", 1, 0, 9, 9, 9, 0, 0, 0)),
            KAFKA);

    assertThat(report.balanced()).isFalse();
    assertThat(report.lines().get(0).problems()).containsExactly("read 100 records, Kafka holds 99 at offsets 0..99");
    assertThat(report.lines().get(1).problems()).containsExactly("read 9 records, Kafka holds 10 at offsets 0..9");
  }

  @Test
  void findsARecordWithoutOutcomeAndForwardedRecordsTheNextStepNeverRead() {
    LedgerAudit.Report report =
        LedgerAudit.reconcile(
            List.of(row("validate", null, 1, 0, 9, 10, 0, 1, 0, 8), row("dedup", "validate", 1, 0, 9, 7, 7, 0, 0, 0)), KAFKA);

    assertThat(report.lines().get(0).problems())
        .containsExactly("validate read 10 records and accounted for 9", "validate forwarded 8 records, its next steps read 7");
  }

  @Test
  void aSourceThatIsNotKafkaIsReconciledWithItselfOnly() {
    LedgerRow gold =
        new LedgerRow("gold-aggregate", "run-2", "event-time-silver.metrics", null, "silver.metrics", Ledger.NO_PARTITION,
            Ledger.NO_OFFSET, Ledger.NO_OFFSET, 30, 28, 0, Map.of(), 0, 2, 0);

    LedgerAudit.Line line = LedgerAudit.reconcile(List.of(gold), (t, p, f, l) -> { throw new AssertionError("no Kafka source"); }).lines().get(0);

    assertThat(line.inKafka()).isNull();
    assertThat(line.balanced()).isTrue();
    assertThat(List.of(line.recordsRead(), line.rowsWritten(), line.late())).containsExactly(30L, 28L, 2L);
  }
}
