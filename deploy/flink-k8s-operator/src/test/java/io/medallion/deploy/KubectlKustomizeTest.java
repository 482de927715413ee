package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java rendering every other test checks is what kustomize itself renders. Runs only where
 * kubectl is on the PATH (CI machines without it skip this comparison alone).
 */
class KubectlKustomizeTest {

  static Stream<Path> kustomizations() {
    return Stream.concat(Stream.of(Deploy.DIR.resolve("base")), Deploy.overlays().stream().map(Deploy::overlay));
  }

  @ParameterizedTest
  @MethodSource("kustomizations")
  void javaRenderingEqualsKubectlKustomize(Path kustomization, @TempDir Path tmp) throws Exception {
    Optional<Path> kubectl = onPath("kubectl");
    assumeTrue(kubectl.isPresent(), "kubectl is not on the PATH");
    Path output = tmp.resolve("kustomized.yaml");
    Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", kustomization.toString())
        .redirectOutput(output.toFile())
        .redirectError(tmp.resolve("stderr").toFile())
        .start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("kubectl kustomize finished").isTrue();
    assertThat(process.exitValue()).as("kubectl kustomize: %s", Files.readString(tmp.resolve("stderr"))).isZero();

    assertThat(byId(Kustomize.documents(output))).isEqualTo(byId(List.copyOf(Kustomize.build(kustomization))));
  }

  private static Map<String, JsonNode> byId(List<? extends JsonNode> resources) {
    Map<String, JsonNode> byId = new TreeMap<>();
    resources.forEach(r -> assertThat(byId.put(Kustomize.id(r), r)).as("%s once", Kustomize.id(r)).isNull());
    return byId;
  }

  private static Optional<Path> onPath(String command) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
