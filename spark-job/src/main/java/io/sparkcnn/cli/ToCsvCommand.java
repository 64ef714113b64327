package io.sparkcnn.cli;

import io.sparkcnn.data.CsvImageWriter;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.store.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * Turns an idx image file and its label file into a Kaggle digit-recognizer CSV ({@code label,pixel0..}), the
 * input of the lecture's second example. The CSV is written beside its final name and renamed when complete.
 */
@Command(name = "to-csv", mixinStandardHelpOptions = true,
        description = "Write idx images and labels as a Kaggle digit-recognizer CSV (header label,pixel0,...).")
final class ToCsvCommand implements Callable<Integer> {
    @Option(names = "--images", description = "idx image file (default: ${DEFAULT-VALUE})")
    String images = "datasets/cache/mnist/train-images-idx3-ubyte";

    @Option(names = "--labels", description = "idx label file (default: ${DEFAULT-VALUE})")
    String labels = "datasets/cache/mnist/train-labels-idx1-ubyte";

    @Option(names = "--output", description = "CSV to write (default: ${DEFAULT-VALUE})")
    String output = "datasets/cache/mnist-csv/train.csv";

    @Option(names = "--limit", description = "only the first N images; 0 = all (default: ${DEFAULT-VALUE})")
    int limit = 0;

    @Option(names = "--rows", description = "image height the idx file must have (default: ${DEFAULT-VALUE})")
    int rows = 28;

    @Option(names = "--cols", description = "image width the idx file must have (default: ${DEFAULT-VALUE})")
    int cols = 28;

    @Option(names = "--overwrite", description = "replace an existing CSV")
    boolean overwrite;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Configuration conf = new Configuration();
        LabeledImages data = new DatasetLoader(conf).idx(images, labels, rows, cols).limit(limit);
        Path target = new Path(output);
        Path partial = new Path(target.getParent(), "." + target.getName() + ".partial");
        // a private instance: no .crc side file beside the CSV, without changing the shared cached one
        try (FileSystem fs = FileSystem.newInstance(target.toUri(), conf)) {
            fs.setWriteChecksum(false);
            if (fs.exists(target) && !overwrite) {
                throw new OutputException(fs.makeQualified(target) + " exists (use --overwrite)");
            }
            try (FSDataOutputStream out = fs.create(partial, true)) {
                CsvImageWriter.write(data, out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(partial, target)) {
                throw new IOException("could not rename " + partial + " to " + target);
            }
            spec.commandLine().getOut().printf("Wrote %d images of %dx%d to %s%n", data.count(), data.rows(), data.cols(),
                    fs.makeQualified(target));
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new OutputException(output + ": " + e.getMessage(), e);
        }
    }
}
