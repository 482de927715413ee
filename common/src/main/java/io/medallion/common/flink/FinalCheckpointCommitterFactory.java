package io.medallion.common.flink;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.streaming.api.graph.StreamConfig;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OperatorAttributes;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.StreamTaskStateInitializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.iceberg.flink.sink.FlinkWriteResult;
import org.apache.iceberg.io.WriteResult;

/**
 * Creates Iceberg's {@code FlinkSink} committer wrapped so that it commits the files its writers
 * flush at their end of input with the next checkpoint, not at its own end of input.
 *
 * <p>Iceberg 1.11's {@code IcebergFilesCommitter} commits everything it holds in {@code endInput()},
 * under checkpoint id {@code Long.MAX_VALUE}, which it writes into the snapshot summary as {@code
 * flink.max-committed-checkpoint-id}. The job's final checkpoint comes later (FLIP-147). If anything
 * fails in between (another operator at its own end of input, a lost TaskManager, a final checkpoint
 * that does not complete), the job restarts from its last checkpoint and replays the tail, and the
 * committer commits it again: on restore it reads {@code Long.MAX_VALUE} back as the last committed
 * checkpoint, so it commits nothing at any checkpoint any more and all of the replayed tail at its
 * next end of input.
 *
 * <p>The wrapper hides the end of input from the committer, keeps the end-of-input results of the
 * writers ({@code FlinkWriteResult}s under {@code Long.MAX_VALUE}) and hands them to the committer
 * under the id of the next checkpoint it snapshots: they go into that checkpoint's state and are
 * committed when it completes, like any other checkpoint's files. After the end of input that is
 * the job's final checkpoint, which Flink completes (and notifies) before the task finishes, or the
 * savepoint of a stop with drain. Files of checkpoints snapshotted but not yet complete stay
 * uncommitted too, instead of going out with the end of input.
 *
 * <p>That needs checkpoints after the end of input: without checkpointing (or with {@code
 * execution.checkpointing.checkpoints-after-tasks-finish} off) the committer gets its end of input
 * as before, and commits then.
 */
final class FinalCheckpointCommitterFactory implements OneInputStreamOperatorFactory<FlinkWriteResult, Void> {
  private static final long serialVersionUID = 1L;

  /** The checkpoint id Iceberg's writers give the files they flush at their end of input. */
  static final long END_INPUT_CHECKPOINT_ID = Long.MAX_VALUE;

  private final StreamOperatorFactory<Void> icebergCommitter;

  FinalCheckpointCommitterFactory(StreamOperatorFactory<Void> icebergCommitter) {
    this.icebergCommitter = icebergCommitter;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends StreamOperator<Void>> T createStreamOperator(StreamOperatorParameters<Void> parameters) {
    OneInputStreamOperator<FlinkWriteResult, Void> committer = icebergCommitter.createStreamOperator(parameters);
    if (!(committer instanceof BoundedOneInput)) {
      throw new IllegalStateException("Iceberg's committer no longer ends its input itself: " + committer);
    }
    // As StreamTask decides whether to wait for a checkpoint after the end of input.
    StreamConfig task = parameters.getContainingTask().getConfiguration();
    boolean finalCheckpoint = task.isCheckpointingEnabled() && task.getConfiguration().get(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH);
    return (T) new FinalCheckpointCommitter(committer, finalCheckpoint);
  }

  @Override
  public void setChainingStrategy(ChainingStrategy strategy) {
    icebergCommitter.setChainingStrategy(strategy);
  }

  @Override
  public ChainingStrategy getChainingStrategy() {
    return icebergCommitter.getChainingStrategy();
  }

  @Override
  public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
    return FinalCheckpointCommitter.class;
  }

  /** Iceberg's committer, with the end of input deferred to the next checkpoint. */
  static final class FinalCheckpointCommitter implements OneInputStreamOperator<FlinkWriteResult, Void>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final OneInputStreamOperator<FlinkWriteResult, Void> committer;
    private final boolean deferEndOfInput;
    private final List<WriteResult> endOfInputResults = new ArrayList<>();

    FinalCheckpointCommitter(OneInputStreamOperator<FlinkWriteResult, Void> committer, boolean deferEndOfInput) {
      this.committer = committer;
      this.deferEndOfInput = deferEndOfInput;
    }

    @Override
    public void processElement(StreamRecord<FlinkWriteResult> element) throws Exception {
      if (deferEndOfInput && element.getValue().checkpointId() == END_INPUT_CHECKPOINT_ID) {
        endOfInputResults.add(element.getValue().writeResult());
      } else {
        committer.processElement(element);
      }
    }

    @Override
    public void endInput() throws Exception {
      if (!deferEndOfInput) {
        ((BoundedOneInput) committer).endInput();
      }
    }

    @Override
    public OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp, CheckpointOptions checkpointOptions, CheckpointStreamFactory storageLocation)
        throws Exception {
      for (WriteResult result : endOfInputResults) {
        committer.processElement(new StreamRecord<>(new FlinkWriteResult(checkpointId, result)));
      }
      endOfInputResults.clear();
      return committer.snapshotState(checkpointId, timestamp, checkpointOptions, storageLocation);
    }

    @Override
    public void initializeState(StreamTaskStateInitializer streamTaskStateManager) throws Exception {
      committer.initializeState(streamTaskStateManager);
    }

    @Override
    public void open() throws Exception {
      committer.open();
    }

    @Override
    public void finish() throws Exception {
      committer.finish();
    }

    @Override
    public void close() throws Exception {
      committer.close();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      committer.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
      committer.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
      committer.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      committer.processWatermark(mark);
    }

    @Override
    public void processWatermark(WatermarkEvent watermark) throws Exception {
      committer.processWatermark(watermark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) throws Exception {
      committer.processWatermarkStatus(watermarkStatus);
    }

    @Override
    public void processLatencyMarker(LatencyMarker latencyMarker) throws Exception {
      committer.processLatencyMarker(latencyMarker);
    }

    @Override
    public void processRecordAttributes(RecordAttributes recordAttributes) throws Exception {
      committer.processRecordAttributes(recordAttributes);
    }

    @Override
    public void setKeyContextElement(StreamRecord<FlinkWriteResult> record) throws Exception {
      committer.setKeyContextElement(record);
    }

    @Override
    public void setKeyContextElement1(StreamRecord<?> record) throws Exception {
      committer.setKeyContextElement1(record);
    }

    @Override
    public void setKeyContextElement2(StreamRecord<?> record) throws Exception {
      committer.setKeyContextElement2(record);
    }

    @Override
    public void setCurrentKey(Object key) {
      committer.setCurrentKey(key);
    }

    @Override
    public Object getCurrentKey() {
      return committer.getCurrentKey();
    }

    @Override
    public OperatorMetricGroup getMetricGroup() {
      return committer.getMetricGroup();
    }

    @Override
    public OperatorID getOperatorID() {
      return committer.getOperatorID();
    }

    @Override
    public OperatorAttributes getOperatorAttributes() {
      return committer.getOperatorAttributes();
    }

    @Override
    public String toString() {
      return "FinalCheckpointCommitter(" + committer + ")";
    }
  }
}
