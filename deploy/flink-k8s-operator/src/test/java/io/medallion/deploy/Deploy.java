package io.medallion.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobSpec;
import io.medallion.gold.GoldAggregateJob;
import io.medallion.quality.QualityMonitorJob;
import io.medallion.silver.SilverTransformJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Where the deploy files are, what the overlays render to, and the jobs they deploy. */
final class Deploy {
  /** This module's directory: Maven passes it; an IDE runs tests in it. */
  static final Path DIR = Path.of(System.getProperty("medallion.deploy.dir", "")).toAbsolutePath().normalize();
  static final Path PROJECT_ROOT = DIR.getParent().getParent();
  static final Path CRD = DIR.resolve("crd/flinkdeployments.flink.apache.org-v1.yml");
  static final Path DOCKERFILE = DIR.resolve("Dockerfile");
  static final Path README = DIR.resolve("README.md");
  /** The project's shared folder beside the project root, when there is one (not in every clone). */
  static final Path SHARED = Path.of(System.getProperty("medallion.shared.dir", PROJECT_ROOT.resolve("../shared").toString())).normalize();

  /** The four jobs, class and spec; every name below comes from the SPEC. */
  static final Map<JobSpec, Class<?>> JOBS =
      Map.of(
          BronzeIngestJob.SPEC, BronzeIngestJob.class,
          SilverTransformJob.SPEC, SilverTransformJob.class,
          GoldAggregateJob.SPEC, GoldAggregateJob.class,
          QualityMonitorJob.SPEC, QualityMonitorJob.class);

  static final String FLINK_DEPLOYMENT = "FlinkDeployment";
  static final String MAIN_CONTAINER = "flink-main-container";

  private static final Map<String, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

  private Deploy() {}

  /** The environments: every directory under overlays/. */
  static List<String> overlays() {
    try (Stream<Path> dirs = Files.list(DIR.resolve("overlays"))) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path overlay(String name) {
    return DIR.resolve("overlays").resolve(name);
  }

  /** What {@code kubectl apply -k overlays/<name>} receives. */
  static List<ObjectNode> render(String overlay) {
    return RENDERED.computeIfAbsent(overlay, o -> Kustomize.build(overlay(o)));
  }

  static List<ObjectNode> ofKind(List<ObjectNode> resources, String kind) {
    return resources.stream().filter(r -> r.get("kind").asText().equals(kind)).toList();
  }

  static ObjectNode named(List<ObjectNode> resources, String kind, String name) {
    return ofKind(resources, kind).stream()
        .filter(r -> r.get("metadata").get("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name));
  }

  static String name(JsonNode resource) {
    return resource.get("metadata").get("name").asText();
  }

  /** The main container of a FlinkDeployment's pod template, shared by JobManager and TaskManagers. */
  static JsonNode mainContainer(JsonNode deployment) {
    for (JsonNode container : deployment.at("/spec/podTemplate/spec/containers")) {
      if (container.path("name").asText().equals(MAIN_CONTAINER)) {
        return container;
      }
    }
    throw new NoSuchElementException(name(deployment) + " has no " + MAIN_CONTAINER + " in its pod template");
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
