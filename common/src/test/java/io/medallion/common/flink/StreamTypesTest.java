package io.medallion.common.flink;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojo;

import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.event.RawRecord;
import org.junit.jupiter.api.Test;

/**
 * The records our operators exchange must serialize as Flink POJOs: pipeline.generic-types stays on
 * for Iceberg's sink, so a silent Kryo fallback is caught here instead.
 */
class StreamTypesTest {

  @Test
  void rawRecordIsAPojo() {
    assertSerializedAsPojo(RawRecord.class);
  }

  @Test
  void deadLetterIsAPojo() {
    assertSerializedAsPojo(DeadLetter.class);
  }
}
