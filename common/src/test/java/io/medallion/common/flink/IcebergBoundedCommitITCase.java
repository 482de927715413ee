package io.medallion.common.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.iceberg.IcebergCatalogs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types.LongType;
import org.apache.iceberg.types.Types.NestedField;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded job's Iceberg sink commits every row once when the job fails after the sink's end of
 * input: an operator behind the committer fails once at its own end of input, which comes right
 * after the committer's. Iceberg's committer alone commits there (checkpoint id {@code
 * Long.MAX_VALUE}) and the restarted job commits the replayed rows a second time.
 */
class IcebergBoundedCommitITCase {
  private static final int PARALLELISM = 2;
  private static final long ROWS = 1_000;
  private static final String SINK = "bounded-sink";
  private static final TableIdentifier TABLE = TableIdentifier.of("test", "rows");
  private static final RowType ROW_TYPE = RowType.of(new BigIntType(false));
  private static final String EVERY_ROW_ONCE = ROWS + " rows, " + ROWS + " distinct ids from 1 to " + ROWS;

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

  @RegisterExtension final SharedObjectsExtension shared = SharedObjectsExtension.create();

  @TempDir Path dir;

  private CatalogLoader catalog;

  @BeforeEach
  void createTable() {
    catalog = IcebergCatalogs.hadoop(dir.resolve("warehouse").toUri().toString());
    catalog.loadCatalog().createTable(TABLE, new Schema(NestedField.required(1, "id", LongType.get())));
  }

  @Test
  void commitsEveryRowOnceWhenTheJobFailsRightAfterTheCommittersEndOfInput() throws Exception {
    SharedReference<AtomicInteger> failures = shared.add(new AtomicInteger());

    run(true, failures, true);

    assertThat(failures.get()).as("injected failures").hasValue(1);
    assertThat(rowsWritten()).isEqualTo(EVERY_ROW_ONCE);
    assertThat(lastCommittedCheckpointId()).as("committed with a checkpoint").isLessThan(Long.MAX_VALUE);
  }

  @Test
  void commitsEveryRowOnceWhenATaskBehindTheCommitterFailsAtItsEndOfInput() throws Exception {
    SharedReference<AtomicInteger> failures = shared.add(new AtomicInteger());

    run(true, failures, false);

    assertThat(failures.get()).as("injected failures").hasValue(1);
    assertThat(rowsWritten()).isEqualTo(EVERY_ROW_ONCE);
  }

  @Test
  void withoutCheckpointsCommitsAtTheEndOfInput() throws Exception {
    run(false, shared.add(new AtomicInteger(1)), true);

    assertThat(rowsWritten()).isEqualTo(EVERY_ROW_ONCE);
    assertThat(lastCommittedCheckpointId()).isEqualTo(Long.MAX_VALUE);
  }

  /**
   * Writes 1..{@link #ROWS} with {@link LakeSinks#icebergAppend} from a bounded source, and fails
   * once, if {@code failures} is still 0, at the end of input of an operator behind the committer,
   * chained to it or in a task of its own.
   */
  private void run(boolean checkpoints, SharedReference<AtomicInteger> failures, boolean chained) throws Exception {
    Configuration configuration = new Configuration();
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
    env.setParallelism(PARALLELISM);
    if (checkpoints) {
      env.enableCheckpointing(200);
    }
    DataStream<RowData> rows = env.fromSequence(1, ROWS).map(id -> (RowData) GenericRowData.of(id)).returns(InternalTypeInfo.of(ROW_TYPE));

    LakeSinks.icebergAppend(TableLoader.fromCatalog(catalog, TABLE), SINK, true).accept(rows);

    @SuppressWarnings("unchecked")
    Transformation<Void> committer = (Transformation<Void>) discardingSink(env).getInputs().get(0);
    SingleOutputStreamOperator<Void> behindCommitter =
        new DataStream<>(env, committer).transform("fail at end of input", Types.VOID, new FailAtEndOfInput(failures)).setParallelism(1).uid("fail");
    if (!chained) {
      behindCommitter.disableChaining();
    }
    behindCommitter.sinkTo(new DiscardingSink<>()).setParallelism(1).uid("fail-discard");
    env.execute("bounded-commit");
  }

  private static Transformation<?> discardingSink(StreamExecutionEnvironment env) {
    return env.getTransformations().stream()
        .filter(transformation -> (SINK + "-discard").equals(transformation.getUid()))
        .findFirst()
        .orElseThrow();
  }

  /** How many rows the table holds, how many distinct ids, and their range. */
  private String rowsWritten() throws IOException {
    Table table = catalog.loadCatalog().loadTable(TABLE);
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> ids.add((Long) record.getField("id")));
    }
    LongSummaryStatistics range = ids.stream().mapToLong(Long::longValue).summaryStatistics();
    return ids.size() + " rows, " + ids.stream().distinct().count() + " distinct ids from " + range.getMin() + " to " + range.getMax();
  }

  private long lastCommittedCheckpointId() {
    Catalog iceberg = catalog.loadCatalog();
    return Long.parseLong(iceberg.loadTable(TABLE).currentSnapshot().summary().get("flink.max-committed-checkpoint-id"));
  }

  /** Fails at its end of input while {@code failures} is 0; counts the failure. */
  private static final class FailAtEndOfInput extends AbstractStreamOperator<Void> implements OneInputStreamOperator<Void, Void>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final SharedReference<AtomicInteger> failures;

    FailAtEndOfInput(SharedReference<AtomicInteger> failures) {
      this.failures = failures;
    }

    @Override
    public void processElement(StreamRecord<Void> element) {
      output.collect(element);
    }

    @Override
    public void endInput() {
      if (failures.get().compareAndSet(0, 1)) {
        throw new IllegalStateException("injected failure after the committer's end of input");
      }
    }
  }
}
