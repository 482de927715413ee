package io.medallion.common.silver;

import io.medallion.common.event.ErrorCode;
import java.util.List;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;

/**
 * How a payload field is checked and normalized, and the column type it becomes. Each kind names
 * the rules it can break beyond presence ({@code required}) and JSON type ({@code type}); {@link
 * PayloadField} turns them into {@link Rule}s with stable ids.
 */
public enum FieldKind {
  /** Trimmed text. */
  TEXT(DataTypes.STRING()),
  /** Trimmed, lower-cased, one of the allowed values. */
  LOWER_ENUM(DataTypes.STRING(), "allowed"),
  /** Trimmed, upper-cased, one of the allowed values. */
  UPPER_ENUM(DataTypes.STRING(), "allowed"),
  /** An ISO-4217 code with minor units, upper-cased. */
  CURRENCY(DataTypes.STRING(), "iso4217"),
  /** A JSON number or numeric string, exact, at least zero, within the currency's minor digits. */
  AMOUNT(DataTypes.DECIMAL(SilverTable.AMOUNT_PRECISION, SilverTable.AMOUNT_SCALE), "non_negative", "minor_digits"),
  /** Trimmed text matching {@code [a-z][a-z0-9_.]*}. */
  METRIC_NAME(DataTypes.STRING(), "pattern"),
  /** A JSON number or numeric string that is finite. */
  FINITE_DOUBLE(DataTypes.DOUBLE(), "finite"),
  /** Trimmed text of at most {@link SilverTable#MAX_MESSAGE_CODE_POINTS} characters. */
  MESSAGE(DataTypes.STRING(), "max_length"),
  /** A JSON object; scalar values as text, nested values as JSON text, nulls dropped. */
  STRING_MAP(DataTypes.MAP(DataTypes.STRING().notNull(), DataTypes.STRING())),
  /** Trimmed, lower-cased, then replaced by its keyed HMAC-SHA256 (PII). */
  EMAIL(DataTypes.STRING()),
  /** Trimmed, then replaced by its keyed HMAC-SHA256 (PII). */
  IP_ADDRESS(DataTypes.STRING()),
  /** Only the last four of its digits are kept (PII); fewer than four digits is invalid. */
  CARD_NUMBER(DataTypes.STRING(), "digits");

  private final DataType columnType;
  private final List<String> checks;

  FieldKind(DataType columnType, String... checks) {
    this.columnType = columnType;
    this.checks = List.of(checks);
  }

  DataType columnType() {
    return columnType;
  }

  /** The kind-specific checks; every kind also has {@code type}, required fields {@code required}. */
  List<String> checks() {
    return checks;
  }

  /** All kind-specific checks are value checks: a field present with the wrong value. */
  static ErrorCode codeOf(String check) {
    return check.equals("required") ? ErrorCode.MISSING_FIELD : ErrorCode.INVALID_FIELD;
  }
}
