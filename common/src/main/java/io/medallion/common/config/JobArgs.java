package io.medallion.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The command line of every job jar: {@code --config FILE [--set key=value]…}. Secrets belong in
 * environment variables referenced as {@code ${ENV:NAME}}, never on the command line.
 */
@CommandLine.Command(mixinStandardHelpOptions = false)
public final class JobArgs {
  @Option(names = "--config", description = "YAML configuration file")
  Path configFile;

  @Option(names = "--set", description = "key=value override, dotted key; repeatable")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--source", description = "silver-transform's input, kafka or bronze: shorthand for --set source=…")
  String source;

  /** Parses the arguments and loads the configuration; throws {@link ConfigException} on any problem. */
  public static JobConfig load(JobSpec job, String[] args, Map<String, String> environment) {
    JobArgs parsed = new JobArgs();
    try {
      new CommandLine(parsed).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(List.of("command line: " + e.getMessage()));
    }
    return parsed.load(job, environment);
  }

  /**
   * The configuration these options name, for commands that take them as a picocli mixin (the
   * {@code medallion run} command): file, then {@code --set} in order, then {@code --source}.
   */
  public JobConfig load(JobSpec job, Map<String, String> environment) {
    List<String> settings = new ArrayList<>(overrides);
    if (source != null) {
      settings.add(ConfigOptions.SOURCE.key() + "=" + source);
    }
    return JobConfig.load(job, configFile, settings, environment);
  }
}
