package io.medallion.common.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.quality.Condition.EwmaZScore;
import io.medallion.common.quality.Condition.RelativeChange;
import io.medallion.common.quality.Condition.Threshold;
import io.medallion.common.quality.Judgement.Alert;
import io.medallion.common.quality.Judgement.AlertState;
import io.medallion.common.quality.Judgement.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ValueTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CheckJudgeTest {

  private static final long MINUTE = 60_000L;

  /**
   * A check as it would be configured for a noisy series: with alpha 0.1 the variance rests on some
   * 20 windows and is itself noisy, so z = 3 sees a false alarm in some 3 % of 200-window runs of
   * this noise after a 20-window warm-up (9 % after 10 windows, which leaves the first value a
   * third of the mean's weight); z = 4 saw none in 2000 seeds and still catches ±10 % in all.
   */
  private static final QualityCheck NOISY = check(new EwmaZScore(0.1, 4, 20), Severity.FAIL);

  @Test
  void thresholdFailsOutsideItsBoundsAndPassesOnThem() {
    QualityCheck min = check(new Threshold(0.9, null), Severity.FAIL);
    assertJudged(min, 0.9, Status.OK, 0.9, null);
    assertJudged(min, 1.0, Status.OK, 0.9, null);
    assertJudged(min, 0.89, Status.FAIL, 0.9, null);

    QualityCheck max = check(new Threshold(null, 0.05), Severity.WARN);
    assertJudged(max, 0.05, Status.OK, null, 0.05);
    assertJudged(max, 0.0, Status.OK, null, 0.05);
    assertJudged(max, 0.051, Status.WARN, null, 0.05);

    QualityCheck both = check(new Threshold(10.0, 20.0), Severity.FAIL);
    assertJudged(both, 10.0, Status.OK, 10.0, 20.0);
    assertJudged(both, 20.0, Status.OK, 10.0, 20.0);
    assertJudged(both, 9.99, Status.FAIL, 10.0, 20.0);
    assertJudged(both, 20.01, Status.FAIL, 10.0, 20.0);
  }

  @Test
  void relativeChangeCatchesASpikeAndADropInTheirWindow() {
    QualityCheck check = check(new RelativeChange(0.5), Severity.FAIL);
    CheckHistory history = new CheckHistory();
    assertThat(judge(check, history, 100, 1)).isEqualTo(new Judgement(Status.OK, 100, null, null, null));
    assertThat(judge(check, history, 120, 2)).isEqualTo(new Judgement(Status.OK, 120, 50.0, 150.0, null));
    assertThat(judge(check, history, 180, 3)).isEqualTo(new Judgement(Status.OK, 180, 60.0, 180.0, null));
    // +200 %.
    assertThat(judge(check, history, 540, 4))
        .isEqualTo(new Judgement(Status.FAIL, 540, 90.0, 270.0, new Alert(AlertState.FIRING, 4 * MINUTE)));
    // −90 %: judged against the spike, which was folded in.
    assertThat(judge(check, history, 54, 5)).isEqualTo(new Judgement(Status.FAIL, 54, 270.0, 810.0, null));
    assertThat(judge(check, history, 60, 6))
        .isEqualTo(new Judgement(Status.OK, 60, 27.0, 81.0, new Alert(AlertState.RESOLVED, 4 * MINUTE)));
  }

  @Test
  void relativeChangeRangeIsOrderedForNegativeAndEmptyAfterZero() {
    QualityCheck check = check(new RelativeChange(0.5), Severity.WARN);
    CheckHistory history = new CheckHistory();
    judge(check, history, -100, 1);
    Judgement negative = judge(check, history, -60, 2);
    assertThat(List.of(negative.status(), negative.expectedMin(), negative.expectedMax()))
        .containsExactly(Status.OK, -150.0, -50.0);

    judge(check, history, 0, 3);
    Judgement zero = judge(check, history, 0, 4);
    assertThat(List.of(zero.status(), zero.expectedMin(), zero.expectedMax())).containsExactly(Status.OK, 0.0, 0.0);
    assertThat(judge(check, history, 0.001, 5).status()).isEqualTo(Status.WARN);
  }

  @Test
  void ewmaRangeIsMeanPlusMinusZStddevsOfTheHistoryBeforeTheValue() {
    QualityCheck check = check(new EwmaZScore(0.5, 3, 2), Severity.FAIL);
    CheckHistory history = new CheckHistory();
    // Warm-up: two windows are not judged, however far apart.
    assertThat(judge(check, history, 10, 1)).isEqualTo(new Judgement(Status.OK, 10, null, null, null));
    assertThat(judge(check, history, 14, 2)).isEqualTo(new Judgement(Status.OK, 14, null, null, null));
    // mean 10 + 0.5 * 4 = 12, variance 0.5 * (0 + 4 * 2) = 4: 12 ± 3 * 2.
    assertThat(judge(check, history, 18, 3)).isEqualTo(new Judgement(Status.OK, 18, 6.0, 18.0, null));
    // mean 15, variance 0.5 * (4 + 6 * 3) = 11.
    Judgement next = judge(check, history, 15, 4);
    assertThat(List.of(next.expectedMin(), next.expectedMax()))
        .containsExactly(15 - 3 * Math.sqrt(11), 15 + 3 * Math.sqrt(11));
  }

  @Test
  void ewmaOfAConstantSeriesFloorsTheStddevAtOnePercentOfTheMean() {
    QualityCheck check = check(new EwmaZScore(0.1, 3, 5), Severity.FAIL);
    CheckHistory history = new CheckHistory();
    for (int i = 0; i < 10; i++) {
      judge(check, history, 100, i);
    }
    // Variance 0; z = 3 times the floor, 1 % of 100.
    assertThat(judge(check, history, 102, 10)).isEqualTo(new Judgement(Status.OK, 102, 97.0, 103.0, null));
    assertThat(judge(check, history, 104, 11).status()).isEqualTo(Status.FAIL);

    CheckHistory zeros = new CheckHistory();
    for (int i = 0; i < 10; i++) {
      judge(check, zeros, 0, i);
    }
    // At zero the floor is 1e-9: any value but zero is an anomaly.
    assertThat(judge(check, zeros, 0, 10)).isEqualTo(new Judgement(Status.OK, 0, -3 * 1e-9, 3 * 1e-9, null));
    assertThat(judge(check, zeros, 0.001, 11).status()).isEqualTo(Status.FAIL);
  }

  @Test
  void ewmaCatchesASpikeAndADropInTheirWindowAfterWarmUp() {
    for (double outlier : new double[] {1100, 900}) {
      CheckHistory history = new CheckHistory();
      assertThat(judgeAll(NOISY, history, noise(42, 30))).extracting(Judgement::status).containsOnly(Status.OK);
      Judgement judgement = judge(NOISY, history, outlier, 30);
      assertThat(judgement.status()).as("%s", outlier).isEqualTo(Status.FAIL);
      assertThat(judgement.alert()).isEqualTo(new Alert(AlertState.FIRING, 30 * MINUTE));
    }
  }

  @Test
  void ewmaWarmUpSuppressesJudgement() {
    CheckHistory warmingUp = new CheckHistory();
    judgeAll(NOISY, warmingUp, noise(42, 19));
    assertThat(judge(NOISY, warmingUp, 5000, 19)).isEqualTo(new Judgement(Status.OK, 5000, null, null, null));

    CheckHistory warm = new CheckHistory();
    judgeAll(NOISY, warm, noise(42, 20));
    assertThat(judge(NOISY, warm, 5000, 20).status()).isEqualTo(Status.FAIL);
  }

  @Test
  void steadyNoiseRaisesNothing() {
    for (long seed = 0; seed < 100; seed++) {
      List<Judgement> judgements = judgeAll(NOISY, new CheckHistory(), noise(seed, 200));
      assertThat(judgements).as("seed %s", seed).extracting(Judgement::status).containsOnly(Status.OK);
      assertThat(judgements).extracting(Judgement::expectedMin).last().isNotNull();
    }
  }

  @Test
  void alertFiresOnceStaysFiringAndResolvesWithItsFirstFiredAt() {
    QualityCheck check = check(new Threshold(null, 10.0), Severity.WARN);
    CheckHistory history = new CheckHistory();
    assertThat(judge(check, history, 5, 1).alert()).isNull();
    assertThat(judge(check, history, 12, 2)).isEqualTo(new Judgement(Status.WARN, 12, null, 10.0, new Alert(AlertState.FIRING, 2 * MINUTE)));
    assertThat(judge(check, history, 13, 3)).isEqualTo(new Judgement(Status.WARN, 13, null, 10.0, null));
    // No data neither resolves the alert nor lets it fire again.
    assertThat(judge(check, history, Double.NaN, 4)).isEqualTo(new Judgement(Status.OK, Double.NaN, null, null, null));
    assertThat(judge(check, history, 11, 5).alert()).isNull();
    assertThat(judge(check, history, 5, 6)).isEqualTo(new Judgement(Status.OK, 5, null, 10.0, new Alert(AlertState.RESOLVED, 2 * MINUTE)));
    assertThat(judge(check, history, 5, 7).alert()).isNull();
    assertThat(judge(check, history, 20, 8).alert()).isEqualTo(new Alert(AlertState.FIRING, 8 * MINUTE));
  }

  @Test
  void noDataLeavesTheAnomalyHistoryAlone() {
    QualityCheck change = check(new RelativeChange(0.5), Severity.FAIL);
    CheckHistory previous = new CheckHistory();
    judge(change, previous, 100, 1);
    assertThat(judge(change, previous, Double.NaN, 2)).isEqualTo(new Judgement(Status.OK, Double.NaN, null, null, null));
    assertThat(judge(change, previous, 120, 3)).isEqualTo(new Judgement(Status.OK, 120, 50.0, 150.0, null));

    QualityCheck ewma = check(new EwmaZScore(0.5, 3, 2), Severity.FAIL);
    CheckHistory history = new CheckHistory();
    judge(ewma, history, 10, 1);
    judge(ewma, history, Double.NaN, 2);
    assertThat(judge(ewma, history, 14, 3).expectedMin()).isNull();
    assertThat(judge(ewma, history, 18, 4)).isEqualTo(new Judgement(Status.OK, 18, 6.0, 18.0, null));
  }

  @Test
  void historyRoundTripsThroughItsFlinkSerializer() throws Exception {
    CheckHistory fresh = new CheckHistory();
    // NaN (no previous value) is a value here, equal to itself.
    assertThat(roundTrip(fresh)).usingRecursiveComparison().withEqualsForType(Double::equals, Double.class).isEqualTo(fresh);

    CheckHistory history = new CheckHistory();
    history.previous = 0.25;
    history.seen = 42;
    history.mean = 1000.5;
    history.variance = 17.25;
    history.status = Status.FAIL;
    history.firstFiredAt = 1_795_000_000_000L;
    assertThat(roundTrip(history)).usingRecursiveComparison().isEqualTo(history);
  }

  private static void assertJudged(QualityCheck check, double observed, Status status, Double min, Double max) {
    Judgement judgement = judge(check, new CheckHistory(), observed, 1);
    assertThat(List.of(judgement.status(), String.valueOf(judgement.expectedMin()), String.valueOf(judgement.expectedMax())))
        .as("%s judged against %s", observed, check.condition())
        .containsExactly(status, String.valueOf(min), String.valueOf(max));
  }

  private static Judgement judge(QualityCheck check, CheckHistory history, double observed, long minute) {
    return CheckJudge.judge(check, history, observed, minute * MINUTE);
  }

  private static List<Judgement> judgeAll(QualityCheck check, CheckHistory history, List<Double> series) {
    List<Judgement> judgements = new ArrayList<>();
    for (int i = 0; i < series.size(); i++) {
      judgements.add(judge(check, history, series.get(i), i));
    }
    return judgements;
  }

  /** 1000 ± 3 %, uniform. */
  private static List<Double> noise(long seed, int windows) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Double> series = new ArrayList<>();
    for (int i = 0; i < windows; i++) {
      series.add(1000 * (1 + random.nextDouble(-0.03, 0.03)));
    }
    return series;
  }

  private static QualityCheck check(Condition condition, Severity severity) {
    return new QualityCheck("check", Scope.ALL, Metric.RECORD_COUNT, null, condition, Duration.ofMinutes(1), severity);
  }

  /** Through the serializer Flink picks for the type, as keyed state does at a checkpoint. */
  private static CheckHistory roundTrip(CheckHistory history) throws Exception {
    TypeInformation<CheckHistory> info = TypeInformation.of(CheckHistory.class);
    assertThat(info).isInstanceOf(ValueTypeInfo.class);
    TypeSerializer<CheckHistory> serializer = info.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(history, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
