package io.medallion.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/**
 * The FlinkDeployment CRD's {@code openAPIV3Schema} as the API server applies it under strict field
 * validation (kubectl's default): a field the schema does not declare is an error, except below a
 * node marked {@code x-kubernetes-preserve-unknown-fields} (flinkConfiguration). JSON Schema allows
 * unknown fields by default, so every closed object schema gets {@code additionalProperties: false}.
 * The root also declares what the API server checks itself: apiVersion, kind and the metadata this
 * repository uses.
 */
final class CrdSchema {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonNode crd;
  private final Schema schema;

  private CrdSchema(JsonNode crd) {
    this.crd = crd;
    JsonNode version = crd.at("/spec/versions/0");
    ObjectNode root = strict(version.at("/schema/openAPIV3Schema").deepCopy());
    ObjectNode properties = (ObjectNode) root.get("properties");
    properties.putObject("apiVersion").put("type", "string").putArray("enum").add(apiVersion());
    properties.putObject("kind").put("type", "string").putArray("enum").add(kind());
    ObjectNode metadata = properties.putObject("metadata").put("type", "object").put("additionalProperties", false);
    metadata.putArray("required").add("name");
    ObjectNode fields = metadata.putObject("properties");
    fields.putObject("name").put("type", "string");
    fields.putObject("namespace").put("type", "string");
    for (String map : List.of("labels", "annotations")) {
      fields.putObject(map).put("type", "object").putObject("additionalProperties").put("type", "string");
    }
    root.putArray("required").add("apiVersion").add("kind").add("metadata").add("spec");
    schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(root);
  }

  /** The schema of the vendored CRD. */
  static CrdSchema load() {
    return new CrdSchema(Kustomize.single(Deploy.CRD));
  }

  String apiVersion() {
    return crd.at("/spec/group").asText() + "/" + crd.at("/spec/versions/0/name").asText();
  }

  String kind() {
    return crd.at("/spec/names/kind").asText();
  }

  /** Every violation, as {@code /instance/path: message}; empty when the resource is accepted. */
  List<String> validate(JsonNode resource) {
    return schema.validate(resource).stream().map(Error::toString).toList();
  }

  private static ObjectNode strict(ObjectNode node) {
    if (node.has("properties")) {
      node.get("properties").forEach(child -> strict((ObjectNode) child));
    }
    if (node.get("items") instanceof ObjectNode items) {
      strict(items);
    }
    if (node.get("additionalProperties") instanceof ObjectNode values) {
      strict(values);
    }
    if (node.get("anyOf") instanceof ArrayNode alternatives) {
      alternatives.forEach(alternative -> strict((ObjectNode) alternative));
    }
    boolean object = node.has("properties") || "object".equals(node.path("type").asText());
    boolean open = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) || node.has("additionalProperties");
    if (object && !open) {
      node.set("additionalProperties", NODES.booleanNode(false));
    }
    return node;
  }
}
