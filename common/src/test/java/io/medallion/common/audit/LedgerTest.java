package io.medallion.common.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.event.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerTest {

  private static String describe(LedgerEntry e) {
    return e.source() + "/" + e.partition() + " @" + e.firstOffset() + ".." + e.lastOffset() + " read=" + e.recordsRead()
        + " written=" + e.rowsWritten() + " dead=" + e.deadLettered() + " dropped=" + e.duplicatesDropped() + " late=" + e.late()
        + " forwarded=" + e.forwarded();
  }

  @Test
  void countsEachRecordOnceAsReadAndOnceAsItsOutcomePerSourcePartition() {
    Ledger ledger = new Ledger();
    ledger.written("raw.a", 0, 10);
    ledger.deadLettered("raw.a", 1, 4, ErrorCode.MALFORMED_JSON);
    ledger.written("raw.a", 0, 12);
    ledger.deadLettered("raw.a", 0, 11, ErrorCode.MISSING_FIELD);
    ledger.duplicateDropped("raw.b", 0, 3);
    ledger.forwarded("raw.a", 1, 5);
    ledger.late("silver.metrics", Ledger.NO_PARTITION, Ledger.NO_OFFSET);
    ledger.deadLettered("raw.a", 0, 9, ErrorCode.MISSING_FIELD);

    List<LedgerEntry> entries = ledger.drain();

    assertThat(entries.stream().map(LedgerTest::describe))
        .containsExactly(
            "raw.a/0 @9..12 read=4 written=2 dead=2 dropped=0 late=0 forwarded=0",
            "raw.a/1 @4..5 read=2 written=0 dead=1 dropped=0 late=0 forwarded=1",
            "raw.b/0 @3..3 read=1 written=0 dead=0 dropped=1 late=0 forwarded=0",
            "silver.metrics/-1 @-1..-1 read=1 written=0 dead=0 dropped=0 late=1 forwarded=0");
    assertThat(entries.get(0).deadLettersByCode()).isEqualTo(Map.of(ErrorCode.MISSING_FIELD, 2L));
  }

  @Test
  void drainingEmptiesTheLedgerSoTheNextCheckpointCountsOnlyNewRecords() {
    Ledger ledger = new Ledger();
    ledger.written("raw.a", 0, 1);
    ledger.drain();

    assertThat(ledger.drain()).isEmpty();
    ledger.written("raw.a", 0, 2);
    assertThat(ledger.drain().stream().map(LedgerTest::describe)).containsExactly("raw.a/0 @2..2 read=1 written=1 dead=0 dropped=0 late=0 forwarded=0");
  }

  @Test
  void aTopicNameEqualToTheLastOneButNotTheSameObjectFindsTheSameEntry() {
    Ledger ledger = new Ledger();
    ledger.written(new String("raw.a"), 0, 1);
    ledger.written(new String("raw.a"), 0, 2);

    assertThat(ledger.drain()).hasSize(1);
  }
}
