package io.medallion.common.silver;

import io.medallion.common.event.Rejection;

/**
 * A record broke a rule. Thrown inside validation to stop at the first violation (without a stack
 * trace, it is control flow), and turned into the {@link Rejection} of the dead letter.
 */
public final class RuleViolation extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Rule rule;

  RuleViolation(Rule rule, String message) {
    super(message, null, false, false);
    this.rule = rule;
  }

  public Rule rule() {
    return rule;
  }

  public Rejection toRejection() {
    return Rejection.ofField(rule.code(), rule.field(), getMessage());
  }
}
