package io.medallion.quality;

import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.quality.RecordProfile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A dead letter's profile from its {@code dlq.*} headers: it counts for the topic of the record it
 * failed on, in the window of that record's time ({@code dlq.source.timestamp}), so a dead-letter
 * rate compares letters with the records of the same window. A letter without the headers counts
 * for the dead-letter topic itself at its own timestamp. Never throws: a poison letter must not
 * stop the monitor.
 */
public final class DeadLetterProfileDeserializer implements KafkaRecordDeserializationSchema<RecordProfile> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RecordProfile> out) {
    String sourceTopic = header(record, DeadLetterHeaders.SOURCE_TOPIC);
    String sourceTime = header(record, DeadLetterHeaders.SOURCE_TIMESTAMP);
    long timestamp = record.timestamp();
    if (sourceTime != null) {
      try {
        timestamp = Instant.parse(sourceTime).toEpochMilli();
      } catch (DateTimeParseException e) {
        // Keep the letter's own timestamp.
      }
    }
    out.collect(RecordProfile.ofDeadLetter(sourceTopic != null ? sourceTopic : record.topic(), header(record, DeadLetterHeaders.ERROR_CODE), timestamp));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Override
  public TypeInformation<RecordProfile> getProducedType() {
    return TypeInformation.of(RecordProfile.class);
  }
}
