package io.medallion.common.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ValueTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class AggregatesTest {

  @Test
  void summarizesTransactionsExactlyAndMergesPartialsToTheSameResult() {
    TransactionSummary all = new TransactionSummary();
    TransactionSummary left = new TransactionSummary();
    TransactionSummary right = new TransactionSummary();
    String[][] transactions = {{"0.10", "captured"}, {"0.20", "declined"}, {"1200", "captured"}, {"0.30", "declined"}, {"0", "refunded"}};
    for (int i = 0; i < transactions.length; i++) {
      BigDecimal amount = new BigDecimal(transactions[i][0]);
      all.add(amount, transactions[i][1]);
      (i < 2 ? left : right).add(amount, transactions[i][1]);
    }
    left.merge(right);
    left.merge(new TransactionSummary());
    for (TransactionSummary summary : List.of(all, left)) {
      assertThat(summary.count()).isEqualTo(5);
      assertThat(summary.sum()).isEqualByComparingTo("1200.60");
      assertThat(summary.min()).isEqualByComparingTo("0");
      assertThat(summary.max()).isEqualByComparingTo("1200");
      assertThat(summary.declined()).isEqualTo(2);
    }
    assertThat(new TransactionSummary().min()).isNull();
  }

  @Test
  void countsActionsByKindPurchasesAndDistinctResourcesExactly() {
    UserActivity a = new UserActivity();
    a.add("view", "/p/1");
    a.add("view", "/p/1");
    a.add("purchase", "/p/1");
    UserActivity b = new UserActivity();
    b.add("click", "/p/2");
    b.add("purchase", "/p/3");
    a.merge(b);
    assertThat(a.actions()).isEqualTo(Map.of("view", 2L, "purchase", 2L, "click", 1L));
    assertThat(a.purchases()).isEqualTo(2);
    assertThat(a.distinctResources()).isEqualTo(3);
    assertThat(new UserActivity().purchases()).isZero();
  }

  @Test
  void rollsUpMetricsExactlyAndPercentilesWithinTheStatedRelativeError() {
    SplittableRandom random = new SplittableRandom(3);
    MetricRollup whole = new MetricRollup();
    List<MetricRollup> parts = List.of(new MetricRollup(), new MetricRollup(), new MetricRollup());
    double[] values = new double[20_000];
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      // Long-tailed latencies with some negatives and zeros, as gauges can be.
      values[i] = i % 50 == 0 ? 0 : i % 97 == 0 ? -random.nextDouble(100) : Math.exp(random.nextGaussian() * 1.5 + 4);
      sum += values[i];
      whole.add(values[i]);
      parts.get(i % 3).add(values[i]);
    }
    MetricRollup merged = new MetricRollup();
    parts.forEach(merged::merge);
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    for (MetricRollup rollup : List.of(whole, merged)) {
      assertThat(rollup.count()).isEqualTo(values.length);
      assertThat(rollup.min()).isEqualTo(sorted[0]);
      assertThat(rollup.max()).isEqualTo(sorted[sorted.length - 1]);
      assertThat(rollup.sum()).isCloseTo(sum, within(1e-6 * Math.abs(sum)));
      for (double q : new double[] {0.5, 0.95, 0.99}) {
        double exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
        assertThat(rollup.quantile(q)).as("p%s", q * 100).isCloseTo(exact, within(MetricRollup.RELATIVE_ACCURACY * Math.abs(exact)));
      }
    }
  }

  @Test
  void aSingleValueIsEveryPercentile() {
    MetricRollup one = new MetricRollup();
    one.add(42.5);
    assertThat(List.of(one.quantile(0.5), one.quantile(0.99))).containsOnly(42.5);
    SystemHealth health = new SystemHealth();
    health.add();
    SystemHealth other = new SystemHealth();
    other.add();
    other.add();
    health.merge(other);
    assertThat(health.count()).isEqualTo(3);
  }

  @Test
  void rollsUpEveryFiniteDoubleAndRejectsTheOthers() throws Exception {
    for (double extreme : new double[] {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE}) {
      MetricRollup one = new MetricRollup();
      one.add(extreme);
      assertThat(List.of(one.min(), one.max(), one.sum(), one.quantile(0.5), one.quantile(0.99))).as("%s", extreme).containsOnly(extreme);
    }
    // Beyond the sketch's own range: the percentiles of the two largest doubles stay within 2 %.
    MetricRollup large = new MetricRollup();
    large.add(Double.MAX_VALUE);
    large.add(Double.MAX_VALUE / 2);
    large.add(1.0);
    MetricRollup largeCopy = roundTrip(large, MetricRollup.class);
    assertThat(List.of(largeCopy.count(), largeCopy.min(), largeCopy.max())).containsExactly(3L, 1.0, Double.MAX_VALUE);
    assertThat(largeCopy.quantile(0.5)).isCloseTo(Double.MAX_VALUE / 2, within(0.01 * Double.MAX_VALUE / 2));
    assertThat(largeCopy.quantile(1.0)).isCloseTo(Double.MAX_VALUE, within(0.02 * Double.MAX_VALUE));

    for (double notFinite : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      MetricRollup rollup = new MetricRollup();
      rollup.add(1.0);
      assertThatThrownBy(() -> rollup.add(notFinite)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Double.toString(notFinite));
      assertThat(List.of(rollup.count(), rollup.min(), rollup.max(), rollup.sum())).as("%s", notFinite).containsExactly(1L, 1.0, 1.0, 1.0);
    }
  }

  @Test
  void everyAggregateIsAFlinkValueAndSurvivesItsStateSerializer() throws Exception {
    TransactionSummary summary = new TransactionSummary();
    summary.add(new BigDecimal("12.3400"), "declined");
    summary.add(new BigDecimal("-0.01"), "captured");
    TransactionSummary summaryCopy = roundTrip(summary, TransactionSummary.class);
    assertThat(List.of(summaryCopy.count(), summaryCopy.declined())).containsExactly(2L, 1L);
    assertThat(List.of(summaryCopy.sum(), summaryCopy.min(), summaryCopy.max()))
        .containsExactly(new BigDecimal("12.3300"), new BigDecimal("-0.01"), new BigDecimal("12.3400"));
    assertThat(roundTrip(new TransactionSummary(), TransactionSummary.class).min()).isNull();

    UserActivity activity = new UserActivity();
    activity.add("view", "/p/\uD83D\uDE00".repeat(30_000));
    activity.add("purchase", "/p/1");
    UserActivity activityCopy = roundTrip(activity, UserActivity.class);
    assertThat(activityCopy.actions()).isEqualTo(Map.of("view", 1L, "purchase", 1L));
    assertThat(activityCopy.distinctResources()).isEqualTo(2);
    activityCopy.add("view", "/p/1");
    assertThat(activityCopy.distinctResources()).isEqualTo(2);

    MetricRollup rollup = new MetricRollup();
    for (int i = 1; i <= 1000; i++) {
      rollup.add(i * 0.5);
    }
    MetricRollup rollupCopy = roundTrip(rollup, MetricRollup.class);
    assertThat(List.of(rollupCopy.count(), rollupCopy.min(), rollupCopy.max(), rollupCopy.sum()))
        .containsExactly(1000L, 0.5, 500.0, 250_250.0);
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      assertThat(rollupCopy.quantile(q)).isEqualTo(rollup.quantile(q));
    }

    SystemHealth health = new SystemHealth();
    health.add();
    assertThat(roundTrip(health, SystemHealth.class).count()).isEqualTo(1);
  }

  /** Through the serializer Flink picks for the type, as window state does at a checkpoint. */
  private static <T> T roundTrip(T value, Class<T> type) throws Exception {
    TypeInformation<T> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(ValueTypeInfo.class);
    TypeSerializer<T> serializer = info.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(serializer.copy(copy)).isNotSameAs(copy);
    return copy;
  }
}
