package io.medallion.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerITCase {

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
    return new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> keyValues(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream()
        .collect(
            Collectors.toMap(
                r -> new String(r.key(), StandardCharsets.UTF_8), r -> new String(r.value(), StandardCharsets.UTF_8)));
  }

  @Test
  void committedRecordsAndTheAddressSurviveARestartAndClientsReconnect() throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start()) {
      String bootstrap = kafka.bootstrapServers();
      kafka.createTopics(1, "restart");
      kafka.produce(List.of(record("restart", "a", "before")));

      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      TopicPartition partition = new TopicPartition("restart", 0);
      // A consumer and a transactional producer that live through the restart must reconnect by themselves.
      Properties producerProps = new Properties();
      producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "restart-it");
      producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
          KafkaProducer<byte[], byte[]> producer =
              new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        assertThat(consumer.poll(Duration.ofSeconds(30)).records(partition)).extracting(ConsumerRecord::value).containsExactly("before");
        producer.initTransactions();

        kafka.restart();

        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        producer.beginTransaction();
        producer.send(record("restart", "b", "after")).get();
        producer.commitTransaction();
        List<String> afterRestart = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (afterRestart.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).records(partition).forEach(r -> afterRestart.add(r.value()));
        }
        assertThat(afterRestart).containsExactly("after");
      }
      assertThat(keyValues(kafka.readCommitted("restart"))).containsExactlyInAnyOrderEntriesOf(Map.of("a", "before", "b", "after"));
    }
  }
}
