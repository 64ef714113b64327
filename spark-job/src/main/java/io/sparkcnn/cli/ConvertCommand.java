package io.sparkcnn.cli;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.DataSources;
import io.sparkcnn.frames.ImageFrames;
import io.sparkcnn.runtime.SparkSessions;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Writes the training and held-out sets of any supported input (MNIST's idx files by default, a CSV, a table or
 * an image folder, as {@code data.*} names them, with its limits and labels) as two Parquet tables,
 * {@code DIR/train} and {@code DIR/test} (or {@code DIR/validation} for a held-out share), of {@code label} (int)
 * and {@code image} (binary, row-major bytes): the input of {@code data.format = parquet}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Write the configured data (MNIST idx by default) as Parquet tables DIR/train and DIR/test.")
final class ConvertCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = "--to", paramLabel = "DIR", required = true,
            description = "Where the tables go: a local path, file:// or hdfs://.")
    String to;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JobConfig cfg = options.load();
        SparkSession spark = SparkSessions.create(cfg);
        try {
            DatasetLoader.TrainTest data = DataSources.load(spark, cfg.data());
            PrintWriter out = spec.commandLine().getOut();
            write(spark, data.train(), "train", cfg, out);
            write(spark, data.test(), data.heldOutRole(), cfg, out);
            return ExitCodes.OK;
        } finally {
            spark.stop();
        }
    }

    private void write(SparkSession spark, LabeledImages images, String name, JobConfig cfg, PrintWriter out) {
        String path = new Path(to, name).toString();
        ImageFrames.writeParquet(spark, images, path, cfg.data().labelColumn(), cfg.data().imageColumn(),
                cfg.output().overwrite());
        out.printf("Wrote %d images of %dx%d to %s%n", images.count(), images.rows(), images.cols(), path);
    }
}
