package io.sparkcnn.cli;

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

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
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
