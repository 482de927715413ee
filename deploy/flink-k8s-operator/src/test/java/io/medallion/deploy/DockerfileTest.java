package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.medallion.common.config.JobSpec;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What can be known about the image without building it (there is no Docker engine here): its
 * versions are the build's, it holds the jar of every job the manifests start, and it runs as the
 * non-root user the pods require.
 */
class DockerfileTest {
  private static final List<Instruction> DOCKERFILE = parse(Deploy.read(Deploy.DOCKERFILE));
  private static final String USRLIB = "/opt/flink/usrlib/";

  record Instruction(String keyword, String arguments) {}

  @Test
  void versionArgumentsDefaultToThePomsVersions() throws Exception {
    Map<String, String> properties = pomProperties();
    Map<String, String> versions = argDefaults().entrySet().stream()
        .filter(arg -> arg.getKey().endsWith("_VERSION"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertThat(versions).containsOnlyKeys("FLINK_VERSION", "ICEBERG_VERSION", "PAIMON_VERSION");
    versions.forEach((arg, value) -> {
      String property = arg.toLowerCase().replace('_', '.');
      assertThat(value).as("ARG %s against the pom's %s", arg, property).isEqualTo(properties.get(property));
    });
  }

  @Test
  void startsFromTheOfficialFlinkImageForJava17() {
    assertThat(all("FROM")).containsExactly("flink:${FLINK_VERSION}-java17");
  }

  @Test
  void copiesTheShadedJarOfEveryJobIntoUsrlib() throws Exception {
    Set<String> expected = Deploy.JOBS.keySet().stream()
        .map(spec -> "jobs/" + spec.name() + "/target/" + spec.name() + ".jar " + USRLIB)
        .collect(Collectors.toSet());
    assertThat(all("COPY")).containsExactlyInAnyOrderElementsOf(expected);

    // The shade plugin writes target/<artifactId>.jar; each job module is named after its SPEC.
    assertThat(Deploy.read(Deploy.PROJECT_ROOT.resolve("pom.xml")))
        .contains("<outputFile>${project.build.directory}/${project.artifactId}.jar</outputFile>");
    for (Map.Entry<JobSpec, Class<?>> job : Deploy.JOBS.entrySet()) {
      Path module = Deploy.PROJECT_ROOT.resolve("jobs").resolve(job.getKey().name());
      Element project = xml(module.resolve("pom.xml")).getDocumentElement();
      assertThat(text(project, "artifactId")).isEqualTo(job.getKey().name());
      assertThat(text(child(project, "properties"), "job.main.class")).isEqualTo(job.getValue().getName());
      Path jar = module.resolve("target").resolve(job.getKey().name() + ".jar");
      if (Files.exists(jar)) {
        try (JarFile built = new JarFile(jar.toFile())) {
          assertThat(built.getManifest().getMainAttributes().getValue("Main-Class")).as("%s", jar).isEqualTo(job.getValue().getName());
        }
      }
    }
  }

  @Test
  void everyJarUriIsAJarOfTheImage() {
    Set<String> jars = all("COPY").stream()
        .map(copy -> copy.split(" "))
        .map(paths -> paths[1] + Path.of(paths[0]).getFileName())
        .collect(Collectors.toSet());
    for (String overlay : Deploy.overlays()) {
      for (JsonNode deployment : Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT)) {
        String jarUri = deployment.at("/spec/job/jarURI").asText();
        assertThat(jarUri).startsWith("local://");
        assertThat(jars).as("%s %s", overlay, Deploy.name(deployment)).contains(jarUri.substring("local://".length()));
      }
    }
  }

  @Test
  void runsAsTheNonRootUserOfThePods() {
    List<String> users = all("USER");
    String[] user = users.get(users.size() - 1).split(":");
    assertThat(Integer.parseInt(user[0])).isPositive();
    for (String overlay : Deploy.overlays()) {
      for (JsonNode deployment : Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT)) {
        JsonNode pod = deployment.at("/spec/podTemplate/spec/securityContext");
        assertThat(pod.get("runAsUser").asText()).isEqualTo(user[0]);
        assertThat(pod.get("runAsGroup").asText()).isEqualTo(user[1]);
      }
    }
  }

  @Test
  void downloadsFromMavenCentralOnly() {
    assertThat(argDefaults()).containsEntry("MAVEN_CENTRAL", "https://repo1.maven.org/maven2");
    for (Instruction instruction : DOCKERFILE) {
      Matcher url = Pattern.compile("\\w+://\\S+").matcher(instruction.arguments());
      while (url.find()) {
        assertThat(url.group()).as("%s %s", instruction.keyword(), instruction.arguments()).startsWith("https://repo1.maven.org/maven2");
      }
    }
    assertThat(all("RUN")).filteredOn(run -> run.contains("wget")).allMatch(run -> run.contains("sha1sum -c"));
  }

  @Test
  void theBuildContextLetsEveryCopiedJarThrough() {
    List<String> included = Deploy.read(Deploy.DIR.resolve("Dockerfile.dockerignore")).lines()
        .filter(line -> line.startsWith("!"))
        .map(line -> line.substring(1))
        .toList();
    for (String copy : all("COPY")) {
      Path source = Path.of(copy.split(" ")[0]);
      assertThat(included).as("Dockerfile.dockerignore re-includes %s", source)
          .anyMatch(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(source));
    }
  }

  @Test
  void enablesTheS3FileSystemTheStateLocationsUse() {
    assertThat(String.join("\n", all("RUN"))).contains("/opt/flink/opt/flink-s3-fs-hadoop-${FLINK_VERSION}.jar /opt/flink/plugins/s3-fs-hadoop/");
    for (String overlay : Deploy.overlays()) {
      for (JsonNode deployment : Deploy.ofKind(Deploy.render(overlay), Deploy.FLINK_DEPLOYMENT)) {
        JsonNode flink = deployment.at("/spec/flinkConfiguration");
        for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir")) {
          assertThat(flink.path(key).asText()).as("%s %s %s", overlay, Deploy.name(deployment), key).startsWith("s3://");
        }
      }
    }
  }

  private static List<String> all(String keyword) {
    return DOCKERFILE.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
  }

  /** Each ARG's default, from its first declaration with one. */
  private static Map<String, String> argDefaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String arg : all("ARG")) {
      int eq = arg.indexOf('=');
      if (eq > 0) {
        defaults.putIfAbsent(arg.substring(0, eq), arg.substring(eq + 1));
      }
    }
    return defaults;
  }

  /** Instructions with their continuation lines joined and comment lines dropped, as Docker reads them. */
  private static List<Instruction> parse(String dockerfile) {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      boolean continued = trimmed.endsWith("\\");
      current.append(continued ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
      if (!continued) {
        String text = current.toString().strip().replaceAll("\\s+", " ");
        int space = text.indexOf(' ');
        instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
        current.setLength(0);
      }
    }
    return instructions;
  }

  private static Map<String, String> pomProperties() throws Exception {
    Element properties = (Element) xml(Deploy.PROJECT_ROOT.resolve("pom.xml")).getDocumentElement().getElementsByTagName("properties").item(0);
    Map<String, String> values = new LinkedHashMap<>();
    for (Node node = properties.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element property) {
        values.put(property.getTagName(), property.getTextContent().strip());
      }
    }
    return values;
  }

  private static Document xml(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
  }

  private static Element child(Element parent, String name) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        return element;
      }
    }
    throw new AssertionError(parent.getTagName() + " has no " + name);
  }

  private static String text(Element parent, String name) {
    return child(parent, name).getTextContent().strip();
  }
}
