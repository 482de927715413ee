package io.medallion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalMap;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.MapType;

/**
 * Reads Paimon tables with Paimon's own batch reader, as rows of plain Java values by column name
 * (String, Integer, Long, Double, BigDecimal, Instant, LocalDate, Map), for exact assertions.
 */
public final class PaimonReads {

  private PaimonReads() {}

  /** Every row of the table's latest snapshot (merged by primary key). */
  public static List<Map<String, Object>> readAll(Table table) {
    ReadBuilder read = table.newReadBuilder();
    List<DataField> fields = table.rowType().getFields();
    List<InternalRow.FieldGetter> getters = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      getters.add(InternalRow.createFieldGetter(fields.get(i).type(), i));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    try (RecordReader<InternalRow> reader = read.newRead().createReader(read.newScan().plan())) {
      reader.forEachRemaining(
          row -> {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < fields.size(); i++) {
              values.put(fields.get(i).name(), plain(getters.get(i).getFieldOrNull(row), fields.get(i).type()));
            }
            rows.add(values);
          });
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + table.name() + " failed", e);
    }
    return rows;
  }

  private static Object plain(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    return switch (type.getTypeRoot()) {
      case CHAR, VARCHAR -> ((BinaryString) value).toString();
      case DECIMAL -> ((Decimal) value).toBigDecimal();
      case TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> ((Timestamp) value).toInstant();
      case DATE -> LocalDate.ofEpochDay((Integer) value);
      case MAP -> {
        InternalMap map = (InternalMap) value;
        MapType mapType = (MapType) type;
        InternalArray.ElementGetter keys = InternalArray.createElementGetter(mapType.getKeyType());
        InternalArray.ElementGetter values = InternalArray.createElementGetter(mapType.getValueType());
        Map<Object, Object> plain = new HashMap<>();
        for (int i = 0; i < map.size(); i++) {
          plain.put(
              plain(keys.getElementOrNull(map.keyArray(), i), mapType.getKeyType()),
              plain(values.getElementOrNull(map.valueArray(), i), mapType.getValueType()));
        }
        yield plain;
      }
      default -> value;
    };
  }
}
