package io.medallion.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * Runs a job's shaded jar the way {@code flink run} would: in its own JVM, with the jar's manifest
 * main class, and with only Flink's own libraries (the module's provided class path) beside it, so
 * a class missing from the jar fails the run. Failsafe passes the paths as system properties.
 */
public final class JobJar {
  private final Path jar;
  private final String flinkClasspath;
  private final List<String> jvmOptions;

  /** What the run printed and how it ended. */
  public record Run(int exitCode, String stdout, String stderr) {}

  private JobJar(Path jar, String flinkClasspath, List<String> jvmOptions) {
    this.jar = jar;
    this.flinkClasspath = flinkClasspath;
    this.jvmOptions = jvmOptions;
  }

  /** The jar of the module under test, from the properties the parent pom's Failsafe sets. */
  public static JobJar ofModuleUnderTest() throws IOException {
    Path jar = Path.of(required("medallion.job.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: the shaded jar is built in the package phase");
    }
    String classpath = Files.readString(Path.of(required("medallion.flink.classpath"))).trim();
    List<String> options = new ArrayList<>(Arrays.asList(required("medallion.jvm.opens").trim().split("\\s+")));
    options.add("-Xmx768m");
    // Log at INFO to the captured output, so tests can check what a job prints (never a secret).
    options.add("-Dorg.apache.logging.log4j.level=INFO");
    return new JobJar(jar, classpath, options);
  }

  public Path jar() {
    return jar;
  }

  /** The jar manifest's Main-Class, which {@code flink run} starts. */
  public String mainClass() throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.getManifest().getMainAttributes().getValue("Main-Class");
    }
  }

  /** Runs the main class with the arguments and extra environment variables; fails after {@code timeout}. */
  public Run run(List<String> args, Map<String, String> environment, Duration timeout, Path workDir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(jar + java.io.File.pathSeparator + flinkClasspath);
    command.add(mainClass());
    command.addAll(args);
    Path out = workDir.resolve("stdout.txt");
    Path err = workDir.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      throw new IllegalStateException(
          "the job jar did not finish within " + timeout + "; stderr:\n" + Files.readString(err, StandardCharsets.UTF_8)
              + "\nfailures in stdout:\n" + stdout.lines().filter(l -> l.contains("FAILED") || l.startsWith("Caused by")).limit(40).collect(java.util.stream.Collectors.joining("\n")));
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException("system property " + property + " is not set: run this test through Failsafe (mvn verify)");
    }
    return value;
  }
}
