package io.medallion.common.flink;

import io.medallion.common.audit.Ledger;

/**
 * A function that counts what it does with each record in a {@link Ledger}; run it in one of
 * {@link AuditedOperators}' operators, which drain the ledger into {@code audit.ledger} rows.
 */
public interface Audited {
  /** The function's ledger; available from {@code open} on. */
  Ledger ledger();
}
