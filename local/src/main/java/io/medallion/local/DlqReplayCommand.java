package io.medallion.local;

import io.medallion.common.event.ErrorCode;
import io.medallion.common.kafka.Topics;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-publish dead letters to a raw topic, after the rule that rejected them was fixed.",
      "Sends each selected letter's original key and value bytes with a dlq.replayed-from header, in one transaction,"
          + " reading the dead-letter topic up to its end at the start. Silver keeps one row per event_id, so replaying"
          + " twice adds no second row; bronze archives every replayed record again."
    })
final class DlqReplayCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers, host:port[,host:port]")
  String bootstrapServers;

  @Option(names = "--topic", required = true, description = "the dead-letter topic to read, e.g. dlq.silver")
  String topic;

  @Option(names = "--to", required = true, description = "the raw topic (raw.<anything>) to re-publish to")
  String to;

  @Option(names = "--code", split = ",", description = "replay only these error codes (repeatable; default: all): ${COMPLETION-CANDIDATES}")
  List<ErrorCode> codes;

  @Option(
      names = "--source-topic",
      description = "replay only letters of records read from this topic (dlq.source.topic), e.g. to send each back where it came from")
  String sourceTopic;

  @Option(names = "--since", description = "replay only letters that failed at or after this ISO-8601 instant (dlq.failed.at)")
  Instant since;

  @Option(names = "--until", description = "replay only letters that failed before this ISO-8601 instant (dlq.failed.at)")
  Instant until;

  @Option(
      names = "--timestamp",
      defaultValue = "SOURCE",
      description = "Kafka timestamp of a replayed record: SOURCE, the original record's (silver judges event-time range against it),"
          + " or NOW (for raw topics whose retention would delete an old timestamp) (default ${DEFAULT-VALUE})")
  DeadLetterReplay.Timestamps timestamps;

  @Option(names = "--dry-run", description = "count what would be replayed; send nothing")
  boolean dryRun;

  @Mixin KafkaCommandConfig commandConfig;

  @Override
  public Integer call() throws IOException {
    if (!to.matches(Topics.RAW_TOPIC_PATTERN)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--to must name a raw topic (raw.<anything>), not " + to);
    }
    DeadLetterFilter filter = new DeadLetterFilter(codes == null ? Set.of() : Set.copyOf(codes), sourceTopic, since, until);
    DeadLetterReplay.Summary summary =
        DeadLetterReplay.run(bootstrapServers, commandConfig.clientProperties(), topic, to, filter, timestamps, dryRun, Duration.ofSeconds(60));
    spec.commandLine().getOut().println(summary.text());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
