package io.medallion.local;

import io.medallion.common.gold.GoldTable;
import java.util.Map;

/** Reading gold rows back, as {@code PaimonReads} gives them, for the demo's and the bench's accounting. */
final class GoldRows {

  private GoldRows() {}

  /** How many silver events a gold row covers. */
  static long events(GoldTable table, Map<String, Object> row) {
    return switch (table) {
      case TRANSACTION_SUMMARY -> (Long) row.get("transaction_count");
      case USER_ACTIVITY -> ((Map<?, ?>) row.get("actions")).values().stream().mapToLong(n -> (Long) n).sum();
      case METRIC_ROLLUP -> (Long) row.get("value_count");
      case SYSTEM_HEALTH -> (Long) row.get("event_count");
    };
  }
}
