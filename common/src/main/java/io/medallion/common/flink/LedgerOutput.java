package io.medallion.common.flink;

import io.medallion.common.audit.Ledger;
import io.medallion.common.audit.LedgerEntry;
import io.medallion.common.audit.LedgerTable;
import io.medallion.common.event.ErrorCode;
import java.io.Serializable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * Turns a step's {@link Ledger} into {@code audit.ledger} rows on the side output {@link #TAG}.
 * Audited operators drain it in {@code prepareSnapshotPreBarrier}, before the barrier leaves them,
 * so the rows counting the records before checkpoint N reach the ledger sink before barrier N and
 * are committed by checkpoint N together with what they count: after a restore the records are
 * read again and counted again, and nothing counted is lost or counted twice. Bounded input drains
 * a last time at its end.
 */
public final class LedgerOutput implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<RowData> TAG = new OutputTag<>("audit-ledger", InternalTypeInfo.of(LedgerTable.ROW_TYPE));

  private final String job;
  private final String step;
  private final String upstreamStep;
  private transient StringData runId;
  private transient int subtask;

  /**
   * @param job the job's name
   * @param step the uid of the operator that counts
   * @param upstreamStep the uid of the step whose forwarded records this one reads, or null when it reads the job's source
   */
  public LedgerOutput(String job, String step, String upstreamStep) {
    this.job = job;
    this.step = step;
    this.upstreamStep = upstreamStep;
  }

  public void open(RuntimeContext context) {
    runId = StringData.fromString(context.getJobInfo().getJobId().toString());
    subtask = context.getTaskInfo().getIndexOfThisSubtask();
  }

  /**
   * Emits one row per source partition counted since the last drain.
   *
   * @param checkpointId the checkpoint the rows go with, or null at the end of bounded input
   */
  public void drain(Ledger ledger, Output<?> output, Long checkpointId) {
    TimestampData recordedAt = TimestampData.fromInstant(Instant.now());
    for (LedgerEntry entry : ledger.drain()) {
      output.collect(TAG, new StreamRecord<>(row(entry, checkpointId, recordedAt)));
    }
  }

  private RowData row(LedgerEntry entry, Long checkpointId, TimestampData recordedAt) {
    Map<StringData, Long> byCode = new HashMap<>();
    for (Map.Entry<ErrorCode, Long> code : entry.deadLettersByCode().entrySet()) {
      byCode.put(StringData.fromString(code.getKey().name()), code.getValue());
    }
    boolean kafka = entry.partition() != Ledger.NO_PARTITION;
    boolean offsets = entry.firstOffset() != Ledger.NO_OFFSET;
    return GenericRowData.of(
        StringData.fromString(job),
        runId,
        checkpointId,
        StringData.fromString(step),
        upstreamStep == null ? null : StringData.fromString(upstreamStep),
        subtask,
        recordedAt,
        StringData.fromString(entry.source()),
        kafka ? entry.partition() : null,
        offsets ? entry.firstOffset() : null,
        offsets ? entry.lastOffset() : null,
        entry.recordsRead(),
        entry.rowsWritten(),
        entry.deadLettered(),
        new GenericMapData(byCode),
        entry.duplicatesDropped(),
        entry.late(),
        entry.forwarded());
  }
}
