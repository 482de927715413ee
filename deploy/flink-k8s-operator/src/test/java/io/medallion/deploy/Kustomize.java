package io.medallion.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders a kustomization directory into the resources {@code kubectl apply -k DIR} would receive,
 * for the subset of kustomize this repository uses, so that tests need no kubectl. Anything outside
 * that subset fails loudly instead of rendering something kustomize would not:
 *
 * <ul>
 *   <li>{@code resources}: YAML files inside the kustomization, or kustomization directories;
 *   <li>{@code configMapGenerator}, {@code secretGenerator} from files and literals, behaviors
 *       create, merge and replace, with {@code disableNameSuffixHash: true} (kustomize's name
 *       hash is not reimplemented);
 *   <li>{@code patches}: JSON 6902 patches (RFC 6902), and strategic-merge patches of custom
 *       resources, which kustomize applies as JSON merge patches (RFC 7386) as long as no list
 *       meets a list — that case, and patch directives, are rejected;
 *   <li>{@code namespace}, for the namespaced kinds of this repository only.
 * </ul>
 *
 * Order as in kustomize: resources, generators, patches, namespace. {@link KubectlKustomizeTest}
 * compares the result with kustomize itself wherever kubectl is installed.
 */
final class Kustomize {
  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Set<String> FIELDS =
      Set.of("apiVersion", "kind", "resources", "namespace", "patches", "configMapGenerator", "secretGenerator", "generatorOptions");
  private static final Set<String> GENERATOR_FIELDS = Set.of("name", "behavior", "files", "literals", "options", "type");
  private static final Set<String> GENERATOR_OPTIONS = Set.of("labels", "disableNameSuffixHash");
  private static final Set<String> PATCH_FIELDS = Set.of("path", "patch", "target");
  private static final Set<String> TARGET_FIELDS = Set.of("group", "version", "kind", "name");
  /** Kinds whose namespace kustomize sets in metadata only (no references to rewrite elsewhere). */
  private static final Set<String> NAMESPACED_KINDS = Set.of("FlinkDeployment", "ConfigMap", "Secret", "PodMonitor", "PrometheusRule");

  private Kustomize() {}

  /** The resources of the kustomization in {@code dir}, as {@code kubectl kustomize dir} renders them. */
  static List<ObjectNode> build(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    JsonNode kustomization = single(root.resolve("kustomization.yaml"));
    Set<String> unsupported = new TreeSet<>();
    kustomization.fieldNames().forEachRemaining(f -> {
      if (!FIELDS.contains(f)) {
        unsupported.add(f);
      }
    });
    require(unsupported.isEmpty(), root + ": kustomization fields not implemented by this renderer: " + unsupported);
    require(text(kustomization, "kind", "Kustomization").equals("Kustomization"), root + ": kind must be Kustomization");

    Map<String, ObjectNode> resources = new LinkedHashMap<>();
    for (JsonNode entry : kustomization.path("resources")) {
      Path path = root.resolve(entry.asText()).normalize();
      if (Files.isDirectory(path)) {
        build(path).forEach(r -> add(resources, r, path));
      } else {
        for (JsonNode doc : documents(inside(root, path))) {
          require(doc.isObject() && doc.hasNonNull("apiVersion") && doc.hasNonNull("kind") && doc.path("metadata").hasNonNull("name"),
              path + ": every document must be a resource with apiVersion, kind and metadata.name");
          add(resources, (ObjectNode) doc, path);
        }
      }
    }

    JsonNode options = kustomization.path("generatorOptions");
    checkFields(options, GENERATOR_OPTIONS, root + ": generatorOptions");
    for (JsonNode generator : kustomization.path("configMapGenerator")) {
      generate(root, resources, generator, options, false);
    }
    for (JsonNode generator : kustomization.path("secretGenerator")) {
      generate(root, resources, generator, options, true);
    }

    for (JsonNode patch : kustomization.path("patches")) {
      patch(root, resources, patch);
    }

    if (kustomization.hasNonNull("namespace")) {
      String namespace = kustomization.get("namespace").asText();
      for (ObjectNode resource : resources.values()) {
        String kind = resource.get("kind").asText();
        require(NAMESPACED_KINDS.contains(kind), root + ": namespace: kind " + kind + " is not one this renderer knows to be namespaced without references");
        ((ObjectNode) resource.get("metadata")).put("namespace", namespace);
      }
    }
    return List.copyOf(resources.values());
  }

  /** Every non-empty YAML document of a file (a document that is a list stays one list). */
  static List<JsonNode> documents(Path file) {
    try (JsonParser parser = YAML.getFactory().createParser(file.toFile())) {
      List<JsonNode> result = new ArrayList<>();
      while (parser.nextToken() != null) {
        JsonNode doc = YAML.readTree(parser);
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          result.add(doc);
        }
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static JsonNode single(Path file) {
    List<JsonNode> docs = documents(file);
    require(docs.size() == 1, file + ": expected exactly one YAML document, found " + docs.size());
    return docs.get(0);
  }

  private static void generate(Path root, Map<String, ObjectNode> resources, JsonNode generator, JsonNode options, boolean secret) {
    String where = root + ": " + (secret ? "secretGenerator " : "configMapGenerator ") + generator.path("name").asText("?");
    checkFields(generator, GENERATOR_FIELDS, where);
    JsonNode own = generator.path("options");
    checkFields(own, GENERATOR_OPTIONS, where + " options");
    boolean noHash = own.has("disableNameSuffixHash")
        ? own.get("disableNameSuffixHash").asBoolean()
        : options.path("disableNameSuffixHash").asBoolean(false);
    require(noHash, where + ": needs disableNameSuffixHash: true (kustomize's name hash is not reimplemented here)");
    require(secret || !generator.has("type"), where + ": type is for secrets only");

    Map<String, String> data = new LinkedHashMap<>();
    for (JsonNode file : generator.path("files")) {
      String spec = file.asText();
      int eq = spec.indexOf('=');
      Path path = inside(root, root.resolve(eq < 0 ? spec : spec.substring(eq + 1)).normalize());
      String key = eq < 0 ? path.getFileName().toString() : spec.substring(0, eq);
      try {
        require(data.put(key, Files.readString(path, StandardCharsets.UTF_8)) == null, where + ": key " + key + " twice");
      } catch (IOException e) {
        throw new UncheckedIOException(where + ": cannot read " + path, e);
      }
    }
    for (JsonNode literal : generator.path("literals")) {
      String spec = literal.asText();
      int eq = spec.indexOf('=');
      require(eq > 0, where + ": literal " + spec + " is not key=value");
      String value = spec.substring(eq + 1);
      require(!value.startsWith("\"") && !value.startsWith("'"), where + ": quoted literals are not implemented");
      require(data.put(spec.substring(0, eq), value) == null, where + ": key " + spec.substring(0, eq) + " twice");
    }

    ObjectNode resource = JsonNodeFactory.instance.objectNode();
    resource.put("apiVersion", "v1").put("kind", secret ? "Secret" : "ConfigMap");
    ObjectNode metadata = resource.putObject("metadata").put("name", generator.get("name").asText());
    ObjectNode labels = JsonNodeFactory.instance.objectNode();
    options.path("labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
    own.path("labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
    if (!labels.isEmpty()) {
      metadata.set("labels", labels);
    }
    if (secret) {
      resource.put("type", generator.path("type").asText("Opaque"));
    }
    ObjectNode encoded = resource.putObject("data");
    data.forEach((k, v) -> encoded.put(k, secret ? Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)) : v));

    String id = id(resource);
    String behavior = generator.path("behavior").asText("create");
    switch (behavior) {
      case "create" -> add(resources, resource, root);
      case "replace" -> {
        require(resources.containsKey(id), where + ": behavior replace, but there is nothing to replace");
        resources.put(id, resource);
      }
      case "merge" -> {
        ObjectNode existing = resources.get(id);
        require(existing != null, where + ": behavior merge, but there is nothing to merge into");
        existing.withObjectProperty("data").setAll(encoded);
        if (!labels.isEmpty()) {
          ((ObjectNode) existing.get("metadata")).withObjectProperty("labels").setAll(labels);
        }
      }
      default -> throw new IllegalStateException(where + ": unknown behavior " + behavior);
    }
  }

  private static void patch(Path root, Map<String, ObjectNode> resources, JsonNode entry) {
    String where = root + ": patch " + entry.path("path").asText("(inline)");
    checkFields(entry, PATCH_FIELDS, where);
    require(entry.has("path") != entry.has("patch"), where + ": needs exactly one of path and patch");
    JsonNode patch;
    if (entry.has("path")) {
      patch = single(inside(root, root.resolve(entry.get("path").asText()).normalize()));
    } else {
      try {
        patch = YAML.readTree(entry.get("patch").asText());
      } catch (IOException e) {
        throw new UncheckedIOException(where, e);
      }
    }
    JsonNode target = entry.path("target");
    checkFields(target, TARGET_FIELDS, where + " target");
    target.fields().forEachRemaining(f ->
        require(f.getValue().asText().matches("[A-Za-z0-9._/-]+"), where + ": target." + f.getKey() + " must be a plain name (selectors and regular expressions are not implemented)"));

    List<ObjectNode> matched = new ArrayList<>();
    if (patch.isArray()) {
      require(!target.isMissingNode(), where + ": a JSON 6902 patch needs a target");
      resources.values().stream().filter(r -> selected(r, target)).forEach(matched::add);
    } else {
      require(patch.isObject(), where + ": a patch is a list of operations or a resource");
      if (target.isMissingNode()) {
        resources.values().stream()
            .filter(r -> r.get("apiVersion").equals(patch.get("apiVersion")) && r.get("kind").equals(patch.get("kind"))
                && r.get("metadata").get("name").equals(patch.path("metadata").get("name")))
            .forEach(matched::add);
      } else {
        resources.values().stream().filter(r -> selected(r, target)).forEach(matched::add);
      }
    }
    require(!matched.isEmpty(), where + ": matches no resource");

    for (ObjectNode resource : matched) {
      ObjectNode patched;
      if (patch.isArray()) {
        JsonArray operations = (JsonArray) toJsonP(patch);
        patched = (ObjectNode) fromJsonP(Json.createPatch(operations).apply((JsonStructure) toJsonP(resource)));
      } else {
        require(resource.get("apiVersion").equals(patch.get("apiVersion")) && resource.get("kind").equals(patch.get("kind")),
            where + ": the patch's apiVersion and kind must be those of its targets");
        ObjectNode merge = patch.deepCopy();
        ObjectNode metadata = (ObjectNode) merge.path("metadata");
        require(!metadata.has("namespace"), where + ": a patch names no namespace");
        metadata.remove("name");
        if (metadata.isEmpty()) {
          merge.remove("metadata");
        }
        merge.remove(List.of("apiVersion", "kind"));
        checkMergeable(resource, merge, where, "");
        patched = (ObjectNode) fromJsonP(Json.createMergePatch(toJsonP(merge)).apply(toJsonP(resource)));
      }
      resources.put(id(resource), patched);
    }
  }

  /**
   * Where a strategic merge and a JSON merge patch could differ, refuse: patch directives, a list
   * meeting a list (kustomize may merge those by key, a merge patch replaces them), and an empty
   * map or list over an existing value.
   */
  private static void checkMergeable(JsonNode target, JsonNode patch, String where, String path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String at = path + "/" + field.getKey();
      require(!field.getKey().startsWith("$"), where + ": patch directive at " + at + " is not implemented");
      JsonNode existing = target == null ? null : target.get(field.getKey());
      JsonNode value = field.getValue();
      if (existing == null || existing.isNull()) {
        continue;
      }
      require(!value.isArray() && !existing.isArray(), where + ": " + at + " would merge a list; use a JSON 6902 patch");
      require(!(value.isContainerNode() && value.isEmpty()), where + ": " + at + " is empty over an existing value");
      if (value.isObject()) {
        checkMergeable(existing, value, where, at);
      }
    }
  }

  private static boolean selected(JsonNode resource, JsonNode target) {
    String apiVersion = resource.get("apiVersion").asText();
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    return matches(target, "group", group)
        && matches(target, "version", version)
        && matches(target, "kind", resource.get("kind").asText())
        && matches(target, "name", resource.get("metadata").get("name").asText());
  }

  private static boolean matches(JsonNode target, String field, String value) {
    return !target.has(field) || target.get(field).asText().equals(value);
  }

  private static void add(Map<String, ObjectNode> resources, ObjectNode resource, Path from) {
    require(resources.put(id(resource), resource.deepCopy()) == null, from + ": " + id(resource) + " is defined twice");
  }

  /** The identity kustomize keeps resources apart by. */
  static String id(JsonNode resource) {
    JsonNode metadata = resource.get("metadata");
    return resource.get("apiVersion").asText() + " " + resource.get("kind").asText() + " "
        + metadata.path("namespace").asText("") + "/" + metadata.get("name").asText();
  }

  private static Path inside(Path root, Path path) {
    require(path.startsWith(root), path + " is outside the kustomization " + root + " (kustomize's load restrictor refuses it)");
    return path;
  }

  private static void checkFields(JsonNode node, Set<String> known, String where) {
    node.fieldNames().forEachRemaining(f -> require(known.contains(f), where + ": field " + f + " is not implemented by this renderer"));
  }

  private static String text(JsonNode node, String field, String fallback) {
    return node.path(field).asText(fallback);
  }

  private static JsonValue toJsonP(JsonNode node) {
    try {
      return Json.createReader(new StringReader(JSON.writeValueAsString(node))).readValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode fromJsonP(JsonValue value) {
    try {
      return JSON.readTree(value.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
