package io.medallion.common.quality;

import io.medallion.common.gold.MetricRollup;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.Value;

/**
 * The counts of one scope in one window, from which every windowed {@link Metric} is computed: a
 * mergeable aggregate, a Flink {@link Value} with an explicit encoding so window state needs no
 * Kryo. Missing-value counts are per field of the profiler's field list, by index.
 */
public final class WindowStats implements Value {
  private static final long serialVersionUID = 1L;

  private long records;
  private long decoded;
  private long valid;
  private long duplicates;
  private long deadLetters;
  private final Map<String, Long> deadLettersByCode = new TreeMap<>();
  private final Map<String, Long> violationsByRule = new TreeMap<>();
  private final Map<Integer, Long> schemaVersions = new TreeMap<>();
  private final Map<Integer, Long> missingByField = new TreeMap<>();
  /** Event-time lag in seconds of decoded records. */
  private MetricRollup lagSeconds = new MetricRollup();

  public void add(RecordProfile profile) {
    if (profile.deadLetter) {
      deadLetters++;
      if (profile.errorCode != null) {
        deadLettersByCode.merge(profile.errorCode, 1L, Long::sum);
      }
      return;
    }
    if (profile.duplicate) {
      duplicates++;
      return;
    }
    records++;
    if (profile.valid) {
      valid++;
    }
    if (profile.violatedRule != null) {
      violationsByRule.merge(profile.violatedRule, 1L, Long::sum);
    }
    if (!profile.decoded()) {
      return;
    }
    decoded++;
    schemaVersions.merge(profile.schemaVersion, 1L, Long::sum);
    lagSeconds.add(profile.lagMillis / 1000.0);
    for (long bits = profile.missingFields; bits != 0; bits &= bits - 1) {
      missingByField.merge(Long.numberOfTrailingZeros(bits), 1L, Long::sum);
    }
  }

  public void merge(WindowStats other) {
    records += other.records;
    decoded += other.decoded;
    valid += other.valid;
    duplicates += other.duplicates;
    deadLetters += other.deadLetters;
    other.deadLettersByCode.forEach((k, v) -> deadLettersByCode.merge(k, v, Long::sum));
    other.violationsByRule.forEach((k, v) -> violationsByRule.merge(k, v, Long::sum));
    other.schemaVersions.forEach((k, v) -> schemaVersions.merge(k, v, Long::sum));
    other.missingByField.forEach((k, v) -> missingByField.merge(k, v, Long::sum));
    lagSeconds.merge(other.lagSeconds);
  }

  public long records() {
    return records;
  }

  /** Everything counted: records, duplicate markers and dead letters. */
  public long profiles() {
    return records + duplicates + deadLetters;
  }

  /**
   * The value of a windowed check's metric, or NaN when the window holds nothing to compute it
   * from (a ratio of no records, a lag of no decoded records). {@code fields} is the profiler's
   * field list, for {@link Metric#MISSING_RATE}. Freshness is not windowed.
   */
  public double value(QualityCheck check, List<String> fields) {
    return switch (check.metric()) {
      // A window exists only when something arrived; one with dead letters and no records says
      // nothing about volume (a silent scope is freshness' concern).
      case RECORD_COUNT -> records == 0 ? Double.NaN : records;
      case VALID_RATIO -> ratio(valid, records);
      case DEAD_LETTER_RATE ->
          ratio(check.parameter() == null ? deadLetters : deadLettersByCode.getOrDefault(check.parameter(), 0L), records);
      case RULE_VIOLATION_RATE -> ratio(violationsByRule.getOrDefault(check.parameter(), 0L), records);
      case MISSING_RATE -> ratio(missingByField.getOrDefault(fieldIndex(check, fields), 0L), decoded);
      case DUPLICATE_RATIO -> ratio(duplicates, records);
      case EVENT_TIME_LAG_P50 -> decoded == 0 ? Double.NaN : lagSeconds.quantile(0.5);
      case EVENT_TIME_LAG_P95 -> decoded == 0 ? Double.NaN : lagSeconds.quantile(0.95);
      case EVENT_TIME_LAG_MAX -> decoded == 0 ? Double.NaN : lagSeconds.max();
      case SCHEMA_VERSION_SHARE -> ratio(schemaVersions.getOrDefault(Integer.parseInt(check.parameter()), 0L), decoded);
      case FRESHNESS -> throw new IllegalArgumentException("freshness is judged by timers, not per window: " + check.name());
    };
  }

  private static int fieldIndex(QualityCheck check, List<String> fields) {
    int index = fields.indexOf(check.parameter());
    if (index < 0) {
      throw new IllegalArgumentException(check.name() + ": the profiler does not track " + check.parameter() + " (tracks " + fields + ")");
    }
    return index;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? Double.NaN : (double) part / whole;
  }

  @Override
  public void write(DataOutputView out) throws IOException {
    out.writeLong(records);
    out.writeLong(decoded);
    out.writeLong(valid);
    out.writeLong(duplicates);
    out.writeLong(deadLetters);
    writeStringCounts(out, deadLettersByCode);
    writeStringCounts(out, violationsByRule);
    writeIntCounts(out, schemaVersions);
    writeIntCounts(out, missingByField);
    lagSeconds.write(out);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    records = in.readLong();
    decoded = in.readLong();
    valid = in.readLong();
    duplicates = in.readLong();
    deadLetters = in.readLong();
    readStringCounts(in, deadLettersByCode);
    readStringCounts(in, violationsByRule);
    readIntCounts(in, schemaVersions);
    readIntCounts(in, missingByField);
    lagSeconds = new MetricRollup();
    lagSeconds.read(in);
  }

  private static void writeStringCounts(DataOutputView out, Map<String, Long> counts) throws IOException {
    out.writeInt(counts.size());
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      out.writeUTF(entry.getKey());
      out.writeLong(entry.getValue());
    }
  }

  private static void readStringCounts(DataInputView in, Map<String, Long> counts) throws IOException {
    counts.clear();
    for (int n = in.readInt(); n > 0; n--) {
      counts.put(in.readUTF(), in.readLong());
    }
  }

  private static void writeIntCounts(DataOutputView out, Map<Integer, Long> counts) throws IOException {
    out.writeInt(counts.size());
    for (Map.Entry<Integer, Long> entry : counts.entrySet()) {
      out.writeInt(entry.getKey());
      out.writeLong(entry.getValue());
    }
  }

  private static void readIntCounts(DataInputView in, Map<Integer, Long> counts) throws IOException {
    counts.clear();
    for (int n = in.readInt(); n > 0; n--) {
      counts.put(in.readInt(), in.readLong());
    }
  }
}
