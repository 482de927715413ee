package io.medallion.common.silver;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One field of an event type's payload: its JSON name, the column it becomes, how it is checked
 * and normalized, and the rules it can break.
 */
public final class PayloadField {
  private final String eventType;
  private final String name;
  private final String column;
  private final FieldKind kind;
  private final boolean required;
  private final Set<String> allowed;
  private final Map<String, Rule> rules = new LinkedHashMap<>();

  PayloadField(String eventType, String name, String column, FieldKind kind, boolean required, Set<String> allowed) {
    this.eventType = eventType;
    this.name = name;
    this.column = column;
    this.kind = kind;
    this.required = required;
    this.allowed = allowed;
    if (required) {
      add("required", name + " is required");
    }
    add("type", name + " has the JSON type of a " + kind.name().toLowerCase(java.util.Locale.ROOT));
    for (String check : kind.checks()) {
      add(check, name + " passes " + check + (allowed.isEmpty() ? "" : " " + allowed));
    }
  }

  static PayloadField required(String eventType, String name, FieldKind kind, String... allowed) {
    return new PayloadField(eventType, name, name, kind, true, Set.of(allowed));
  }

  static PayloadField optional(String eventType, String name, FieldKind kind, String... allowed) {
    return new PayloadField(eventType, name, name, kind, false, Set.of(allowed));
  }

  /** An optional field stored under another column name (e.g. card_number → card_last4). */
  static PayloadField optionalAs(String eventType, String name, String column, FieldKind kind) {
    return new PayloadField(eventType, name, column, kind, false, Set.of());
  }

  private void add(String check, String description) {
    String id = eventType + "." + name + "." + check;
    rules.put(check, new Rule(id, FieldKind.codeOf(check), name, description));
  }

  public String name() {
    return name;
  }

  public String column() {
    return column;
  }

  public FieldKind kind() {
    return kind;
  }

  public boolean isRequired() {
    return required;
  }

  public Set<String> allowed() {
    return allowed;
  }

  /** The rule of a check this field has ({@code required}, {@code type} or one of its kind's). */
  Rule rule(String check) {
    Rule rule = rules.get(check);
    if (rule == null) {
      throw new IllegalArgumentException(name + " has no check " + check);
    }
    return rule;
  }

  public java.util.Collection<Rule> rules() {
    return rules.values();
  }
}
