package io.medallion.common.flink;

import io.medallion.common.audit.LedgerTable;
import io.medallion.common.config.JobConfig;
import io.medallion.common.iceberg.IcebergCatalogs;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.transformations.PhysicalTransformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;
import org.apache.iceberg.flink.sink.FlinkWriteResult;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.flink.FlinkConnectorOptions;
import org.apache.paimon.flink.sink.FlinkSinkBuilder;
import org.apache.paimon.table.Table;

/**
 * Sink appliers: what a topology method receives for each of its outputs. Production passes these;
 * tests pass the same, or wrap them (e.g. to inject a failure before the sink).
 */
public final class LakeSinks {

  private LakeSinks() {}

  /**
   * Appends to an Iceberg table with Iceberg's {@code FlinkSink}, committing once per checkpoint.
   * The uid prefix must never change: Iceberg's exactly-once restore matches committer state and
   * snapshot summaries by it. Unbounded input stays chained to the writers (no shuffle).
   *
   * <p>The committer is Iceberg's, wrapped ({@link FinalCheckpointCommitterFactory}) so that it
   * commits the files flushed at the end of input with the next checkpoint (the job's final one)
   * instead of at its own end of input: Iceberg 1.11 commits there under checkpoint id {@code
   * Long.MAX_VALUE} before the job is done, and a failure in between made the restarted job commit
   * the replayed tail again (QualityChaosITCase, IcebergBoundedCommitITCase).
   *
   * <p>Bounded input goes to the writers through an all-to-all edge. In Iceberg 1.11 every writer
   * tags its end-of-input files with the same checkpoint id ({@code Long.MAX_VALUE}); if the
   * committer snapshots between two writers' ends of input, the later writer's manifest replaces
   * the earlier one's and rows are lost (reproduced by BronzeIngestITCase; the experimental
   * {@code IcebergSink} lost the tail of bounded runs outright). Behind an all-to-all edge, every
   * writer ends only when every upstream task has, so all ends of input fall between the same two
   * checkpoint barriers.
   *
   * <p>The committer (parallelism and max parallelism 1) must not share a chain with the writers:
   * chained to them at parallelism 1, it took their max parallelism (128) into the savepoint, and a
   * resume at parallelism 2, where it stands alone with max parallelism 1, failed with "Max
   * parallelism mismatch" (FLINK-26358; QualityChaosITCase). So at parallelism 1 the writer is
   * not chained. The price: a savepoint taken at parallelism 1 before this change no longer
   * restores.
   */
  public static Consumer<DataStream<RowData>> icebergAppend(TableLoader table, String uidPrefix, boolean boundedInput) {
    return icebergAppend(table, uidPrefix, boundedInput, null);
  }

  private static Consumer<DataStream<RowData>> icebergAppend(
      TableLoader table, String uidPrefix, boolean boundedInput, Integer writeParallelism) {
    return rows -> {
      FlinkSink.Builder builder =
          FlinkSink.forRowData(boundedInput ? rows.rebalance() : rows)
              .tableLoader(table)
              .uidPrefix(uidPrefix)
              .distributionMode(DistributionMode.NONE);
      if (writeParallelism != null) {
        builder.writeParallelism(writeParallelism);
      }
      Transformation<Void> icebergSink = builder.append().getTransformation();
      Transformation<?> committer = icebergSink.getInputs().get(0);
      Transformation<?> writer = committer.getInputs().get(0);
      if (!(committer instanceof OneInputTransformation<?, ?> icebergCommitter)
          || committer.getMaxParallelism() != 1
          || !(writer instanceof PhysicalTransformation<?> physicalWriter)) {
        throw new IllegalStateException("Iceberg's FlinkSink no longer ends in writer and committer: " + committer);
      }
      if (writer.getParallelism() == 1) {
        // Iceberg's committer factory ignores chaining strategies: the writer stands alone instead.
        physicalWriter.setChainingStrategy(ChainingStrategy.NEVER);
      }
      // Iceberg's committer commits at its own end of input; the job takes the same committer
      // (name, uid, parallelism) wrapped to commit with the final checkpoint instead, and drops
      // the committer and discarding sink FlinkSink added.
      List<Transformation<?>> jobTransformations = rows.getExecutionEnvironment().getTransformations();
      if (!jobTransformations.remove(icebergSink) || !jobTransformations.remove(committer)) {
        throw new IllegalStateException("Iceberg's FlinkSink committer is not in the job: " + committer);
      }
      @SuppressWarnings("unchecked")
      StreamOperatorFactory<Void> icebergCommitterFactory = (StreamOperatorFactory<Void>) icebergCommitter.getOperatorFactory();
      @SuppressWarnings("unchecked")
      DataStream<FlinkWriteResult> written = new DataStream<>(rows.getExecutionEnvironment(), (Transformation<FlinkWriteResult>) writer);
      written
          .transform(committer.getName(), Types.VOID, new FinalCheckpointCommitterFactory(icebergCommitterFactory))
          .setParallelism(1)
          .setMaxParallelism(1)
          .uid(committer.getUid())
          .sinkTo(new DiscardingSink<>())
          .setParallelism(1)
          .uid(uidPrefix + "-discard")
          .name(uidPrefix);
    };
  }

  /** Creates {@code audit.ledger} when missing and returns the sink of {@code job}'s ledger rows. */
  public static Consumer<DataStream<RowData>> ledger(JobConfig config, String job) {
    CatalogLoader catalog = IcebergCatalogs.loader(config);
    LedgerTable.definition().ensure(catalog.loadCatalog());
    return icebergLedger(TableLoader.fromCatalog(catalog, LedgerTable.IDENTIFIER), job);
  }

  /**
   * Appends a job's {@code audit.ledger} rows with one writer: a handful of rows per checkpoint
   * make one small file per checkpoint, not one per subtask; and one writer has one end of input,
   * so bounded input needs no all-to-all edge here. The uid prefix is the job's, so the committers
   * of the jobs sharing the table never take each other's commits for their own.
   */
  public static Consumer<DataStream<RowData>> icebergLedger(TableLoader table, String job) {
    return icebergAppend(table, "audit-ledger-sink-" + job, false, 1);
  }

  /**
   * Writes to a Paimon table with Paimon's Flink sink, committing once per checkpoint. Paimon
   * names its writer and committer operators {@code <prefix>_<table>_<uidSuffix>}; the suffix must
   * never change, or a savepoint no longer restores the sink's state.
   *
   * <p>The writers' sort buffers come from the TaskManager's managed memory (off heap, sized and
   * shared by Flink's memory model), each writer weighted by its table's {@code
   * write-buffer-size}: on the heap they were most of a silver TaskManager's heap (a buffer per
   * table per subtask) and kept it far above 512 MB.
   */
  public static Consumer<DataStream<RowData>> paimon(Table table, String uidSuffix) {
    Table withUids =
        table.copy(
            Map.of(
                FlinkConnectorOptions.SINK_OPERATOR_UID_SUFFIX.key(), uidSuffix,
                // See icebergAppend: the committer's state must keep max parallelism 1 at any parallelism.
                FlinkConnectorOptions.SINK_COMMITTER_OPERATOR_CHAINING.key(), "false",
                FlinkConnectorOptions.SINK_USE_MANAGED_MEMORY.key(), "true",
                FlinkConnectorOptions.SINK_MANAGED_WRITER_BUFFER_MEMORY.key(), table.options().getOrDefault(CoreOptions.WRITE_BUFFER_SIZE.key(), CoreOptions.WRITE_BUFFER_SIZE.defaultValue().toString())));
    return rows -> {
      DataStreamSink<?> sink = new FlinkSinkBuilder(withUids).forRowData(rows).build();
      Uids.assignMissing(sink.getTransformation(), rows.getTransformation(), uidSuffix);
    };
  }

  /** Writes to a Sink V2 (e.g. an exactly-once Kafka sink) under a stable uid. */
  public static <T> Consumer<DataStream<T>> sink(Sink<T> sink, String uid) {
    return stream -> stream.sinkTo(sink).uid(uid).name(uid);
  }
}
