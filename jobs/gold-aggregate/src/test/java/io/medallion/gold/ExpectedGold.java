package io.medallion.gold;

import io.medallion.common.gold.EventTimeWindows;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.gold.MetricRollup;
import io.medallion.common.gold.MetricTags;
import io.medallion.common.silver.SilverTable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The gold rows that a list of events must give, computed directly from the events with plain
 * Java: group by the table's dimensions and window, then count, sum, min and max. Percentiles come
 * from a {@link MetricRollup} over the window's values (its accuracy against exact quantiles is
 * tested in common), so they compare exactly.
 */
final class ExpectedGold {

  private ExpectedGold() {}

  /** The rows of every window whose end the watermark has passed, as {@code PaimonReads} gives them. */
  static Map<GoldTable, List<Map<String, Object>>> rows(List<SilverEvent> counted, Duration windowSize, Instant watermark) {
    Map<GoldTable, List<Map<String, Object>>> rows = new EnumMap<>(GoldTable.class);
    for (GoldTable table : GoldTable.values()) {
      Map<List<Object>, List<SilverEvent>> groups =
          counted.stream()
              .filter(e -> e.table() == table.source())
              .filter(e -> !EventTimeWindows.end(e.time(), windowSize).minusMillis(1).isAfter(watermark))
              .collect(Collectors.groupingBy(e -> groupOf(table, e, windowSize), LinkedHashMap::new, Collectors.toList()));
      List<Map<String, Object>> tableRows = new ArrayList<>();
      groups.forEach((group, events) -> tableRows.add(row(table, group, events, windowSize)));
      rows.put(table, tableRows);
    }
    return rows;
  }

  private static List<Object> groupOf(GoldTable table, SilverEvent e, Duration windowSize) {
    List<Object> group = new ArrayList<>(dimensions(table, e).values());
    group.add(EventTimeWindows.start(e.time(), windowSize));
    return group;
  }

  private static Map<String, Object> dimensions(GoldTable table, SilverEvent e) {
    Map<String, Object> dims = new LinkedHashMap<>();
    switch (table) {
      case TRANSACTION_SUMMARY -> {
        dims.put("merchant_id", e.text("merchant_id"));
        dims.put("currency", e.text("currency"));
      }
      case USER_ACTIVITY -> dims.put("user_id", e.text("user_id"));
      case METRIC_ROLLUP -> {
        dims.put("name", e.text("name"));
        @SuppressWarnings("unchecked")
        Map<String, String> tags = (Map<String, String>) e.payload().get("tags");
        dims.put("tags", MetricTags.canonical(tags));
      }
      case SYSTEM_HEALTH -> {
        dims.put("service", e.text("service"));
        dims.put("level", e.text("level"));
      }
    }
    return dims;
  }

  private static Map<String, Object> row(GoldTable table, List<Object> group, List<SilverEvent> events, Duration windowSize) {
    Map<String, Object> row = new LinkedHashMap<>(dimensions(table, events.get(0)));
    Instant start = (Instant) group.get(group.size() - 1);
    row.put("window_start", start);
    row.put("window_end", start.plus(windowSize));
    switch (table) {
      case TRANSACTION_SUMMARY -> {
        List<BigDecimal> amounts = events.stream().map(e -> (BigDecimal) e.payload().get("amount")).toList();
        row.put("transaction_count", (long) events.size());
        row.put("amount_sum", amounts.stream().reduce(BigDecimal.ZERO, BigDecimal::add).setScale(SilverTable.AMOUNT_SCALE));
        row.put("amount_min", amounts.stream().min(Comparator.naturalOrder()).orElseThrow());
        row.put("amount_max", amounts.stream().max(Comparator.naturalOrder()).orElseThrow());
        row.put("declined_count", events.stream().filter(e -> "declined".equals(e.text("status"))).count());
      }
      case USER_ACTIVITY -> {
        Map<Object, Object> actions = new HashMap<>(new TreeMap<>(events.stream().collect(Collectors.groupingBy(e -> e.text("action"), Collectors.counting()))));
        row.put("actions", actions);
        row.put("purchases", events.stream().filter(e -> "purchase".equals(e.text("action"))).count());
        row.put("distinct_resources", events.stream().map(e -> e.text("resource")).distinct().count());
      }
      case METRIC_ROLLUP -> {
        List<Double> values = events.stream().map(e -> (Double) e.payload().get("value")).toList();
        MetricRollup sketch = new MetricRollup();
        values.forEach(sketch::add);
        row.put("value_count", (long) values.size());
        row.put("value_min", values.stream().min(Comparator.naturalOrder()).orElseThrow());
        row.put("value_max", values.stream().max(Comparator.naturalOrder()).orElseThrow());
        // Added one by one, as gold does: DoubleStream.sum compensates rounding and can differ in
        // the last bit (302.43 + 101.66). Equal to gold's whenever the order cannot matter (at most
        // two values in a window, or values exact in binary).
        row.put("value_sum", values.stream().reduce(0.0, Double::sum));
        row.put("p50", sketch.quantile(0.5));
        row.put("p95", sketch.quantile(0.95));
        row.put("p99", sketch.quantile(0.99));
      }
      case SYSTEM_HEALTH -> row.put("event_count", (long) events.size());
    }
    return row;
  }

  /** Which events are counted and which are late, given the watermark gold had seen before each batch. */
  static Map<Boolean, List<SilverEvent>> partitionLate(List<List<SilverEvent>> batches, List<Instant> watermarkBefore, Duration size, Duration lateness) {
    Map<Boolean, List<SilverEvent>> byLate = new HashMap<>(Map.of(true, new ArrayList<>(), false, new ArrayList<>()));
    for (int i = 0; i < batches.size(); i++) {
      Instant watermark = watermarkBefore.get(i);
      for (SilverEvent e : batches.get(i)) {
        byLate.get(watermark != null && EventTimeWindows.isLate(e.time(), watermark, size, lateness)).add(e);
      }
    }
    return byLate;
  }
}
