package io.sparkcnn.cli;

import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.report.RunReport;
import io.sparkcnn.report.StoredRun;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Regenerates the report of a stored model: reads its side files and the model, classifies its held-out images
 * on the driver (no Spark), and writes {@code report.ipynb} and {@code report.html} beside a plain output
 * directory's model and into a local export directory. A registry version is never changed: its report is
 * exported only.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Make the report (report.ipynb, report.html) of a stored model: an output directory, or a "
                + "registry version (--version, default LATEST).",
                "Written beside the model in an output directory (not into an immutable registry version) and "
                        + "copied to --export (default notebooks-export/<directory name or version id>)."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "output directory or registry location (local path, file:// or hdfs://)")
    String model;

    @Option(names = "--version", paramLabel = "ID",
            description = "registry version id, or LATEST (the default for a registry)")
    String version;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "read the held-out images from this directory (same file names) instead of where run.json says")
    String dataDir;

    @Option(names = {"-o", "--export", "--output"}, paramLabel = "DIR",
            description = "local directory for a copy of the report (default: notebooks-export/<name>)")
    Path export;

    @Option(names = "--no-export", description = "do not copy the report to a local directory")
    boolean noExport;

    @Option(names = "--worst", paramLabel = "N",
            description = "misclassified images to show (default: ${DEFAULT-VALUE})")
    int worst = RunReport.DEFAULT_WORST;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (worst < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--worst must be at least 1, got " + worst);
        }
        PrintWriter out = spec.commandLine().getOut();
        Configuration conf = new Configuration();
        StoredRun run = StoredRun.open(conf, model, version);
        Map<String, byte[]> files;
        try {
            LabeledImages heldOut = RunReport.heldOut(conf, run.files(), dataDir);
            files = RunReport.build(run.location(), run.files(), run.network(), heldOut, worst).files();
        } catch (IllegalArgumentException e) {
            throw new InvalidDataException(run.location(), "side files",
                    "evaluation.json and run.json as the training job writes them", e.getMessage(), e);
        }
        if (!run.version()) {
            run.writeBeside(conf, files);
            out.println("Report written beside the model in " + run.location() + " (" + String.join(", ", files.keySet()) + ")");
        } else {
            out.println(run.location() + " is an immutable registry version: its stored report stays as published");
        }
        if (!noExport) {
            Path dir = export != null ? export : Path.of("notebooks-export", run.name());
            StoredRun.export(dir, files);
            out.println("Report exported to " + dir.toAbsolutePath().normalize());
        }
        return ExitCodes.OK;
    }
}
