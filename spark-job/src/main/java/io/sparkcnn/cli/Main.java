package io.sparkcnn.cli;

import org.apache.spark.SparkUserAppException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point for {@code spark-submit} and local runs: {@code Main train [options]}. */
@Command(name = "spark-cnn-trainer", mixinStandardHelpOptions = true, version = "spark-cnn-trainer 0.1.0",
        description = "Trains convolutional networks on MNIST-style images across a Spark cluster.",
        subcommands = {TrainCommand.class, ShowConfigCommand.class, ToCsvCommand.class, AugmentCommand.class,
                BreakLockCommand.class, ResourcesCommand.class, PreflightCommand.class, PredictCommand.class,
                ReportCommand.class, BenchCommand.class, PlanCommand.class, ConvertCommand.class, ScoreCommand.class},
        exitCodeOnInvalidInput = ExitCodes.BAD_CONFIG, exitCodeOnExecutionException = ExitCodes.INTERNAL)
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command and exits with its code. In YARN cluster mode, where this runs inside the application master
     * (which sets {@code spark.yarn.app.id}), exiting the JVM would have YARN record the application as FAILED
     * whatever the code and retry it; there a success returns, and a failure is thrown as Spark's
     * {@link SparkUserAppException}, which the application master reports as FAILED with "User application exited
     * with status N", without a retry. {@code submit.sh} turns that back into exit code N.
     */
    public static void main(String[] args) throws SparkUserAppException {
        int code = commandLine().execute(args);
        if (System.getProperty("spark.yarn.app.id") == null) {
            System.exit(code);
        } else if (code != ExitCodes.OK) {
            throw new SparkUserAppException(code);
        }
    }

    /** The configured command line, for tests that run commands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(ExitCodes::handle);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: train, show-config, to-csv, augment, break-lock, resources, preflight, predict, report, bench, plan, convert or score");
    }
}
