package io.sparkcnn.cli;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.store.OutputException;
import io.sparkcnn.train.SparkSessions;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import io.sparkcnn.train.TrainingFailedException;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The thin driver: config, session, {@link TrainJob#run}, exit code; Spark is stopped in every case. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train, evaluate on the held-out test set, and save the model with its evaluation.")
final class TrainCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JobConfig cfg;
        try {
            cfg = ConfigLoader.load(options.configFile, options.overrides());
        } catch (InvalidConfigException e) {
            err.println("spark-cnn-trainer: " + e.getMessage());
            return ExitCodes.BAD_CONFIG;
        }
        SparkSession spark = null;
        try {
            spark = SparkSessions.create(cfg);
            TrainResult result = TrainJob.run(cfg, spark);
            out.printf(Locale.ROOT, "%s accuracy: %.4f on %d held-out images%n",
                    result.heldOutRole().equals("validation") ? "Validation" : "Test", result.evaluation().accuracy(),
                    result.evaluation().examples());
            out.printf(Locale.ROOT, "Training throughput: %.1f images/s, %.1f images/CPU-s (%d images, %.1f s, %s, %d workers on %s)%n",
                    result.training().imagesPerSecond(), result.training().imagesPerCpuSecond(), result.training().images(),
                    result.training().wallSeconds(), result.training().cpuSource(), result.workers(), result.master());
            out.println("Model saved to " + result.outputDir());
            return ExitCodes.OK;
        } catch (InvalidConfigException e) {
            return fail(err, ExitCodes.BAD_CONFIG, e.getMessage(), e);
        } catch (InvalidDataException e) {
            return fail(err, ExitCodes.BAD_DATA, "bad input data: " + e.getMessage(), e);
        } catch (TrainingFailedException e) {
            return fail(err, ExitCodes.TRAINING_FAILED, e.getMessage(), e);
        } catch (OutputException e) {
            return fail(err, ExitCodes.OUTPUT_FAILED, "output failed: " + e.getMessage(), e);
        } catch (Exception e) { // Scala code may throw checked exceptions undeclared
            return fail(err, ExitCodes.INTERNAL, "internal error: " + e, e);
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    private static int fail(PrintWriter err, int code, String message, Exception e) {
        LOG.debug("Failure details", e);
        err.println("spark-cnn-trainer: " + message);
        err.flush();
        return code;
    }
}
