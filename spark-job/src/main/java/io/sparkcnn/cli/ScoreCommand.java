package io.sparkcnn.cli;

import io.sparkcnn.ml.BatchScorer;
import io.sparkcnn.ml.CnnClassificationModel;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.SavedModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * Batch scoring on the executors: reads a Parquet table, a CSV or a folder of PNG files from any Hadoop path,
 * classifies every row with a model (a directory {@code train} wrote, a registry version, or a saved Spark ML
 * {@link CnnClassificationModel}) and writes the predictions as Parquet or CSV, whole or not at all, with the
 * model's version in every row; prints rows per second.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Classify a table, CSV or PNG folder on the executors and write the predictions as Parquet or CSV.")
final class ScoreCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ScoreCommand.class);

    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "LOCATION",
            description = "A model directory from train, a registry (with --version), or a saved Spark ML model.")
    String model;

    @Option(names = "--version", paramLabel = "ID", description = "Registry version (an id, or LATEST).")
    String version;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "What to score: any Hadoop path.")
    String input;

    @Option(names = "--input-format", paramLabel = "FORMAT", description = "parquet, csv or images (default: ${DEFAULT-VALUE})")
    String inputFormat = "parquet";

    @Option(names = "--features-col", paramLabel = "COLUMN",
            description = "The image column of a Parquet input (default: ${DEFAULT-VALUE})")
    String featuresCol = "image";

    @Option(names = "--pixel-max", description = "Full ink in a numeric image column (default: ${DEFAULT-VALUE})")
    double pixelMax = 255;

    @Option(names = "--predictions", required = true, paramLabel = "PATH", description = "Where the predictions go.")
    String predictions;

    @Option(names = "--output-format", paramLabel = "FORMAT", description = "parquet or csv (default: ${DEFAULT-VALUE})")
    String outputFormat = "parquet";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        SparkSession spark = SparkSessions.create(options.load());
        try {
            Configuration conf = spark.sparkContext().hadoopConfiguration();
            CnnClassificationModel scorer;
            String modelVersion;
            Path metadata = new Path(model, "metadata");
            if (version == null && metadata.getFileSystem(conf).exists(metadata)) {
                scorer = CnnClassificationModel.load(model);
                modelVersion = scorer.uid() + " at " + model;
            } else {
                SavedModel saved = version == null ? new ModelStore(conf).open(model) : new ModelRegistry(conf, model).open(version);
                scorer = CnnClassificationModel.of(saved.network(), saved.input());
                modelVersion = saved.location();
            }
            scorer.setPixelMax(pixelMax);
            LOG.info("Scoring {} ({}) with {}", input, inputFormat, modelVersion);
            BatchScorer.Result result = BatchScorer.score(spark, scorer, BatchScorer.input(spark, input, inputFormat,
                    scorer.input().height(), scorer.input().width()), inputFormat.equals("parquet") ? featuresCol
                    : BatchScorer.IMAGE, modelVersion, predictions, outputFormat, options.overwrite);
            spec.commandLine().getOut().println(BatchScorer.describe(result));
            return ExitCodes.OK;
        } finally {
            spark.stop();
        }
    }
}
