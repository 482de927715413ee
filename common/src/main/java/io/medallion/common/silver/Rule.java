package io.medallion.common.silver;

import io.medallion.common.event.ErrorCode;

/**
 * One validation rule of shared/DESIGN.md §3: a stable id (the label under which violations are
 * counted, e.g. {@code transaction.amount.non_negative}), the error code and field a violation is
 * dead-lettered with, and what it checks. Every rule is listed in {@link Rules#ALL}.
 */
public record Rule(String id, ErrorCode code, String field, String description) {

  /** A violation of this rule with a message about the offending value. */
  public RuleViolation violated(String message) {
    return new RuleViolation(this, message);
  }
}
