package io.medallion.bronze;

import io.medallion.common.event.Envelope;
import io.medallion.common.event.RawRecord;
import io.medallion.common.iceberg.BronzeEventsTable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/** Maps a decoded envelope and the Kafka record it came from to a {@code bronze.events} row. */
final class BronzeRows {

  private BronzeRows() {}

  static RowData toRow(Envelope envelope, RawRecord record, Instant ingestTime) {
    GenericRowData row = new GenericRowData(BronzeEventsTable.SCHEMA.columns().size());
    row.setField(BronzeEventsTable.EVENT_ID, StringData.fromString(envelope.eventId()));
    row.setField(BronzeEventsTable.EVENT_TYPE, StringData.fromString(envelope.eventType()));
    row.setField(BronzeEventsTable.SCHEMA_VERSION, envelope.schemaVersion());
    row.setField(BronzeEventsTable.SOURCE_SYSTEM, StringData.fromString(envelope.sourceSystem()));
    row.setField(BronzeEventsTable.EVENT_TIME, TimestampData.fromInstant(envelope.eventTime()));
    row.setField(BronzeEventsTable.INGEST_TIME, TimestampData.fromInstant(ingestTime));
    row.setField(BronzeEventsTable.PAYLOAD, StringData.fromString(envelope.payloadJson()));
    row.setField(BronzeEventsTable.METADATA, envelope.metadata().isEmpty() ? null : toMapData(envelope.metadata()));
    row.setField(BronzeEventsTable.KAFKA_TOPIC, StringData.fromString(record.topic));
    row.setField(BronzeEventsTable.KAFKA_PARTITION, record.partition);
    row.setField(BronzeEventsTable.KAFKA_OFFSET, record.offset);
    row.setField(BronzeEventsTable.KAFKA_TIMESTAMP, TimestampData.fromEpochMillis(record.timestamp));
    row.setField(
        BronzeEventsTable.RECORD_KEY,
        record.key == null ? null : StringData.fromString(new String(record.key, StandardCharsets.UTF_8)));
    return row;
  }

  private static GenericMapData toMapData(Map<String, String> metadata) {
    Map<StringData, StringData> map = new HashMap<>(metadata.size() * 2);
    metadata.forEach((k, v) -> map.put(StringData.fromString(k), StringData.fromString(v)));
    return new GenericMapData(map);
  }
}
