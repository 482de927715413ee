package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every FlinkDeployment an overlay renders is accepted by the operator's CRD, as kubectl apply would check it. */
class CrdSchemaTest {
  private static final CrdSchema SCHEMA = CrdSchema.load();

  static Stream<String> overlays() {
    return Deploy.overlays().stream();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyFlinkDeploymentMatchesTheCrd(String overlay) {
    List<ObjectNode> deployments = Deploy.ofKind(Deploy.render(overlay), SCHEMA.kind());
    assertThat(deployments).hasSize(Deploy.JOBS.size());
    for (ObjectNode deployment : deployments) {
      assertThat(SCHEMA.validate(deployment)).as("%s %s", overlay, Deploy.name(deployment)).isEmpty();
    }
  }

  @Test
  void rejectsAMisspelledField() {
    ObjectNode deployment = aDeployment();
    ObjectNode job = (ObjectNode) deployment.at("/spec/job");
    job.set("upgradeMod", job.remove("upgradeMode"));
    assertThat(SCHEMA.validate(deployment)).singleElement().asString().contains("/spec/job").contains("upgradeMod");
  }

  @Test
  void rejectsAMisspelledFieldInsideThePodTemplate() {
    ObjectNode deployment = aDeployment();
    ObjectNode container = (ObjectNode) Deploy.mainContainer(deployment);
    container.set("securityContex", container.remove("securityContext"));
    assertThat(SCHEMA.validate(deployment)).singleElement().asString().contains("/spec/podTemplate/spec/containers/0").contains("securityContex");
  }

  @Test
  void rejectsAWrongType() {
    ObjectNode deployment = aDeployment();
    ((ObjectNode) deployment.at("/spec/job")).put("parallelism", "two");
    assertThat(SCHEMA.validate(deployment)).singleElement().asString().contains("/spec/job/parallelism").contains("integer");
  }

  @Test
  void rejectsAValueOutsideAnEnum() {
    ObjectNode deployment = aDeployment();
    ((ObjectNode) deployment.get("spec")).put("flinkVersion", "v2_9");
    assertThat(SCHEMA.validate(deployment)).singleElement().asString().contains("/spec/flinkVersion");
  }

  @Test
  void leavesFlinkConfigurationOpen() {
    ObjectNode deployment = aDeployment();
    ((ObjectNode) deployment.at("/spec/flinkConfiguration")).put("any.key.at.all", "x");
    assertThat(SCHEMA.validate(deployment)).isEmpty();
  }

  @Test
  void theVendoredCrdIsTheRecordedRelease() throws IOException {
    Matcher recorded = Pattern.compile("sha256: `([0-9a-f]{64})`").matcher(Deploy.read(Deploy.CRD.resolveSibling("README.md")));
    assertThat(recorded.find()).as("crd/README.md records the file's sha256").isTrue();
    assertThat(sha256(Deploy.CRD)).isEqualTo(recorded.group(1));
  }

  @Test
  void theVendoredCrdIsTheSharedOne() throws IOException {
    Path shared = Deploy.SHARED.resolve("k8s-crds").resolve(Deploy.CRD.getFileName());
    assumeTrue(Files.exists(shared), "no shared folder beside the project root: " + shared);
    assertThat(Files.readAllBytes(Deploy.CRD)).isEqualTo(Files.readAllBytes(shared));
  }

  private static ObjectNode aDeployment() {
    ObjectNode deployment = Deploy.ofKind(Deploy.render(Deploy.overlays().get(0)), SCHEMA.kind()).get(0).deepCopy();
    assertThat(SCHEMA.validate(deployment)).isEmpty();
    return deployment;
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
