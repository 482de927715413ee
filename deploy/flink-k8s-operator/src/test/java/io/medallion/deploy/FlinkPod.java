package io.medallion.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pods a FlinkDeployment's template describes, as far as the job sees them: its environment
 * variables and the files of its ConfigMap volumes, resolved against the other rendered resources.
 */
record FlinkPod(JsonNode deployment, List<ObjectNode> resources) {

  /** An environment variable's source: a literal value, or a key of a Secret. */
  record EnvSource(String name, String value, String secret, String key) {
    boolean fromSecret() {
      return secret != null;
    }
  }

  JsonNode container() {
    return Deploy.mainContainer(deployment);
  }

  /** Every variable of the main container, by name. Only literal values and Secret keys are used here. */
  Map<String, EnvSource> env() {
    Map<String, EnvSource> env = new LinkedHashMap<>();
    for (JsonNode variable : container().path("env")) {
      String name = variable.get("name").asText();
      EnvSource source;
      if (variable.has("value")) {
        source = new EnvSource(name, variable.get("value").asText(), null, null);
      } else {
        JsonNode ref = variable.at("/valueFrom/secretKeyRef");
        if (ref.isMissingNode() || variable.get("valueFrom").size() != 1) {
          throw new IllegalStateException(Deploy.name(deployment) + ": env " + name + " is neither a value nor a secretKeyRef");
        }
        source = new EnvSource(name, null, ref.get("name").asText(), ref.get("key").asText());
      }
      if (env.put(name, source) != null) {
        throw new IllegalStateException(Deploy.name(deployment) + ": env " + name + " is set twice");
      }
    }
    return env;
  }

  /** The value of a Secret's key, when the Secret is among the rendered resources. */
  Optional<String> secretValue(String secret, String key) {
    return Deploy.ofKind(resources, "Secret").stream()
        .filter(s -> Deploy.name(s).equals(secret))
        .findFirst()
        .map(s -> s.path("data").path(key))
        .filter(JsonNode::isTextual)
        .map(v -> new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8));
  }

  /** The ConfigMap behind the volume mounted at or above {@code containerPath}, with the key below it. */
  Optional<ConfigMapFile> configMapFile(String containerPath) {
    for (JsonNode mount : container().path("volumeMounts")) {
      String mountPath = mount.get("mountPath").asText();
      Optional<String> configMap = configMap(mount);
      if (containerPath.startsWith(mountPath + "/") && configMap.isPresent()) {
        return Optional.of(new ConfigMapFile(configMap.get(), containerPath.substring(mountPath.length() + 1)));
      }
    }
    return Optional.empty();
  }

  /** The names of the ConfigMaps mounted into the main container. */
  List<String> mountedConfigMaps() {
    List<String> names = new ArrayList<>();
    container().path("volumeMounts").forEach(mount -> configMap(mount).ifPresent(names::add));
    return names;
  }

  private Optional<String> configMap(JsonNode mount) {
    for (JsonNode volume : deployment.at("/spec/podTemplate/spec/volumes")) {
      if (volume.get("name").asText().equals(mount.get("name").asText()) && volume.has("configMap")) {
        return Optional.of(volume.get("configMap").get("name").asText());
      }
    }
    return Optional.empty();
  }

  /** A file inside the container that comes from a ConfigMap. */
  record ConfigMapFile(String configMap, String key) {}

  /** The content of {@code containerPath} as the container sees it, written below {@code dir}; fails if no ConfigMap provides it. */
  Path materialize(String containerPath, Path dir) {
    ConfigMapFile file = configMapFile(containerPath)
        .orElseThrow(() -> new IllegalStateException(Deploy.name(deployment) + ": no ConfigMap volume is mounted at " + containerPath));
    JsonNode data = Deploy.named(resources, "ConfigMap", file.configMap()).path("data").path(file.key());
    if (!data.isTextual()) {
      throw new IllegalStateException(Deploy.name(deployment) + ": ConfigMap " + file.configMap() + " has no key " + file.key() + " for " + containerPath);
    }
    Path local = dir.resolve(containerPath.substring(1));
    try {
      Files.createDirectories(local.getParent());
      Files.writeString(local, data.asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return local;
  }
}
