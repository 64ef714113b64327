package io.sparkcnn.cli;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.runtime.MemoryPlan;
import io.sparkcnn.runtime.NativeSetup;
import io.sparkcnn.runtime.Preflight;
import io.sparkcnn.runtime.SparkSessions;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs only the pre-flight check of a job ({@link Preflight}): the same session and settings as {@code train},
 * one probe task per executor, nothing trained or written. Exit code 0 when the environment is fit (warnings
 * are logged), {@link ExitCodes#ENVIRONMENT_UNFIT} when a finding is fatal.
 */
@Command(name = "preflight", mixinStandardHelpOptions = true,
        description = "Check the executors' natives, threads, off-heap limits and versions for this job, train nothing.")
final class PreflightCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JobConfig cfg = options.load();
        SparkSession spark = SparkSessions.create(cfg);
        try {
            NativeSetup.applyToThisJvm(cfg.natives());
            List<Preflight.Finding> findings = Preflight.run(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    MemoryPlan.forJob(cfg), cfg.natives());
            spec.commandLine().getOut().printf("Pre-flight check passed with %d warning(s)%n", findings.size());
            findings.forEach(f -> spec.commandLine().getOut().println("  WARN " + f.message()));
            return ExitCodes.OK;
        } finally {
            spark.stop();
        }
    }
}
