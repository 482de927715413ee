package io.medallion.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Realistic raw events of the four types (shared/DESIGN.md §3), reproducible from a seed. Tests
 * build exact inputs with it; the data generator of {@code medallion generate} and the demo use
 * it for volume.
 */
public final class EventFactory {
  public static final List<String> EVENT_TYPES = List.of("user_action", "transaction", "system", "metric");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] ACTIONS = {"view", "click", "search", "add_to_cart", "purchase", "login", "logout"};
  private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "JPY"};
  private static final String[] STATUSES = {"authorized", "captured", "captured", "captured", "refunded", "declined"};
  private static final String[] METHODS = {"card", "bank_transfer", "wallet"};
  private static final String[] LEVELS = {"DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR", "FATAL"};
  private static final String[] SERVICES = {"checkout", "catalog", "payments", "search", "auth"};
  private static final String[] METRICS = {"http.requests", "http.latency_ms", "queue.depth", "cpu.load"};

  private final SplittableRandom random;
  private final Instant start;
  private final Duration spread;

  /**
   * @param seed makes the sequence reproducible
   * @param start the earliest event time
   * @param spread event times are spread over [start, start + spread)
   */
  public EventFactory(long seed, Instant start, Duration spread) {
    this.random = new SplittableRandom(seed);
    this.start = start;
    this.spread = spread;
  }

  /** A random valid event of a random type. */
  public ObjectNode next() {
    return next(EVENT_TYPES.get(random.nextInt(EVENT_TYPES.size())));
  }

  /** A random valid event of the given type. */
  public ObjectNode next(String eventType) {
    ObjectNode payload = payload(eventType);
    // Drawn after the payload, as always: a seed keeps giving the same events.
    Instant time = start.plusMillis(random.nextLong(Math.max(1, spread.toMillis())));
    return envelope(uuid(), eventType, time.toString(), sourceOf(eventType), payload);
  }

  /** A random valid event of a random type at the given event time. */
  public ObjectNode nextAt(Instant time) {
    return next(EVENT_TYPES.get(random.nextInt(EVENT_TYPES.size())), time);
  }

  /**
   * A random valid event of the given type at the given event time, for inputs whose time order
   * the caller decides (e.g. history advancing through a day); start and spread are not used.
   */
  public ObjectNode next(String eventType, Instant time) {
    return envelope(uuid(), eventType, time.toString(), sourceOf(eventType), payload(eventType));
  }

  private ObjectNode payload(String eventType) {
    return switch (eventType) {
      case "user_action" -> userAction();
      case "transaction" -> transaction();
      case "system" -> systemEvent();
      case "metric" -> metric();
      default -> throw new IllegalArgumentException("unknown event type " + eventType);
    };
  }

  /** An envelope around a payload, with {@code schema_version} 1 and a region in the metadata. */
  public static ObjectNode envelope(
      String eventId, String eventType, String timestamp, String sourceSystem, ObjectNode payload) {
    ObjectNode event = JSON.createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", eventType);
    event.put("event_timestamp", timestamp);
    event.put("source_system", sourceSystem);
    event.put("schema_version", 1);
    event.set("payload", payload);
    event.putObject("metadata").put("region", "eu-west-1");
    return event;
  }

  public static byte[] bytes(ObjectNode event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String text(ObjectNode event) {
    return new String(bytes(event), StandardCharsets.UTF_8);
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static String sourceOf(String eventType) {
    return switch (eventType) {
      case "user_action" -> "web-frontend";
      case "transaction" -> "payments-api";
      case "system" -> "platform-logs";
      default -> "metrics-agent";
    };
  }

  private ObjectNode userAction() {
    ObjectNode p = JSON.createObjectNode();
    int user = random.nextInt(5_000);
    p.put("user_id", "u-" + user);
    p.put("session_id", "s-" + random.nextInt(1_000_000));
    p.put("action", ACTIONS[random.nextInt(ACTIONS.length)]);
    p.put("resource", "/products/" + random.nextInt(2_000));
    p.put("email", "user" + user + "@example.com");
    p.put("ip_address", "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256));
    p.putObject("properties").put("referrer", "search").put("device", random.nextBoolean() ? "mobile" : "desktop");
    return p;
  }

  private ObjectNode transaction() {
    ObjectNode p = JSON.createObjectNode();
    String currency = CURRENCIES[random.nextInt(CURRENCIES.length)];
    int scale = currency.equals("JPY") ? 0 : 2;
    p.put("transaction_id", "t-" + uuid());
    p.put("account_id", "a-" + random.nextInt(20_000));
    p.put("amount", BigDecimal.valueOf(random.nextLong(1, 500_000), scale));
    p.put("currency", currency);
    p.put("merchant_id", "m-" + random.nextInt(200));
    p.put("status", STATUSES[random.nextInt(STATUSES.length)]);
    p.put("payment_method", METHODS[random.nextInt(METHODS.length)]);
    p.put("card_number", "4111111111" + String.format("%06d", random.nextInt(1_000_000)));
    return p;
  }

  private ObjectNode systemEvent() {
    ObjectNode p = JSON.createObjectNode();
    p.put("service", SERVICES[random.nextInt(SERVICES.length)]);
    p.put("host", "node-" + random.nextInt(40));
    p.put("level", LEVELS[random.nextInt(LEVELS.length)]);
    p.put("code", "E" + random.nextInt(100));
    p.put("message", "request handled in " + random.nextInt(2_000) + " ms");
    return p;
  }

  private ObjectNode metric() {
    ObjectNode p = JSON.createObjectNode();
    p.put("name", METRICS[random.nextInt(METRICS.length)]);
    p.put("value", Math.round(random.nextDouble() * 100_000) / 100.0);
    p.put("unit", "ms");
    p.putObject("tags").put("host", "node-" + random.nextInt(40)).put("env", "prod");
    return p;
  }
}
