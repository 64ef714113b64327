package io.sparkcnn.cli;

import io.sparkcnn.bench.BenchResult;
import io.sparkcnn.bench.Benchmark;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.store.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Measures the job's training and evaluation speed ({@link Benchmark}): DL4J in this process, then the Spark path
 * on {@code local[1]} and {@code local[2]}, or on the master {@code spark-submit} gave; prints a table with the
 * advice and writes it as JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and evaluation speed in one process and on Spark, with advice on averaging.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = "--masters", split = ",", paramLabel = "URL",
            description = "Spark masters for the Spark phases (default: the one spark-submit set, else local[1],local[2]).")
    List<String> masters;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Run the whole sequence N times, interleaved, and report medians and ranges "
                    + "(default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", paramLabel = "PATH", defaultValue = "target/bench/bench.json",
            description = "Where to write the result as JSON, any Hadoop filesystem path (default: ${DEFAULT-VALUE}).")
    String json;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (repeat < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
        }
        JobConfig cfg = options.load();
        BenchResult result = Benchmark.run(cfg, masters != null ? masters : defaultMasters(), repeat);
        spec.commandLine().getOut().print(result.table());
        Path path = new Path(json);
        try {
            FileSystem fs = path.getFileSystem(new Configuration());
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(result.json().getBytes(StandardCharsets.UTF_8));
            }
            spec.commandLine().getOut().println("Written to " + fs.makeQualified(path));
        } catch (IOException e) {
            throw new OutputException("cannot write the benchmark to " + json + ": " + e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    private static List<String> defaultMasters() {
        String submitted = new SparkConf().get("spark.master", "");
        return submitted.isEmpty() || submitted.startsWith("local") ? List.of("local[1]", "local[2]")
                : List.of(submitted);
    }
}
