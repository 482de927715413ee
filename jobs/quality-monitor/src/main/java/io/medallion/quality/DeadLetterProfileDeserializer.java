package io.medallion.quality;

import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.quality.RecordProfile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A dead letter's profile from its {@code dlq.*} headers: it counts for the topic of the record it
 * failed on ({@code dlq.source.topic}; the dead-letter topic itself when absent), in the window of
 * its own Kafka timestamp, the failure time. Not the source record's time: a letter becomes visible
 * only when its job's checkpoint commits, seconds to minutes after its record, and by then the
 * window of the record's time has closed, so it would always be late. Never throws: a poison
 * letter must not stop the monitor.
 *
 * <p>Its {@code dlq.error.code} counts only when it names an {@link ErrorCode}: a check can ask
 * for no other, and any other bytes would become per-code window counts that nothing reads, of
 * any number and length (one of 70 KB failed the counts' encoding, and the monitor with it). Such
 * a letter still counts among its topic's dead letters.
 */
public final class DeadLetterProfileDeserializer implements KafkaRecordDeserializationSchema<RecordProfile> {
  private static final long serialVersionUID = 1L;
  private static final Set<String> ERROR_CODES = Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RecordProfile> out) {
    String sourceTopic = header(record, DeadLetterHeaders.SOURCE_TOPIC);
    String errorCode = header(record, DeadLetterHeaders.ERROR_CODE);
    RecordProfile profile =
        RecordProfile.ofDeadLetter(
            sourceTopic != null ? sourceTopic : record.topic(), errorCode != null && ERROR_CODES.contains(errorCode) ? errorCode : null, record.timestamp());
    profile.deadLetterTopic = record.topic();
    profile.deadLetterPartition = record.partition();
    profile.deadLetterOffset = record.offset();
    out.collect(profile);
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
