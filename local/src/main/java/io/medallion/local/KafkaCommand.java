package io.medallion.local;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.kafka.Topics;
import io.medallion.testkit.KafkaBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = {
      "Run a local Kafka broker with the raw, dead-letter and alert topics until Ctrl-C.",
      "Single node, KRaft, in-process, data in a temp directory: a local stack for `run` and `generate`."
    })
final class KafkaCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "9092", description = "port on 127.0.0.1 (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--partitions", defaultValue = "2", description = "partitions of each raw topic (default ${DEFAULT-VALUE})")
  int partitions;

  @Override
  public Integer call() throws Exception {
    KafkaBroker kafka = KafkaBroker.start(port);
    kafka.createTopics(partitions, Topics.RAW_TOPICS.toArray(String[]::new));
    List<String> deadLetterTopics = new ArrayList<>();
    for (Stage stage : Stage.values()) {
      deadLetterTopics.add(stage.defaultTopic());
    }
    kafka.createTopics(1, deadLetterTopics.toArray(String[]::new));
    String alertsTopic = ConfigOptions.QUALITY_ALERTS_TOPIC.defaultValue();
    kafka.createTopics(1, alertsTopic);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    kafka.close();
                  } catch (Exception e) {
                    System.err.println("medallion kafka: stopping the broker: " + e.getMessage());
                  }
                  stopped.countDown();
                },
                "medallion-kafka-stop"));
    System.out.printf(
        "medallion kafka: broker at %s; topics %s, %s and %s; Ctrl-C to stop%n",
        kafka.bootstrapServers(), Topics.RAW_TOPICS, deadLetterTopics, alertsTopic);
    stopped.await();
    return 0;
  }
}
