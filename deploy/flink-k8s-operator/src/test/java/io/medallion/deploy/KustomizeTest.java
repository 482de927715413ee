package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The renderer does what kustomize does where it claims to, and refuses the rest. */
class KustomizeTest {
  private static final String DEPLOYMENT = """
      apiVersion: flink.apache.org/v1beta1
      kind: FlinkDeployment
      metadata:
        name: job-a
      spec:
        job: {parallelism: 2, args: ["--config", "a.yaml"]}
        podTemplate:
          spec:
            containers:
              - name: flink-main-container
                env: [{name: A, value: "1"}]
      """;

  @TempDir Path dir;

  @Test
  void mergesPatchesGeneratesAndSetsTheNamespace() throws IOException {
    write("job.yaml", DEPLOYMENT);
    write("config.yaml", "key: value\n");
    write("patch.yaml", """
        apiVersion: flink.apache.org/v1beta1
        kind: FlinkDeployment
        metadata: {name: ignored}
        spec:
          job: {parallelism: 1, upgradeMode: savepoint}
          image: img:1
        """);
    write("env.yaml", """
        - op: add
          path: /spec/podTemplate/spec/containers/0/env/-
          value: {name: B, value: "2"}
        """);
    write("kustomization.yaml", """
        namespace: ns
        resources: [job.yaml]
        patches:
          - path: patch.yaml
            target: {kind: FlinkDeployment}
          - path: env.yaml
            target: {group: flink.apache.org, kind: FlinkDeployment, name: job-a}
        generatorOptions: {disableNameSuffixHash: true}
        configMapGenerator:
          - name: conf
            files: [config.yaml]
        secretGenerator:
          - name: secrets
            literals: [password=s3cret]
        """);

    List<ObjectNode> resources = Kustomize.build(dir);

    JsonNode job = Deploy.named(resources, "FlinkDeployment", "job-a");
    assertThat(job.at("/metadata/namespace").asText()).isEqualTo("ns");
    assertThat(job.at("/spec/job/parallelism").asInt()).isEqualTo(1);
    assertThat(job.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");
    assertThat(job.at("/spec/job/args").size()).isEqualTo(2);
    assertThat(job.at("/spec/image").asText()).isEqualTo("img:1");
    assertThat(job.at("/spec/podTemplate/spec/containers/0/env").findValuesAsText("name")).containsExactly("A", "B");
    assertThat(Deploy.named(resources, "ConfigMap", "conf").at("/data/config.yaml").asText()).isEqualTo("key: value\n");
    assertThat(Deploy.named(resources, "Secret", "secrets").at("/data/password").asText()).isEqualTo("czNjcmV0");
  }

  @Test
  void refusesAFieldItDoesNotImplement() throws IOException {
    write("job.yaml", DEPLOYMENT);
    write("kustomization.yaml", "resources: [job.yaml]\ncommonLabels: {a: b}\n");
    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("not implemented").hasMessageContaining("commonLabels");
  }

  @Test
  void refusesToMergeAListIntoAList() throws IOException {
    write("job.yaml", DEPLOYMENT);
    write("patch.yaml", """
        apiVersion: flink.apache.org/v1beta1
        kind: FlinkDeployment
        metadata: {name: job-a}
        spec:
          job: {args: ["--other"]}
        """);
    write("kustomization.yaml", "resources: [job.yaml]\npatches: [{path: patch.yaml}]\n");
    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("/spec/job/args would merge a list");
  }

  @Test
  void refusesGeneratedNamesWithAHash() throws IOException {
    write("config.yaml", "key: value\n");
    write("kustomization.yaml", "configMapGenerator: [{name: conf, files: [config.yaml]}]\n");
    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("disableNameSuffixHash");
  }

  @Test
  void refusesFilesOutsideTheKustomization() throws IOException {
    Files.writeString(dir.resolve("outside.yaml"), "key: value\n");
    Path inner = Files.createDirectories(dir.resolve("inner"));
    Files.writeString(inner.resolve("kustomization.yaml"), """
        generatorOptions: {disableNameSuffixHash: true}
        configMapGenerator: [{name: conf, files: [../outside.yaml]}]
        """);
    assertThatThrownBy(() -> Kustomize.build(inner)).hasMessageContaining("outside the kustomization");
  }

  @Test
  void refusesAPatchThatMatchesNothing() throws IOException {
    write("job.yaml", DEPLOYMENT);
    write("env.yaml", "- {op: remove, path: /spec/job}\n");
    write("kustomization.yaml", "resources: [job.yaml]\npatches: [{path: env.yaml, target: {kind: FlinkDeployment, name: job-b}}]\n");
    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("matches no resource");
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }
}
