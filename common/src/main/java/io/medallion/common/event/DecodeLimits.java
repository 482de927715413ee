package io.medallion.common.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * The limits a raw record's JSON must stay within, declared once. Jackson's defaults (nesting
 * 1,000 deep, 20 MB strings, 1,000-digit numbers, 50,000-character names) are far above anything
 * an envelope needs and let one small record cost a worker much CPU or stack; these are tight
 * enough to bound the work per record and loose enough for every valid event of shared/DESIGN.md
 * §3. A record beyond one of them is dead-lettered as {@link ErrorCode#RECORD_TOO_LARGE}.
 *
 * <p>The record size itself is {@code max-record-bytes} (configurable); it is checked before
 * parsing and is also the parser's document length limit.
 */
public final class DecodeLimits {
  /** Objects and arrays nested deeper than this: the envelope is 1, its payload 2, a payload map 3. */
  public static final int MAX_NESTING_DEPTH = 64;
  /**
   * Characters of one string value that the decoder reads (envelope fields, metadata values);
   * payload strings are skipped, not read, so only max-record-bytes bounds them.
   */
  public static final int MAX_STRING_LENGTH = 65_536;
  /** Characters of one number, anywhere in the record: an amount has at most 38 digits. */
  public static final int MAX_NUMBER_LENGTH = 100;
  /** Characters of one object key, anywhere in the record. */
  public static final int MAX_NAME_LENGTH = 1_024;

  private DecodeLimits() {}

  /**
   * The JSON factory that parses raw records: these limits, a document limit of {@code
   * maxDocumentBytes} (0 for none), and duplicate keys rejected, because two consumers of one
   * record could otherwise each see a different {@code event_id} or amount.
   */
  static JsonFactory jsonFactory(long maxDocumentBytes) {
    return JsonFactory.builder()
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxDocumentLength(maxDocumentBytes > 0 ? maxDocumentBytes : -1)
                .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
  }
}
