package io.medallion.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration reference names every key the code knows, so the two cannot drift. */
class ReadmeConfigReferenceTest {

  @Test
  void theReadmeDocumentsEveryConfigurationKey() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigOption<?> option : ConfigOptions.ALL) {
      assertThat(readme).as(option.key()).contains("| `" + option.key() + "` |");
    }
    for (String prefix : ConfigOptions.PASS_THROUGH_PREFIXES) {
      assertThat(readme).as(prefix).contains("`" + prefix);
    }
  }
}
