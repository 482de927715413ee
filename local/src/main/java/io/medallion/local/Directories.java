package io.medallion.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

final class Directories {

  private Directories() {}

  /** Deletes everything below {@code dir} and makes sure it exists: each run starts from empty tables. */
  static void empty(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          if (!path.equals(dir)) {
            Files.delete(path);
          }
        }
      }
    }
    Files.createDirectories(dir);
  }
}
