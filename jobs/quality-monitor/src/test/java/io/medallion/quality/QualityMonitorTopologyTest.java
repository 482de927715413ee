package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.testkit.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's job graph, built without a cluster: what is shuffled and what is not. */
class QualityMonitorTopologyTest {
  @TempDir Path dir;

  @Test
  void recordsAreCountedInTheTaskThatReadsThemAndOnlyCountsAreShuffled() throws Exception {
    Path checks = dir.resolve("checks.yaml");
    Files.writeString(checks, DefectScenario.checks("raw.events"));
    Map<String, String> settings = JobSettings.local("127.0.0.1:9", dir, "10s", 2);
    settings.put("quality.checks", checks.toString());
    settings.put("kafka.topics", "raw.events");
    JobConfig config = JobConfig.of(QualityMonitorJob.SPEC, settings);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    QualityMonitorJob.build(
        env,
        KafkaConnectors.rawSource(config),
        KafkaConnectors.source(config, List.of("dlq.silver"), new DeadLetterProfileDeserializer()),
        QualitySettings.of(config),
        rows -> rows.sinkTo(new DiscardingSink<>()).uid("rows"),
        alerts -> alerts.sinkTo(new DiscardingSink<>()).uid("alerts"),
        ledger -> ledger.sinkTo(new DiscardingSink<>()).uid("ledger"));

    List<String> tasks =
        StreamSupport.stream(env.getStreamGraph().getJobGraph().getVertices().spliterator(), false).map(JobVertex::getName).toList();
    assertThat(tasks)
        .anySatisfy(task -> assertThat(task).startsWith("Source: raw topics -> profile records -> ").contains("count records per scope window"))
        .anySatisfy(task -> assertThat(task).startsWith("mark duplicates -> count duplicates per scope window"))
        .anySatisfy(task -> assertThat(task).startsWith("Source: dead-letter topics -> audit dead letters -> count dead-letters per scope window"))
        .anySatisfy(task -> assertThat(task).startsWith("judge checks per scope window"));
  }
}
