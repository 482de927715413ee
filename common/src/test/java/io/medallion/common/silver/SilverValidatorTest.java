package io.medallion.common.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.medallion.common.event.Envelope;
import io.medallion.common.event.ErrorCode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SilverValidatorTest {
  private static final String ID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  private static final Instant EVENT_TIME = Instant.parse("2026-11-22T23:59:30.123456Z");
  private static final SilverValidator.Source SOURCE =
      new SilverValidator.Source("raw.events", 3, 99L, Instant.parse("2026-11-23T00:00:00Z"));
  private static final String KEY = "test-key";

  private final SilverValidator validator = new SilverValidator(Duration.ofMinutes(5), Duration.ofDays(7), new Pseudonymizer(KEY));

  private static Envelope envelope(String type, String payload) {
    return new Envelope(ID, type, 1, "web", EVENT_TIME, payload, Map.of("region", "eu-west-1"));
  }

  private SilverValidator.SilverRow valid(String type, String payload) throws RuleViolation {
    return validator.validate(envelope(type, payload), SOURCE);
  }

  private RuleViolation violation(Envelope envelope) {
    return catchThrowableOfType(RuleViolation.class, () -> validator.validate(envelope, SOURCE));
  }

  private RuleViolation violation(String type, String payload) {
    return violation(envelope(type, payload));
  }

  private static StringData s(String text) {
    return StringData.fromString(text);
  }

  private static Object column(SilverValidator.SilverRow row, String name) {
    int at = row.table().position(name);
    return RowData.createFieldGetter(row.table().flinkRowType().getTypeAt(at), at).getFieldOrNull(row.row());
  }

  @Test
  void aRulesOnlyValidatorChecksPiiButKeepsNoPseudonym() throws Exception {
    SilverValidator rulesOnly = SilverValidator.rulesOnly(Duration.ofMinutes(5), Duration.ofDays(7));
    String payload = "{\"user_id\":\"u\",\"action\":\"view\",\"resource\":\"/p\",\"email\":\"ana@example.com\",\"ip_address\":\"10.0.0.1\"}";
    SilverValidator.SilverRow row = rulesOnly.validate(envelope("user_action", payload), SOURCE);

    assertThat(column(row, "email")).isNull();
    assertThat(column(row, "ip_address")).isNull();
    assertThat(row.payload().get("email").asText()).isEqualTo("ana@example.com");
    RuleViolation bad =
        catchThrowableOfType(
            RuleViolation.class, () -> rulesOnly.validate(envelope("user_action", payload.replace("\"ana@example.com\"", "42")), SOURCE));
    assertThat(bad.rule().id()).isEqualTo(violation("user_action", payload.replace("\"ana@example.com\"", "42")).rule().id()).startsWith("user_action.email");
  }

  @Test
  void cleansesAUserActionAndPseudonymizesItsPii() throws Exception {
    SilverValidator.SilverRow row =
        valid(
            "user_action",
            "{\"user_id\":\" u-1 \",\"session_id\":\"\",\"action\":\"Add_To_Cart\",\"resource\":\"/p/1\","
                + "\"email\":\" Ana@Example.COM \",\"ip_address\":\" 10.0.0.1 \",\"properties\":{\"n\":1,\"ok\":true,\"x\":null,\"deep\":{\"a\":[1]}},"
                + "\"unknown_extra\":\"ignored\"}");

    Pseudonymizer pseudonymizer = new Pseudonymizer(KEY);
    assertThat(row.table()).isEqualTo(SilverTable.USER_ACTIONS);
    assertThat(column(row, "event_date")).isEqualTo((int) LocalDate.parse("2026-11-22").toEpochDay());
    assertThat(column(row, "event_id")).isEqualTo(s(ID));
    assertThat(column(row, "event_time")).isEqualTo(TimestampData.fromInstant(EVENT_TIME));
    assertThat(column(row, "source_system")).isEqualTo(s("web"));
    assertThat(column(row, "schema_version")).isEqualTo(1);
    assertThat(column(row, "metadata")).isEqualTo(new GenericMapData(Map.of(s("region"), s("eu-west-1"))));
    assertThat(column(row, "source_topic")).isEqualTo(s("raw.events"));
    assertThat(column(row, "source_partition")).isEqualTo(3);
    assertThat(column(row, "source_offset")).isEqualTo(99L);
    assertThat(column(row, "user_id")).isEqualTo(s("u-1"));
    assertThat(column(row, "session_id")).as("blank optional text is absent").isNull();
    assertThat(column(row, "action")).isEqualTo(s("add_to_cart"));
    assertThat(column(row, "resource")).isEqualTo(s("/p/1"));
    assertThat(column(row, "email")).isEqualTo(s(pseudonymizer.pseudonym("ana@example.com")));
    assertThat(column(row, "ip_address")).isEqualTo(s(pseudonymizer.pseudonym("10.0.0.1")));
    assertThat(column(row, "properties"))
        .isEqualTo(new GenericMapData(Map.of(s("n"), s("1"), s("ok"), s("true"), s("deep"), s("{\"a\":[1]}"))));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"12.5\"   | eur | 12.5000",
        "12.50      | EUR | 12.5000",
        "\" 7 \"    | usd | 7.0000",
        "1200       | JPY | 1200.0000",
        "\"1200.00\"| jpy | 1200.0000",
        "0          | KWD | 0.0000",
        "1.125      | KWD | 1.1250",
      })
  void acceptsAmountsAsNumbersOrNumericStringsWithinTheCurrencysMinorDigits(String amount, String currency, String expected)
      throws Exception {
    SilverValidator.SilverRow row = valid("transaction", transaction(amount, "\"" + currency + "\""));
    assertThat(column(row, "amount")).isEqualTo(DecimalData.fromBigDecimal(new BigDecimal(expected), 20, 4));
    assertThat(column(row, "currency")).isEqualTo(s(currency.strip().toUpperCase()));
    assertThat(column(row, "status")).isEqualTo(s("captured"));
    assertThat(column(row, "payment_method")).isEqualTo(s("card"));
    assertThat(column(row, "card_last4")).isEqualTo(s("1234"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "12.5       | \"JPY\" | INVALID_FIELD | amount   | transaction.amount.minor_digits",
        "1.001      | \"EUR\" | INVALID_FIELD | amount   | transaction.amount.minor_digits",
        "-0.01      | \"EUR\" | INVALID_FIELD | amount   | transaction.amount.non_negative",
        "\"12,50\"  | \"EUR\" | INVALID_FIELD | amount   | transaction.amount.type",
        "true       | \"EUR\" | INVALID_FIELD | amount   | transaction.amount.type",
        "\"  \"     | \"EUR\" | MISSING_FIELD | amount   | transaction.amount.required",
        "1e17       | \"EUR\" | INVALID_FIELD | amount   | transaction.amount.type",
        "1          | \"ZZZ\" | INVALID_FIELD | currency | transaction.currency.iso4217",
        "1          | \"XAU\" | INVALID_FIELD | currency | transaction.currency.iso4217",
        "1          | 978     | INVALID_FIELD | currency | transaction.currency.type",
        "1          | null    | MISSING_FIELD | currency | transaction.currency.required",
      })
  void rejectsBadAmountsAndCurrencies(String amount, String currency, ErrorCode code, String field, String rule) {
    RuleViolation violation = violation("transaction", transaction(amount, currency));
    assertThat(violation.rule().id()).isEqualTo(rule);
    assertThat(violation.toRejection().code()).isEqualTo(code);
    assertThat(violation.toRejection().field()).isEqualTo(field);
  }

  private static String transaction(String amount, String currency) {
    return "{\"transaction_id\":\"t-1\",\"account_id\":\"a-1\",\"amount\":" + amount + ",\"currency\":" + currency
        + ",\"merchant_id\":\"m-1\",\"status\":\"CAPTURED\",\"payment_method\":\" Card \",\"card_number\":\"4111 1111-1111 1234\"}";
  }

  @Test
  void cutsCardNumbersToTheirLastFourDigitsAndRejectsWhatIsNoCardNumber() throws Exception {
    assertThat(column(valid("transaction", transaction("1", "\"EUR\"").replace("4111 1111-1111 1234", "98765")), "card_last4"))
        .isEqualTo(s("8765"));
    assertThat(violation("transaction", transaction("1", "\"EUR\"").replace("4111 1111-1111 1234", "123")).rule().id())
        .isEqualTo("transaction.card_number.digits");
    assertThat(violation("transaction", transaction("1", "\"EUR\"").replace("4111 1111-1111 1234", "4111x1234")).rule().id())
        .isEqualTo("transaction.card_number.digits");
  }

  @Test
  void normalizesLevelsAndCountsMessageLengthInCharactersNotBytes() throws Exception {
    String emoji = "\uD83D\uDE80";
    SilverValidator.SilverRow row =
        valid("system", "{\"service\":\" checkout \",\"level\":\"warn\",\"message\":\"" + emoji.repeat(4096) + "\",\"code\":\"E1\"}");
    assertThat(column(row, "level")).isEqualTo(s("WARN"));
    assertThat(column(row, "service")).isEqualTo(s("checkout"));
    assertThat(column(row, "host")).isNull();
    assertThat(((StringData) column(row, "message")).toString()).isEqualTo(emoji.repeat(4096));

    RuleViolation tooLong = violation("system", "{\"service\":\"s\",\"level\":\"INFO\",\"message\":\"" + "é".repeat(4097) + "\"}");
    assertThat(tooLong.rule().id()).isEqualTo("system.message.max_length");
    assertThat(tooLong.getMessage()).isEqualTo("message has 4097 characters, more than 4096");
    assertThat(violation("system", "{\"service\":\"s\",\"level\":\"verbose\",\"message\":\"m\"}").rule().id())
        .isEqualTo("system.level.allowed");
    assertThat(violation("system", "{\"service\":\"   \",\"level\":\"INFO\",\"message\":\"m\"}").toRejection())
        .isEqualTo(io.medallion.common.event.Rejection.ofField(ErrorCode.MISSING_FIELD, "service", "service is missing"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"cpu.load\"  | 0.75         | ",
        "\"http_2xx\"  | \"12.5\"     | ",
        "\"CPU.load\"  | 1            | metric.name.pattern",
        "\"9lives\"    | 1            | metric.name.pattern",
        "\"cpu load\"  | 1            | metric.name.pattern",
        "\"cpu\"       | \"NaN\"      | metric.value.finite",
        "\"cpu\"       | \"-Infinity\"| metric.value.finite",
        "\"cpu\"       | 1e400        | metric.value.finite",
        "\"cpu\"       | \"high\"     | metric.value.type",
        "\"cpu\"       | [1]          | metric.value.type",
      })
  void checksMetricNamesAndFiniteValues(String name, String value, String rule) throws Exception {
    String payload = "{\"name\":" + name + ",\"value\":" + value + ",\"tags\":{\"host\":\"n1\"}}";
    if (rule == null) {
      SilverValidator.SilverRow row = valid("metric", payload);
      assertThat(column(row, "value")).isEqualTo(Double.parseDouble(value.replace("\"", "")));
      assertThat(column(row, "tags")).isEqualTo(new GenericMapData(Map.of(s("host"), s("n1"))));
    } else {
      assertThat(violation("metric", payload).rule().id()).isEqualTo(rule);
    }
  }

  @Test
  void rejectsUnknownTypesUnsupportedVersionsAndTimestampsOutOfRange() {
    assertThat(violation(envelope("refund", "{}")).toRejection().code()).isEqualTo(ErrorCode.UNKNOWN_EVENT_TYPE);
    assertThat(violation(envelope("refund", "{}")).toRejection().field()).isEqualTo("event_type");
    Envelope v2 = new Envelope(ID, "metric", 2, "agent", EVENT_TIME, "{\"name\":\"a\",\"value\":1}", Map.of());
    assertThat(violation(v2).toRejection().code()).isEqualTo(ErrorCode.UNSUPPORTED_SCHEMA_VERSION);
    assertThat(violation(v2).toRejection().field()).isEqualTo("schema_version");

    Instant tooNew = SOURCE.timestamp().plus(Duration.ofMinutes(5)).plusMillis(1);
    Instant tooOld = SOURCE.timestamp().minus(Duration.ofDays(7)).minusMillis(1);
    for (Instant time : List.of(tooNew, tooOld)) {
      Envelope e = new Envelope(ID, "metric", 1, "agent", time, "{\"name\":\"a\",\"value\":1}", Map.of());
      assertThat(violation(e).toRejection().code()).as(time.toString()).isEqualTo(ErrorCode.TIMESTAMP_OUT_OF_RANGE);
      assertThat(violation(e).toRejection().field()).isEqualTo("event_timestamp");
    }
    Envelope edge = new Envelope(ID, "metric", 1, "agent", SOURCE.timestamp().plus(Duration.ofMinutes(5)), "{\"name\":\"a\",\"value\":1}", Map.of());
    assertThat(catchThrowableOfType(RuleViolation.class, () -> validator.validate(edge, SOURCE))).isNull();
  }

  @Test
  void rejectsFieldsOfTheWrongJsonTypeAndMissingRequiredFields() {
    RuleViolation number = violation("user_action", "{\"user_id\":42,\"action\":\"view\",\"resource\":\"/\"}");
    assertThat(number.rule().id()).isEqualTo("user_action.user_id.type");
    assertThat(number.getMessage()).isEqualTo("user_id is a number, not a string");
    assertThat(violation("user_action", "{\"user_id\":\"u\",\"resource\":\"/\"}").rule().id()).isEqualTo("user_action.action.required");
    assertThat(violation("user_action", "{\"user_id\":\"u\",\"action\":\"view\",\"resource\":\"/\",\"properties\":[1]}").rule().id())
        .isEqualTo("user_action.properties.type");
    assertThat(violation("user_action", "[1]").rule()).isEqualTo(Rules.PAYLOAD_JSON);
    assertThat(violation("user_action", "{\"user_id\":").rule()).isEqualTo(Rules.PAYLOAD_JSON);
  }

  @Test
  void everyRuleHasAUniqueIdAndEveryFieldItsPresenceAndTypeRules() {
    Set<String> ids = new HashSet<>();
    for (Rule rule : Rules.ALL) {
      assertThat(ids.add(rule.id())).as(rule.id()).isTrue();
    }
    for (SilverTable table : SilverTable.values()) {
      for (PayloadField field : table.payload()) {
        assertThat(ids).contains(table.eventType() + "." + field.name() + ".type");
        assertThat(ids.contains(table.eventType() + "." + field.name() + ".required")).isEqualTo(field.isRequired());
      }
    }
  }

  @Test
  void pseudonymizesWithHmacSha256() {
    // RFC 4231, test case 2.
    assertThat(new Pseudonymizer("Jefe").pseudonym("what do ya want for nothing?"))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assertThat(new Pseudonymizer("secret-key")).hasToString("Pseudonymizer{HmacSHA256, key hidden}");
  }
}
