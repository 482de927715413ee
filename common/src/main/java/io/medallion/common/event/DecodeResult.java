package io.medallion.common.event;

/** The outcome of decoding one record: an envelope or a rejection, never an exception. */
public sealed interface DecodeResult {

  record Decoded(Envelope envelope) implements DecodeResult {}

  record Rejected(Rejection rejection) implements DecodeResult {}
}
