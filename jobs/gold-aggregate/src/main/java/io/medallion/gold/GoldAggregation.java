package io.medallion.gold;

import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.Rejection;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.gold.GroupKey;
import io.medallion.common.gold.MetricRollup;
import io.medallion.common.gold.MetricTags;
import io.medallion.common.gold.SystemHealth;
import io.medallion.common.gold.TransactionSummary;
import io.medallion.common.gold.UserActivity;
import io.medallion.common.silver.SilverTable;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.Value;

/**
 * How one gold table aggregates the rows of its silver table: the group key (the table's
 * dimensions), the aggregate per group and window (one of the mergeable aggregates of {@code
 * common.gold}), and the gold row a window firing writes. The same object is the window's key
 * selector and aggregate function.
 *
 * @param <A> the aggregate, a Flink {@link Value} so window state holds it without Kryo
 */
abstract class GoldAggregation<A extends Value> implements KeySelector<RowData, String>, AggregateFunction<RowData, A, A> {
  private static final long serialVersionUID = 1L;

  private final GoldTable table;
  private final Class<A> aggregateType;

  GoldAggregation(GoldTable table, Class<A> aggregateType) {
    this.table = table;
    this.aggregateType = aggregateType;
  }

  static GoldAggregation<?> of(GoldTable table) {
    return switch (table) {
      case TRANSACTION_SUMMARY -> new Transactions();
      case USER_ACTIVITY -> new Users();
      case METRIC_ROLLUP -> new Metrics();
      case SYSTEM_HEALTH -> new Health();
    };
  }

  GoldTable table() {
    return table;
  }

  Class<A> aggregateType() {
    return aggregateType;
  }

  /** The gold row of one group and window: dimensions, window bounds, then the measures. */
  RowData row(String key, TimeWindow window, A aggregate) {
    List<String> dimensions = GroupKey.dimensions(key);
    Object[] measures = measures(aggregate);
    GenericRowData row = new GenericRowData(dimensions.size() + 2 + measures.length);
    int at = 0;
    for (String dimension : dimensions) {
      row.setField(at++, StringData.fromString(dimension));
    }
    row.setField(at++, TimestampData.fromEpochMillis(window.getStart()));
    row.setField(at++, TimestampData.fromEpochMillis(window.getEnd()));
    for (Object measure : measures) {
      row.setField(at++, measure);
    }
    return row;
  }

  /** The measure columns of the table, in order, as Flink's internal data. */
  abstract Object[] measures(A aggregate);

  /**
   * Why {@code silverRow} cannot be aggregated, or null when it can. Silver's rules keep such rows
   * out, but a row that reaches gold anyway (another writer, an older rule) must become a dead
   * letter: in a window it would fail the job again after every restart.
   */
  Rejection rejection(RowData silverRow) {
    return null;
  }

  abstract void accumulate(A aggregate, RowData silverRow);

  abstract void mergeInto(A into, A other);

  @Override
  public A add(RowData silverRow, A aggregate) {
    accumulate(aggregate, silverRow);
    return aggregate;
  }

  @Override
  public A getResult(A aggregate) {
    return aggregate;
  }

  @Override
  public A merge(A a, A b) {
    mergeInto(a, b);
    return a;
  }

  private static String text(RowData row, int position) {
    return row.getString(position).toString();
  }

  private static DecimalData decimal(BigDecimal value, int precision, int scale) {
    DecimalData decimal = DecimalData.fromBigDecimal(value, precision, scale);
    if (decimal == null) {
      throw new ArithmeticException(value + " does not fit DECIMAL(" + precision + ", " + scale + ")");
    }
    return decimal;
  }

  /** {@code gold.transaction_summary} by (merchant_id, currency). */
  static final class Transactions extends GoldAggregation<TransactionSummary> {
    private static final long serialVersionUID = 1L;
    private static final SilverTable SOURCE = SilverTable.TRANSACTIONS;
    private final int merchant = SOURCE.position("merchant_id");
    private final int currency = SOURCE.position("currency");
    private final int amount = SOURCE.position("amount");
    private final int status = SOURCE.position("status");

    Transactions() {
      super(GoldTable.TRANSACTION_SUMMARY, TransactionSummary.class);
    }

    @Override
    public String getKey(RowData row) {
      return GroupKey.of(text(row, merchant), text(row, currency));
    }

    @Override
    public TransactionSummary createAccumulator() {
      return new TransactionSummary();
    }

    @Override
    void accumulate(TransactionSummary summary, RowData row) {
      summary.add(
          row.getDecimal(amount, SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE).toBigDecimal(), text(row, status));
    }

    @Override
    void mergeInto(TransactionSummary into, TransactionSummary other) {
      into.merge(other);
    }

    @Override
    Object[] measures(TransactionSummary summary) {
      return new Object[] {
        summary.count(),
        decimal(summary.sum(), 38, SilverTable.AMOUNT_SCALE),
        decimal(summary.min(), SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE),
        decimal(summary.max(), SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE),
        summary.declined()
      };
    }
  }

  /** {@code gold.user_activity} by user_id. */
  static final class Users extends GoldAggregation<UserActivity> {
    private static final long serialVersionUID = 1L;
    private static final SilverTable SOURCE = SilverTable.USER_ACTIONS;
    private final int user = SOURCE.position("user_id");
    private final int action = SOURCE.position("action");
    private final int resource = SOURCE.position("resource");

    Users() {
      super(GoldTable.USER_ACTIVITY, UserActivity.class);
    }

    @Override
    public String getKey(RowData row) {
      return GroupKey.of(text(row, user));
    }

    @Override
    public UserActivity createAccumulator() {
      return new UserActivity();
    }

    @Override
    void accumulate(UserActivity activity, RowData row) {
      activity.add(text(row, action), text(row, resource));
    }

    @Override
    void mergeInto(UserActivity into, UserActivity other) {
      into.merge(other);
    }

    @Override
    Object[] measures(UserActivity activity) {
      Map<StringData, Long> actions = new HashMap<>();
      activity.actions().forEach((kind, n) -> actions.put(StringData.fromString(kind), n));
      return new Object[] {new GenericMapData(actions), activity.purchases(), activity.distinctResources()};
    }
  }

  /** {@code gold.metric_rollup} by (name, canonical tags). */
  static final class Metrics extends GoldAggregation<MetricRollup> {
    private static final long serialVersionUID = 1L;
    private static final SilverTable SOURCE = SilverTable.METRICS;
    private final int name = SOURCE.position("name");
    private final int value = SOURCE.position("value");
    private final int tags = SOURCE.position("tags");

    Metrics() {
      super(GoldTable.METRIC_ROLLUP, MetricRollup.class);
    }

    @Override
    public String getKey(RowData row) {
      return GroupKey.of(text(row, name), MetricTags.canonical(tagMap(row)));
    }

    private Map<String, String> tagMap(RowData row) {
      if (row.isNullAt(tags)) {
        return Map.of();
      }
      MapData map = row.getMap(tags);
      Map<String, String> plain = new HashMap<>();
      for (int i = 0; i < map.size(); i++) {
        StringData tagValue = map.valueArray().isNullAt(i) ? null : map.valueArray().getString(i);
        plain.put(map.keyArray().getString(i).toString(), tagValue == null ? null : tagValue.toString());
      }
      return plain;
    }

    @Override
    Rejection rejection(RowData row) {
      double v = row.getDouble(value);
      return Double.isFinite(v)
          ? null
          : Rejection.ofField(ErrorCode.INVALID_FIELD, "value", "value " + v + " is not a finite number: no sum, extreme or percentile holds it");
    }

    @Override
    public MetricRollup createAccumulator() {
      return new MetricRollup();
    }

    @Override
    void accumulate(MetricRollup rollup, RowData row) {
      rollup.add(row.getDouble(value));
    }

    @Override
    void mergeInto(MetricRollup into, MetricRollup other) {
      into.merge(other);
    }

    @Override
    Object[] measures(MetricRollup rollup) {
      return new Object[] {
        rollup.count(), rollup.min(), rollup.max(), rollup.sum(), rollup.quantile(0.5), rollup.quantile(0.95), rollup.quantile(0.99)
      };
    }
  }

  /** {@code gold.system_health} by (service, level). */
  static final class Health extends GoldAggregation<SystemHealth> {
    private static final long serialVersionUID = 1L;
    private static final SilverTable SOURCE = SilverTable.SYSTEM_EVENTS;
    private final int service = SOURCE.position("service");
    private final int level = SOURCE.position("level");

    Health() {
      super(GoldTable.SYSTEM_HEALTH, SystemHealth.class);
    }

    @Override
    public String getKey(RowData row) {
      return GroupKey.of(text(row, service), text(row, level));
    }

    @Override
    public SystemHealth createAccumulator() {
      return new SystemHealth();
    }

    @Override
    void accumulate(SystemHealth health, RowData row) {
      health.add();
    }

    @Override
    void mergeInto(SystemHealth into, SystemHealth other) {
      into.merge(other);
    }

    @Override
    Object[] measures(SystemHealth health) {
      return new Object[] {health.count()};
    }
  }
}
