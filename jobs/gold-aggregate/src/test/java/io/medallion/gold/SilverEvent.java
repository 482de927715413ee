package io.medallion.gold;

import io.medallion.common.silver.SilverTable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericMap;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.Timestamp;

/**
 * An event as a silver table holds it, for tests that write silver directly: the table, the event
 * number (its id and source offset) and time, and the payload columns by name as plain Java values (String, BigDecimal, Double,
 * Map of String to String). The other envelope columns get fixed values.
 */
record SilverEvent(SilverTable table, int n, Instant time, Map<String, Object> payload) {

  /** The event id of event number {@code n}; {@code n} is also its raw record's offset. */
  String id() {
    return String.format("00000000-0000-4000-8000-%012d", n);
  }

  static SilverEvent transaction(int n, Instant time, String merchant, String currency, String amount, String status) {
    return new SilverEvent(
        SilverTable.TRANSACTIONS,
        n,
        time,
        Map.of(
            "transaction_id", "t-" + n, "account_id", "a-1", "currency", currency, "amount", new BigDecimal(amount).setScale(SilverTable.AMOUNT_SCALE),
            "merchant_id", merchant, "status", status));
  }

  static SilverEvent userAction(int n, Instant time, String user, String action, String resource) {
    return new SilverEvent(SilverTable.USER_ACTIONS, n, time, Map.of("user_id", user, "action", action, "resource", resource));
  }

  static SilverEvent metric(int n, Instant time, String name, double value, Map<String, String> tags) {
    Map<String, Object> payload = new HashMap<>(Map.of("name", name, "value", value));
    if (tags != null) {
      payload.put("tags", tags);
    }
    return new SilverEvent(SilverTable.METRICS, n, time, payload);
  }

  static SilverEvent system(int n, Instant time, String service, String level) {
    return new SilverEvent(SilverTable.SYSTEM_EVENTS, n, time, Map.of("service", service, "level", level, "message", "m " + n));
  }

  String text(String column) {
    return (String) payload.get(column);
  }

  /** The row in Paimon's internal format, as silver-transform writes it. */
  GenericRow toPaimonRow() {
    GenericRow row = new GenericRow(table.rowType().getFieldCount());
    row.setField(SilverTable.EVENT_DATE, (int) time.atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay());
    row.setField(SilverTable.EVENT_ID, BinaryString.fromString(id()));
    row.setField(SilverTable.EVENT_TIME, Timestamp.fromEpochMillis(time.toEpochMilli()));
    row.setField(SilverTable.SOURCE_SYSTEM, BinaryString.fromString("it"));
    row.setField(SilverTable.SCHEMA_VERSION, 1);
    row.setField(SilverTable.SOURCE_TOPIC, BinaryString.fromString("raw.it"));
    row.setField(SilverTable.SOURCE_PARTITION, 0);
    row.setField(SilverTable.SOURCE_OFFSET, (long) n);
    payload.forEach((column, value) -> row.setField(table.position(column), internal(value)));
    return row;
  }

  private static Object internal(Object value) {
    if (value instanceof String s) {
      return BinaryString.fromString(s);
    }
    if (value instanceof BigDecimal d) {
      return Decimal.fromBigDecimal(d, SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE);
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> internal = new HashMap<>();
      map.forEach((k, v) -> internal.put(internal(k), v == null ? null : internal(v)));
      return new GenericMap(internal);
    }
    return value;
  }
}
