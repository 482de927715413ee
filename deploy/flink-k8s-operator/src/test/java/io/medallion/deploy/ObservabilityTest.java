package io.medallion.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.quality.Judgement;
import io.medallion.quality.QualityMonitorJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.paimon.operation.metrics.CommitMetrics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The alerts and the dashboard ask for metrics and labels that the pods export (as {@link
 * PrometheusExport} finds them), cover what the deployment must watch, and the PodMonitor scrapes
 * the pods the FlinkDeployments start on the port their reporter listens on.
 */
class ObservabilityTest {
  /** Labels the Prometheus Operator adds to every target of a PodMonitor. */
  private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "container", "endpoint", "instance", "job");

  private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_]+");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(?:=~|!~|!=|=)");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(\\w+)\\s*,\\s*(\\w+)\\s*\\)");
  private static final Pattern ANNOTATION_LABEL = Pattern.compile("\\$labels\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
  private static final Pattern STATUS_COMPARISON = Pattern.compile("==\\s*(\\d+)");

  // Flink's Prometheus names: the logical scope, then each group's name (a key-value group's key
  // too, its value becomes a label), then the metric's name, joined by '_'.
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
  private static final String JOB = "flink_jobmanager_job_";
  private static final String MEDALLION = OPERATOR + StageMetrics.GROUP + "_";
  private static final String DEAD_LETTERS = MEDALLION + StageMetrics.ERROR_CODE_LABEL + "_" + StageMetrics.DEAD_LETTERS;
  private static final String CHECK_STATUS =
      MEDALLION + QualityMonitorJob.CHECK_LABEL + "_" + QualityMonitorJob.SCOPE_LABEL + "_" + QualityMonitorJob.STATUS_GAUGE;

  static Stream<String> overlays() {
    return Deploy.overlays().stream();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void alertsUseExportedMetricsAndCoverWhatMustBeWatched(String overlay) throws Exception {
    List<ObjectNode> resources = Deploy.render(overlay);
    Map<String, Set<String>> exported = exported(resources);
    JsonNode rule = Deploy.named(resources, "PrometheusRule", "medallion");
    assertThat(rule.at("/metadata/namespace")).isEqualTo(Deploy.ofKind(resources, Deploy.FLINK_DEPLOYMENT).get(0).at("/metadata/namespace"));

    Set<String> alerts = new HashSet<>();
    Set<String> used = new TreeSet<>();
    for (JsonNode r : rule.at("/spec/groups").findValues("rules").stream().flatMap(rules -> iterate(rules).stream()).toList()) {
      String alert = r.get("alert").asText();
      assertThat(alerts.add(alert)).as("alert %s once", alert).isTrue();
      String expr = r.get("expr").asText();
      Set<String> labels = checkQuery(alert, expr, exported);
      used.addAll(metrics(expr));
      assertThat(r.at("/labels/severity").asText()).as(alert).isIn("warning", "critical");
      assertThat(r.path("for").asText("0s")).as(alert).matches("\\d+[smh]");
      for (String annotation : List.of("summary", "description")) {
        String text = r.at("/annotations/" + annotation).asText();
        assertThat(text).as("%s %s", alert, annotation).isNotBlank();
        Matcher label = ANNOTATION_LABEL.matcher(text);
        while (label.find()) {
          assertThat(labels).as("%s %s uses $labels.%s", alert, annotation, label.group(1)).contains(label.group(1));
        }
      }
      if (expr.contains(CHECK_STATUS)) {
        Matcher status = STATUS_COMPARISON.matcher(expr);
        assertThat(status.find()).as(alert).isTrue();
        Judgement.Status compared = Judgement.Status.values()[Integer.parseInt(status.group(1))];
        assertThat(compared).as(alert).isNotEqualTo(Judgement.Status.OK);
        assertThat(r.at("/labels/severity").asText()).as(alert).isEqualTo(compared == Judgement.Status.FAIL ? "critical" : "warning");
      }
    }

    assertThat(used).as("the metrics the alerts watch").contains(
        JOB + MetricNames.NUM_RESTARTS,
        JOB + "numberOfFailedCheckpoints",
        JOB + "lastCheckpointCompletedTimestamp",
        OPERATOR + MetricNames.PENDING_RECORDS,
        DEAD_LETTERS,
        OPERATOR + "IcebergFilesCommitter_table_elapsedSecondsSinceLastSuccessfulCommit",
        OPERATOR + "paimon_table_" + CommitMetrics.GROUP_NAME + "_" + CommitMetrics.COMMIT_DURATION + "_count",
        CHECK_STATUS);
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void dashboardParsesAndQueriesExportedMetrics(String overlay) throws Exception {
    List<ObjectNode> resources = Deploy.render(overlay);
    Map<String, Set<String>> exported = exported(resources);
    JsonNode configMap = Deploy.named(resources, "ConfigMap", "medallion-grafana-dashboard");
    assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(configMap.get("data").size()).isEqualTo(1);
    JsonNode dashboard = new ObjectMapper().readTree(configMap.get("data").elements().next().asText());

    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.path("title").asText()).isNotBlank();
    Set<Integer> ids = new HashSet<>();
    Map<String, String> queries = new TreeMap<>();
    for (JsonNode panel : dashboard.get("panels")) {
      String title = panel.get("title").asText();
      assertThat(ids.add(panel.get("id").asInt())).as("panel id of %s once", title).isTrue();
      assertThat(panel.path("gridPos").has("w")).as(title).isTrue();
      if (panel.get("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("targets")).as(title).isNotEmpty();
      for (JsonNode target : panel.get("targets")) {
        String expr = target.get("expr").asText();
        queries.put(title + " " + target.get("refId").asText(), expr);
        Set<String> labels = checkQuery(title, expr, exported);
        Matcher legend = LEGEND_LABEL.matcher(target.path("legendFormat").asText());
        while (legend.find()) {
          assertThat(labels).as("%s legend {{%s}}", title, legend.group(1)).contains(legend.group(1));
        }
      }
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      Matcher values = LABEL_VALUES.matcher(variable.path("definition").asText());
      if (values.find()) {
        assertThat(exported).containsKey(values.group(1));
        assertThat(Stream.concat(TARGET_LABELS.stream(), labelsOf(values.group(1), exported).stream())).contains(values.group(2));
      }
    }

    String all = String.join("\n", queries.values());
    assertThat(all).as("throughput per layer").contains(MEDALLION + StageMetrics.RECORDS_IN, MEDALLION + StageMetrics.ROWS_OUT);
    assertThat(all).as("lag, checkpoint duration and size").contains(OPERATOR + MetricNames.PENDING_RECORDS, JOB + "lastCheckpointDuration", JOB + "lastCheckpointSize");
    assertThat(all).as("quality status").contains(CHECK_STATUS);
    assertThat(queries.values()).as("dead letters by code")
        .anyMatch(q -> q.contains(DEAD_LETTERS) && q.matches("(?s).*by \\([^)]*" + StageMetrics.ERROR_CODE_LABEL + ".*"));
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void podMonitorScrapesTheReporterOfEveryFlinkPod(String overlay) {
    List<ObjectNode> resources = Deploy.render(overlay);
    JsonNode monitor = Deploy.named(resources, "PodMonitor", "medallion-flink");
    List<ObjectNode> deployments = Deploy.ofKind(resources, Deploy.FLINK_DEPLOYMENT);
    assertThat(monitor.at("/metadata/namespace")).isEqualTo(deployments.get(0).at("/metadata/namespace"));
    assertThat(monitor.at("/spec/selector").fieldNames()).toIterable().containsExactly("matchLabels");
    JsonNode selector = monitor.at("/spec/selector/matchLabels");
    assertThat(selector).isNotEmpty();
    List<String> ports = monitor.at("/spec/podMetricsEndpoints").findValuesAsText("port");
    assertThat(ports).isNotEmpty();

    for (ObjectNode deployment : deployments) {
      JsonNode labels = deployment.at("/spec/podTemplate/metadata/labels");
      selector.fields().forEachRemaining(label ->
          assertThat(labels.path(label.getKey())).as("%s pod label %s", Deploy.name(deployment), label.getKey()).isEqualTo(label.getValue()));
      String reporterPort = deployment.at("/spec/flinkConfiguration").path("metrics.reporter.prom.port").asText();
      for (String port : ports) {
        JsonNode containerPort = iterate(Deploy.mainContainer(deployment).path("ports")).stream()
            .filter(p -> p.path("name").asText().equals(port))
            .findFirst()
            .orElseThrow(() -> new AssertionError(Deploy.name(deployment) + " has no container port " + port));
        assertThat(containerPort.get("containerPort").asText()).as("%s port %s", Deploy.name(deployment), port).isEqualTo(reporterPort);
      }
    }
  }

  /** Checks metric and label names of one query; returns the labels its series can carry. */
  private static Set<String> checkQuery(String where, String expr, Map<String, Set<String>> exported) {
    Set<String> metrics = metrics(expr);
    assertThat(metrics).as("%s queries a flink_ metric", where).isNotEmpty();
    Set<String> labels = new TreeSet<>(TARGET_LABELS);
    for (String metric : metrics) {
      assertThat(exported).as("%s: %s is exported", where, metric).containsKey(metric);
      labels.addAll(labelsOf(metric, exported));
    }
    List<String> referenced = new ArrayList<>();
    Matcher grouping = GROUPING.matcher(expr);
    while (grouping.find()) {
      Stream.of(grouping.group(1).split(",")).map(String::strip).filter(l -> !l.isEmpty()).forEach(referenced::add);
    }
    Matcher selector = SELECTOR.matcher(expr);
    while (selector.find()) {
      Matcher matcher = MATCHER.matcher(selector.group(1));
      while (matcher.find()) {
        referenced.add(matcher.group(1));
      }
    }
    assertThat(labels).as("%s: labels of %s", where, metrics).containsAll(referenced);
    return labels;
  }

  private static Set<String> metrics(String expr) {
    Set<String> metrics = new TreeSet<>();
    Matcher metric = METRIC.matcher(expr);
    while (metric.find()) {
      metrics.add(metric.group());
    }
    return metrics;
  }

  private static Set<String> labelsOf(String metric, Map<String, Set<String>> exported) {
    return exported.getOrDefault(metric, Set.of());
  }

  private static Map<String, Set<String>> exported(List<ObjectNode> resources) throws Exception {
    Map<String, String> flinkConfiguration = new TreeMap<>();
    Deploy.ofKind(resources, Deploy.FLINK_DEPLOYMENT).get(0).at("/spec/flinkConfiguration").fields()
        .forEachRemaining(e -> flinkConfiguration.put(e.getKey(), e.getValue().asText()));
    return PrometheusExport.scrape(flinkConfiguration);
  }

  private static List<JsonNode> iterate(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }
}
