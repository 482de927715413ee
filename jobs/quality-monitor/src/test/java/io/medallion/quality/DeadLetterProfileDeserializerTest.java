package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.quality.RecordProfile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterProfileDeserializerTest {
  private static final byte[] NOT_UTF8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};

  /** The profile of a letter at offset 9 of partition 2 of dlq.silver, failed at 1 000 ms. */
  private static RecordProfile profile(byte[] key, byte[] value, RecordHeader... headers) {
    ConsumerRecord<byte[], byte[]> letter =
        new ConsumerRecord<>("dlq.silver", 2, 9L, 1_000L, TimestampType.CREATE_TIME, -1, -1, key, value, new RecordHeaders(headers), Optional.empty());
    List<RecordProfile> out = new ArrayList<>();
    new DeadLetterProfileDeserializer().deserialize(letter, new ListCollector<>(out));
    assertThat(out).hasSize(1);
    RecordProfile profile = out.get(0);
    assertThat(profile.deadLetter).isTrue();
    assertThat(profile.timestamp).isEqualTo(1_000L);
    assertThat(profile.deadLetterTopic).isEqualTo("dlq.silver");
    assertThat(profile.deadLetterPartition).isEqualTo(2);
    assertThat(profile.deadLetterOffset).isEqualTo(9L);
    return profile;
  }

  private static RecordHeader header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aLetterCountsForTheTopicOfItsRecordUnderItsCode() {
    RecordProfile profile =
        profile(null, "{oops".getBytes(StandardCharsets.UTF_8), header(DeadLetterHeaders.ERROR_CODE, "MALFORMED_JSON"), header(DeadLetterHeaders.SOURCE_TOPIC, "raw.events"));

    assertThat(profile.topic).isEqualTo("raw.events");
    assertThat(profile.errorCode).isEqualTo("MALFORMED_JSON");
  }

  @Test
  void aLetterWithoutHeadersAKeyOrAValueCountsForItsOwnTopicWithoutACode() {
    RecordProfile profile = profile(null, null);

    assertThat(profile.topic).isEqualTo("dlq.silver");
    assertThat(profile.errorCode).isNull();
  }

  @Test
  void aCodeThatNamesNoErrorCodeCountsAsNone() {
    for (RecordHeader code :
        List.of(
            new RecordHeader(DeadLetterHeaders.ERROR_CODE, NOT_UTF8),
            new RecordHeader(DeadLetterHeaders.ERROR_CODE, null),
            header(DeadLetterHeaders.ERROR_CODE, "malformed_json"),
            header(DeadLetterHeaders.ERROR_CODE, "X".repeat(70_000)))) {
      RecordProfile profile = profile(new byte[0], new byte[0], code, header(DeadLetterHeaders.SOURCE_TOPIC, "raw.events"));
      assertThat(profile.topic).isEqualTo("raw.events");
      assertThat(profile.errorCode).isNull();
    }
  }

  @Test
  void aSourceTopicThatIsNotUtf8IsReadWithReplacementCharacters() {
    RecordProfile profile = profile(null, null, header(DeadLetterHeaders.ERROR_CODE, "LATE_EVENT"), new RecordHeader(DeadLetterHeaders.SOURCE_TOPIC, NOT_UTF8));

    assertThat(profile.topic).isEqualTo("\uFFFD(\uFFFD");
    assertThat(profile.errorCode).isEqualTo("LATE_EVENT");
  }
}
