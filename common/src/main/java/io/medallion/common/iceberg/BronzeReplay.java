package io.medallion.common.iceberg;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.event.EnvelopeDecoder;
import io.medallion.common.event.RawRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.source.IcebergSource;
import org.apache.iceberg.flink.source.StreamingStartingStrategy;
import org.apache.iceberg.flink.source.reader.RowDataConverter;

/**
 * Replays {@code bronze.events} as the Kafka records it archived, so a stage can be rebuilt from
 * bronze through the same decoding and validation as from Kafka: the Kafka coordinates, timestamp
 * and key are bronze's own columns; the value is the envelope written again as JSON with the
 * payload text verbatim. (Bronze does not keep the original bytes, so a dead letter of a replay
 * carries this JSON instead.)
 */
public final class BronzeReplay implements RowDataConverter<RawRecord> {
  private static final long serialVersionUID = 1L;
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * A source over {@code bronze.events}: the current snapshot, then new snapshots as they commit
   * when {@code bronze.streaming} is true.
   */
  public static IcebergSource<RawRecord> source(JobConfig config) {
    return IcebergSource.forOutputType(new BronzeReplay())
        .tableLoader(TableLoader.fromCatalog(IcebergCatalogs.loader(config), BronzeEventsTable.IDENTIFIER))
        .streaming(config.get(ConfigOptions.BRONZE_STREAMING))
        .streamingStartingStrategy(StreamingStartingStrategy.TABLE_SCAN_THEN_INCREMENTAL)
        .build();
  }

  @Override
  public RawRecord apply(RowData row) {
    return new RawRecord(
        row.getString(BronzeEventsTable.KAFKA_TOPIC).toString(),
        row.getInt(BronzeEventsTable.KAFKA_PARTITION),
        row.getLong(BronzeEventsTable.KAFKA_OFFSET),
        row.getTimestamp(BronzeEventsTable.KAFKA_TIMESTAMP, 6).getMillisecond(),
        row.isNullAt(BronzeEventsTable.RECORD_KEY) ? null : row.getString(BronzeEventsTable.RECORD_KEY).toBytes(),
        envelopeJson(row));
  }

  private static byte[] envelopeJson(RowData row) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField(EnvelopeDecoder.EVENT_ID, row.getString(BronzeEventsTable.EVENT_ID).toString());
      json.writeStringField(EnvelopeDecoder.EVENT_TYPE, row.getString(BronzeEventsTable.EVENT_TYPE).toString());
      json.writeStringField(
          EnvelopeDecoder.EVENT_TIMESTAMP, row.getTimestamp(BronzeEventsTable.EVENT_TIME, 6).toInstant().toString());
      json.writeStringField(EnvelopeDecoder.SOURCE_SYSTEM, row.getString(BronzeEventsTable.SOURCE_SYSTEM).toString());
      json.writeNumberField(EnvelopeDecoder.SCHEMA_VERSION, row.getInt(BronzeEventsTable.SCHEMA_VERSION));
      json.writeFieldName(EnvelopeDecoder.PAYLOAD);
      json.writeRawValue(row.getString(BronzeEventsTable.PAYLOAD).toString());
      if (!row.isNullAt(BronzeEventsTable.METADATA)) {
        json.writeObjectFieldStart(EnvelopeDecoder.METADATA);
        MapData metadata = row.getMap(BronzeEventsTable.METADATA);
        ArrayData keys = metadata.keyArray();
        ArrayData values = metadata.valueArray();
        for (int i = 0; i < metadata.size(); i++) {
          json.writeStringField(keys.getString(i).toString(), values.isNullAt(i) ? null : values.getString(i).toString());
        }
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
