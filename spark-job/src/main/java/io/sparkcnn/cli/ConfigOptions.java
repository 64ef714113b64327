package io.sparkcnn.cli;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.model.NetworkFactory;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options shared by commands that read the job configuration. */
final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Job configuration (HOCON), e.g. conf/job.conf. Without it, the built-in defaults.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one setting, e.g. --set train.epochs=5 (repeatable; every key in conf/REFERENCE.md).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--preset", description = "Shorthand for --set model.preset=NAME: seed-fc, seed-cnn, seed-cnn-same, lecture-best or a network file.")
    String preset;

    @Option(names = "--epochs", description = "Shorthand for --set train.epochs=N.")
    Integer epochs;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Shorthand for --set output.path=DIR.")
    String output;

    @Option(names = "--resume", description = "Shorthand for --set checkpoint.resume=true: continue a killed run.")
    boolean resume;

    @Option(names = "--overwrite", description = "Shorthand for --set output.overwrite=true.")
    boolean overwrite;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "Shorthand for --set progress.mode=MODE: auto (a live bar on a terminal, log lines otherwise), bar, lines or off.")
    String progress;

    /** All overrides, shorthands last so that they win. */
    List<String> overrides() {
        List<String> all = new ArrayList<>(overrides);
        if (preset != null) {
            all.add("model.preset=" + preset);
        }
        if (epochs != null) {
            all.add("train.epochs=" + epochs);
        }
        if (output != null) {
            all.add("output.path=" + output);
        }
        if (overwrite) {
            all.add("output.overwrite=true");
        }
        if (resume) {
            all.add("checkpoint.resume=true");
        }
        if (progress != null) {
            all.add("progress.mode=" + progress);
        }
        return all;
    }

    /** The validated job configuration these options describe. */
    JobConfig load() {
        return load(configFile, overrides());
    }

    /**
     * Loads and validates a job configuration ({@link ConfigLoader}), then checks that its network fits its images
     * ({@link NetworkFactory#checkFits}): every command that takes a job configuration loads it here.
     */
    static JobConfig load(Path configFile, List<String> overrides) {
        return NetworkFactory.checkFits(ConfigLoader.load(configFile, overrides));
    }
}
