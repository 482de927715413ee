package io.medallion.local;

import io.medallion.common.kafka.Topics;
import io.medallion.testkit.KafkaBroker;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true, description = "Send synthetic raw events to a Kafka cluster.")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers, host:port[,host:port]")
  String bootstrapServers;

  @Option(names = "--events", defaultValue = "10000", description = "valid, distinct events to send (default ${DEFAULT-VALUE})")
  long events;

  @Option(names = "--rate", defaultValue = "0", description = "records per second, 0 = as fast as possible (default ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--bad-ratio", defaultValue = "0.01", description = "bad records per event (default ${DEFAULT-VALUE})")
  double badRatio;

  @Option(names = "--duplicate-ratio", defaultValue = "0.02", description = "duplicates per event (default ${DEFAULT-VALUE})")
  double duplicateRatio;

  @Option(names = "--topic", description = "one topic for all records (default: one raw topic per event type: ${sys:medallion.rawTopics})")
  String topic;

  @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--too-large-bytes",
      defaultValue = "0",
      description = "also send RECORD_TOO_LARGE samples of this size; set it above the jobs' max-record-bytes and within the broker's message.max.bytes (default: none)")
  int tooLargeBytes;

  @Mixin KafkaCommandConfig commandConfig;

  @Override
  public Integer call() throws IOException {
    System.setProperty("medallion.rawTopics", String.join(", ", Topics.RAW_TOPICS));
    DataGenerator.Plan plan = new DataGenerator.Plan(events, rate, badRatio, duplicateRatio, seed, topic, tooLargeBytes, null);
    DataGenerator.Sent sent = new DataGenerator.Sent();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = KafkaBroker.producer(bootstrapServers, commandConfig.clientProperties())) {
      DataGenerator.run(producer, plan, sent);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "sent %,d records in %.1f s (%,.0f/s): %,d events, %,d duplicates, %,d bad %s%n",
        sent.records.get(), seconds, sent.records.get() / seconds, sent.valid.get(), sent.duplicates.get(), sent.bad(), sent.badByCode);
    return 0;
  }
}
