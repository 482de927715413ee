package io.medallion.common.event;


/**
 * Why a record cannot go on: the content of a dead letter's {@code dlq.error.*} headers.
 *
 * @param code the error code
 * @param field the one field at fault, or null when the whole record is
 * @param message a human-readable reason; never contains configuration secrets
 * @param exceptionClass the class of the exception that caused the rejection, if one did
 */
public record Rejection(
    ErrorCode code,
    String field,
    String message,
    String exceptionClass) {

  public static Rejection of(ErrorCode code, String message) {
    return new Rejection(code, null, message, null);
  }

  public static Rejection ofField(ErrorCode code, String field, String message) {
    return new Rejection(code, field, message, null);
  }

  public static Rejection ofException(ErrorCode code, String message, Throwable cause) {
    return new Rejection(code, null, message, cause.getClass().getName());
  }
}
