package io.sparkcnn.cli;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The thin driver: config, session, {@link TrainJob#run}; Spark is stopped in every case, and
 * {@link ExitCodes#handle} turns a failure into its exit code.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train, evaluate on the held-out test set, and save the model with its evaluation.")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JobConfig cfg = options.load();
        SparkSession spark = SparkSessions.create(cfg);
        try {
            TrainResult result = TrainJob.run(cfg, spark);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s accuracy: %.4f on %d held-out images%n",
                    result.heldOutRole().equals("validation") ? "Validation" : "Test", result.evaluation().accuracy(),
                    result.evaluation().examples());
            out.printf(Locale.ROOT, "Training throughput: %.1f images/s, %.1f images/CPU-s (%d images, %.1f s, %s, %d workers on %s)%n",
                    result.training().imagesPerSecond(), result.training().imagesPerCpuSecond(), result.training().images(),
                    result.training().wallSeconds(), result.training().cpuSource(), result.workers(), result.master());
            out.println("Model saved to " + result.outputDir());
            return ExitCodes.OK;
        } finally {
            spark.stop();
        }
    }
}
