package io.sparkcnn.cli;

import com.typesafe.config.ConfigRenderOptions;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.InvalidConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Prints the effective configuration (defaults, job file and overrides merged) and validates it. */
@Command(name = "show-config", mixinStandardHelpOptions = true,
        description = "Print the effective configuration and check it, without starting Spark.")
final class ShowConfigCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            String rendered = ConfigLoader.effective(options.configFile, options.overrides())
                    .root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
            spec.commandLine().getOut().println(rendered);
            ConfigLoader.load(options.configFile, options.overrides());
            return ExitCodes.OK;
        } catch (InvalidConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCodes.BAD_CONFIG;
        }
    }
}
