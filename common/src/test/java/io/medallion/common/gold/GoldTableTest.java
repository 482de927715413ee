package io.medallion.common.gold;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.paimon.types.DataField;
import org.junit.jupiter.api.Test;

/** The gold tables are keyed by their dimensions and window start, and ordered dimensions first. */
class GoldTableTest {

  @Test
  void keysRowsByDimensionsAndWindowStart() {
    assertThat(GoldTable.TRANSACTION_SUMMARY.primaryKey()).containsExactly("merchant_id", "currency", "window_start");
    assertThat(GoldTable.SYSTEM_HEALTH.schema().primaryKeys()).containsExactly("service", "level", "window_start");
    assertThat(GoldTable.METRIC_ROLLUP.fields().subList(0, 4))
        .extracting(DataField::name)
        .containsExactly("name", "tags", "window_start", "window_end");
  }
}
