package io.medallion.common.silver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.medallion.common.event.Envelope;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Validates a decoded event against the rules of its type and cleanses it into a row of its
 * silver table (shared/DESIGN.md §3, §5): strings trimmed (blank counts as missing), enums and
 * codes case-normalized, amounts exact, times in UTC, {@code event_date} from the event time, PII
 * pseudonymized or cut to the last four digits. Stops at the first broken rule. Not thread-safe.
 *
 * <p>The timestamp range is judged against the Kafka record's timestamp, not the wall clock, so a
 * rebuild from bronze months later reaches the same verdict as the live run did.
 */
public final class SilverValidator {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final Pattern METRIC_NAME = Pattern.compile("[a-z][a-z0-9_.]*");
  private static final BigDecimal MAX_AMOUNT = BigDecimal.TEN.pow(SilverTable.AMOUNT_PRECISION - SilverTable.AMOUNT_SCALE);

  private final Duration maxFutureSkew;
  private final Duration maxAge;
  private final Pseudonymizer pseudonymizer;

  /** A cleansed row, the table it belongs to, and the parsed payload (the quality monitor reads more of it than the row keeps). */
  public record SilverRow(SilverTable table, RowData row, JsonNode payload) {}

  /** Where the record was read: the Kafka coordinates (bronze keeps them for a rebuild). */
  public record Source(String topic, int partition, long offset, Instant timestamp) {}

  /**
   * A validator that checks every rule but does not pseudonymize: its rows carry null for email
   * and ip_address. For the quality monitor, which keeps verdicts, not rows, and so needs no key.
   */
  public static SilverValidator rulesOnly(Duration maxFutureSkew, Duration maxAge) {
    return new SilverValidator(maxFutureSkew, maxAge, null);
  }

  public SilverValidator(Duration maxFutureSkew, Duration maxAge, Pseudonymizer pseudonymizer) {
    this.maxFutureSkew = maxFutureSkew;
    this.maxAge = maxAge;
    this.pseudonymizer = pseudonymizer;
  }

  /** The silver row of a valid event; throws the first rule the event breaks. */
  public SilverRow validate(Envelope envelope, Source source) throws RuleViolation {
    SilverTable table =
        SilverTable.forEventType(envelope.eventType())
            .orElseThrow(() -> Rules.EVENT_TYPE_KNOWN.violated("event_type '" + envelope.eventType() + "' is not one of user_action, transaction, system, metric"));
    if (envelope.schemaVersion() != Rules.SUPPORTED_SCHEMA_VERSION) {
      throw Rules.SCHEMA_VERSION_SUPPORTED.violated(
          "schema_version " + envelope.schemaVersion() + " of " + envelope.eventType() + " is not supported (supported: " + Rules.SUPPORTED_SCHEMA_VERSION + ")");
    }
    Instant eventTime = envelope.eventTime();
    if (eventTime.isAfter(source.timestamp().plus(maxFutureSkew))) {
      throw Rules.TIMESTAMP_IN_RANGE.violated("event_timestamp " + eventTime + " is more than " + maxFutureSkew + " after the record's timestamp " + source.timestamp());
    }
    if (eventTime.isBefore(source.timestamp().minus(maxAge))) {
      throw Rules.TIMESTAMP_IN_RANGE.violated("event_timestamp " + eventTime + " is more than " + maxAge + " before the record's timestamp " + source.timestamp());
    }
    JsonNode payload;
    try {
      payload = JSON.readTree(envelope.payloadJson());
    } catch (JsonProcessingException e) {
      throw Rules.PAYLOAD_JSON.violated("payload is not JSON: " + e.getOriginalMessage());
    }
    if (payload == null || !payload.isObject()) {
      throw Rules.PAYLOAD_JSON.violated("payload is not a JSON object");
    }

    GenericRowData row = new GenericRowData(table.rowType().getFieldCount());
    row.setField(SilverTable.EVENT_DATE, (int) LocalDate.ofInstant(eventTime, ZoneOffset.UTC).toEpochDay());
    row.setField(SilverTable.EVENT_ID, StringData.fromString(envelope.eventId()));
    row.setField(SilverTable.EVENT_TIME, TimestampData.fromInstant(eventTime));
    row.setField(SilverTable.SOURCE_SYSTEM, StringData.fromString(envelope.sourceSystem()));
    row.setField(SilverTable.SCHEMA_VERSION, envelope.schemaVersion());
    row.setField(SilverTable.METADATA, envelope.metadata().isEmpty() ? null : mapData(envelope.metadata()));
    row.setField(SilverTable.SOURCE_TOPIC, StringData.fromString(source.topic()));
    row.setField(SilverTable.SOURCE_PARTITION, source.partition());
    row.setField(SilverTable.SOURCE_OFFSET, source.offset());
    int column = SilverTable.FIRST_PAYLOAD_COLUMN;
    for (PayloadField field : table.payload()) {
      row.setField(column++, value(field, payload));
    }
    return new SilverRow(table, row, payload);
  }

  /** The column value of a field in Flink's internal representation, or null when absent and optional. */
  private Object value(PayloadField field, JsonNode payload) throws RuleViolation {
    JsonNode node = payload.get(field.name());
    if (node == null || node.isNull()) {
      return absent(field);
    }
    return switch (field.kind()) {
      case TEXT -> text(field, node);
      case LOWER_ENUM -> oneOf(field, node, Locale.ROOT, false);
      case UPPER_ENUM -> oneOf(field, node, Locale.ROOT, true);
      case CURRENCY -> currencyValue(field, node);
      case AMOUNT -> amount(field, node, payload);
      case METRIC_NAME -> metricName(field, node);
      case FINITE_DOUBLE -> finiteDouble(field, node);
      case MESSAGE -> message(field, node);
      case STRING_MAP -> stringMap(field, node);
      case EMAIL -> pseudonym(field, node, true);
      case IP_ADDRESS -> pseudonym(field, node, false);
      case CARD_NUMBER -> cardLast4(field, node);
    };
  }

  private static Object absent(PayloadField field) throws RuleViolation {
    if (field.isRequired()) {
      throw field.rule("required").violated(field.name() + " is missing");
    }
    return null;
  }

  /** Trimmed text, or null for blank text of an optional field. */
  private static String trimmed(PayloadField field, JsonNode node) throws RuleViolation {
    if (!node.isTextual()) {
      throw field.rule("type").violated(field.name() + " is " + kindOf(node) + ", not a string");
    }
    String text = node.textValue().strip();
    if (text.isEmpty()) {
      absent(field);
      return null;
    }
    return text;
  }

  private static StringData text(PayloadField field, JsonNode node) throws RuleViolation {
    String text = trimmed(field, node);
    return text == null ? null : StringData.fromString(text);
  }

  private static StringData oneOf(PayloadField field, JsonNode node, Locale locale, boolean upper) throws RuleViolation {
    String text = trimmed(field, node);
    if (text == null) {
      return null;
    }
    String normalized = upper ? text.toUpperCase(locale) : text.toLowerCase(locale);
    if (!field.allowed().contains(normalized)) {
      throw field.rule("allowed").violated(field.name() + " '" + text + "' is not one of " + field.allowed());
    }
    return StringData.fromString(normalized);
  }

  private static StringData currencyValue(PayloadField field, JsonNode node) throws RuleViolation {
    String text = trimmed(field, node);
    return text == null ? null : StringData.fromString(currency(field, text).getCurrencyCode());
  }

  private static Currency currency(PayloadField field, String code) throws RuleViolation {
    Currency currency;
    try {
      currency = Currency.getInstance(code.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw field.rule("iso4217").violated(field.name() + " '" + code + "' is not an ISO-4217 code");
    }
    if (currency.getDefaultFractionDigits() < 0) {
      throw field.rule("iso4217").violated(field.name() + " '" + code + "' has no minor unit (not a currency of payments)");
    }
    return currency;
  }

  private static DecimalData amount(PayloadField field, JsonNode node, JsonNode payload) throws RuleViolation {
    BigDecimal amount = decimal(field, node);
    if (amount == null) {
      return null;
    }
    if (amount.signum() < 0) {
      throw field.rule("non_negative").violated(field.name() + " " + amount.toPlainString() + " is negative");
    }
    if (amount.compareTo(MAX_AMOUNT) >= 0) {
      throw field.rule("type").violated(field.name() + " " + amount.toPlainString() + " does not fit DECIMAL(" + SilverTable.AMOUNT_PRECISION + "," + SilverTable.AMOUNT_SCALE + ")");
    }
    // Currency is validated before amount (column order), so it is a valid code here.
    Currency currency = currency(field, payload.get("currency").textValue().strip());
    int digits = currency.getDefaultFractionDigits();
    if (Math.max(0, amount.stripTrailingZeros().scale()) > digits) {
      throw field.rule("minor_digits").violated(
          field.name() + " " + amount.toPlainString() + " has more than the " + digits + " minor digits of " + currency.getCurrencyCode());
    }
    return DecimalData.fromBigDecimal(amount.setScale(SilverTable.AMOUNT_SCALE), SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE);
  }

  /** A JSON number or a numeric string as an exact decimal; null for a blank optional string. */
  private static BigDecimal decimal(PayloadField field, JsonNode node) throws RuleViolation {
    if (node.isNumber()) {
      return node.decimalValue();
    }
    String text = trimmed(field, node);
    if (text == null) {
      return null;
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw field.rule("type").violated(field.name() + " '" + text + "' is not a number");
    }
  }

  private static StringData metricName(PayloadField field, JsonNode node) throws RuleViolation {
    String text = trimmed(field, node);
    if (text != null && !METRIC_NAME.matcher(text).matches()) {
      throw field.rule("pattern").violated(field.name() + " '" + text + "' does not match [a-z][a-z0-9_.]*");
    }
    return text == null ? null : StringData.fromString(text);
  }

  private static Double finiteDouble(PayloadField field, JsonNode node) throws RuleViolation {
    double value;
    if (node.isNumber()) {
      value = node.doubleValue();
    } else {
      String text = trimmed(field, node);
      if (text == null) {
        return null;
      }
      try {
        value = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        throw field.rule("type").violated(field.name() + " '" + text + "' is not a number");
      }
    }
    if (!Double.isFinite(value)) {
      throw field.rule("finite").violated(field.name() + " is not finite");
    }
    return value;
  }

  private static StringData message(PayloadField field, JsonNode node) throws RuleViolation {
    String text = trimmed(field, node);
    if (text == null) {
      return null;
    }
    int length = text.codePointCount(0, text.length());
    if (length > SilverTable.MAX_MESSAGE_CODE_POINTS) {
      throw field.rule("max_length").violated(
          field.name() + " has " + length + " characters, more than " + SilverTable.MAX_MESSAGE_CODE_POINTS);
    }
    return StringData.fromString(text);
  }

  private static GenericMapData stringMap(PayloadField field, JsonNode node) throws RuleViolation {
    if (!node.isObject()) {
      throw field.rule("type").violated(field.name() + " is " + kindOf(node) + ", not an object");
    }
    Map<String, String> map = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      JsonNode value = entry.getValue();
      if (!value.isNull()) {
        map.put(entry.getKey(), value.isValueNode() ? value.asText() : value.toString());
      }
    }
    return mapData(map);
  }

  private StringData pseudonym(PayloadField field, JsonNode node, boolean lowerCase) throws RuleViolation {
    String text = trimmed(field, node);
    if (text == null) {
      return null;
    }
    return pseudonymizer == null ? null : StringData.fromString(pseudonymizer.pseudonym(lowerCase ? text.toLowerCase(Locale.ROOT) : text));
  }

  private static StringData cardLast4(PayloadField field, JsonNode node) throws RuleViolation {
    String text = trimmed(field, node);
    if (text == null) {
      return null;
    }
    StringBuilder digits = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      } else if (c != ' ' && c != '-') {
        throw field.rule("digits").violated(field.name() + " has a character that is not a digit, space or dash");
      }
    }
    if (digits.length() < 4) {
      throw field.rule("digits").violated(field.name() + " has fewer than 4 digits");
    }
    return StringData.fromString(digits.substring(digits.length() - 4));
  }

  private static GenericMapData mapData(Map<String, String> map) {
    Map<StringData, StringData> data = new HashMap<>(map.size() * 2);
    map.forEach((k, v) -> data.put(StringData.fromString(k), StringData.fromString(v)));
    return new GenericMapData(data);
  }

  private static String kindOf(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case BOOLEAN -> "a boolean";
      case NUMBER -> "a number";
      case STRING -> "a string";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }
}
