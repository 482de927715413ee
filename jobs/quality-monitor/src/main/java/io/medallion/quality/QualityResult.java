package io.medallion.quality;

import io.medallion.common.quality.Judgement;
import io.medallion.common.quality.QualityCheck;
import io.medallion.common.quality.QualityMetricsTable;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * One check judged over one window of one scope: a row of {@code quality.metrics}, and an alert
 * when the judgement changed the check's alert state. A Flink POJO.
 */
public class QualityResult {
  public String check;
  public String metric;
  public String scope;
  public long windowStart;
  public long windowEnd;
  /** Null when the window held nothing to compute the metric from. */
  public Double observed;
  public Double expectedMin;
  public Double expectedMax;
  /** ok, warn or fail. */
  public String status;
  public String severity;
  /** firing or resolved when this window changed the alert state, else null. */
  public String alert;
  /** When the alert this window fired or resolved first fired, epoch millis. */
  public long firstFiredAt;

  public QualityResult() {}

  static QualityResult of(QualityCheck check, String scope, long windowStart, long windowEnd, Judgement judgement) {
    QualityResult result = new QualityResult();
    result.check = check.name();
    result.metric = check.metric().id();
    result.scope = scope;
    result.windowStart = windowStart;
    result.windowEnd = windowEnd;
    result.observed = Double.isNaN(judgement.observed()) ? null : judgement.observed();
    result.expectedMin = judgement.expectedMin();
    result.expectedMax = judgement.expectedMax();
    result.status = judgement.status().id();
    result.severity = check.severity().id();
    if (judgement.alert() != null) {
      result.alert = judgement.alert().state().name().toLowerCase(java.util.Locale.ROOT);
      result.firstFiredAt = judgement.alert().firstFiredAt();
    }
    return result;
  }

  public boolean changesAlert() {
    return alert != null;
  }

  /** The row of {@code quality.metrics}. */
  public RowData toRow() {
    GenericRowData row = new GenericRowData(QualityMetricsTable.ROW_TYPE.getFieldCount());
    row.setField(QualityMetricsTable.CHECK, StringData.fromString(check));
    row.setField(QualityMetricsTable.METRIC, StringData.fromString(metric));
    row.setField(QualityMetricsTable.SCOPE, StringData.fromString(scope));
    row.setField(QualityMetricsTable.WINDOW_START, TimestampData.fromEpochMillis(windowStart));
    row.setField(QualityMetricsTable.WINDOW_END, TimestampData.fromEpochMillis(windowEnd));
    row.setField(QualityMetricsTable.OBSERVED, observed);
    row.setField(QualityMetricsTable.EXPECTED_MIN, expectedMin);
    row.setField(QualityMetricsTable.EXPECTED_MAX, expectedMax);
    row.setField(QualityMetricsTable.STATUS, StringData.fromString(status));
    row.setField(QualityMetricsTable.SEVERITY, StringData.fromString(severity));
    return row;
  }
}
