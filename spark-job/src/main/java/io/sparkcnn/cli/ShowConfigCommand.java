package io.sparkcnn.cli;

import com.typesafe.config.ConfigRenderOptions;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.config.NetworkConfig;
import io.sparkcnn.model.ModelSummary;
import io.sparkcnn.model.NetworkFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Prints the effective configuration (defaults, job file and overrides merged), validates it and shows the network. */
@Command(name = "show-config", mixinStandardHelpOptions = true,
        description = "Print the effective configuration and check it, without starting Spark.")
final class ShowConfigCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String rendered = ConfigLoader.effective(options.configFile, options.overrides())
                .root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
        spec.commandLine().getOut().println(rendered);
        JobConfig cfg = options.load();
        NetworkConfig net = cfg.model().network();
        int rows = cfg.data().imageRows();
        int cols = cfg.data().imageCols();
        spec.commandLine().getOut().println("Network " + cfg.model().name() + " for " + rows + "x" + cols + " images:\n"
                + ModelSummary.of(NetworkFactory.build(net, cfg.train().seed(), rows, cols),
                NetworkFactory.inputType(net, rows, cols)).render());
        return ExitCodes.OK;
    }
}
