package io.medallion.common.flink;

import io.medallion.common.event.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The record accounting of a stage, as Flink metrics under the operator's group {@code medallion}:
 * {@code recordsIn}, {@code rowsOut} and {@code deadLetters} with an {@code error_code} label (a
 * key-value group, which the Prometheus reporter exports as a label), and {@code deadLetterRateTrips}
 * (windows over {@code dlq.max-rate}, see {@link DeadLetterRateGuard}). For every operator,
 * recordsIn = rowsOut + sum(deadLetters) (+ duplicates dropped, where a stage drops them).
 */
public final class StageMetrics {
  public static final String GROUP = "medallion";
  public static final String RECORDS_IN = "recordsIn";
  public static final String ROWS_OUT = "rowsOut";
  public static final String DEAD_LETTERS = "deadLetters";
  public static final String ERROR_CODE_LABEL = "error_code";
  public static final String DEAD_LETTER_RATE_TRIPS = "deadLetterRateTrips";

  private final Counter recordsIn;
  private final Counter rowsOut;
  private final Map<ErrorCode, Counter> deadLetters = new EnumMap<>(ErrorCode.class);
  private final Counter deadLetterRateTrips;

  public StageMetrics(MetricGroup operatorGroup) {
    MetricGroup group = operatorGroup.addGroup(GROUP);
    recordsIn = group.counter(RECORDS_IN);
    rowsOut = group.counter(ROWS_OUT);
    deadLetterRateTrips = group.counter(DEAD_LETTER_RATE_TRIPS);
    for (ErrorCode code : ErrorCode.values()) {
      deadLetters.put(code, group.addGroup(ERROR_CODE_LABEL, code.name()).counter(DEAD_LETTERS));
    }
  }

  public void recordIn() {
    recordsIn.inc();
  }

  public void rowOut() {
    rowsOut.inc();
  }

  public void deadLetter(ErrorCode code) {
    deadLetters.get(code).inc();
  }

  public void deadLetterRateTrip() {
    deadLetterRateTrips.inc();
  }
}
