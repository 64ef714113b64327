package io.sparkcnn.train;

import io.sparkcnn.data.Augmenter;
import io.sparkcnn.data.ImageBatch;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a minibatch inside an executor task from its "path", which is not a file but the minibatch's image
 * indices ({@link #path}), and the broadcast images. DL4J's path-based parameter averaging
 * ({@code SparkDl4jMultiLayer.fitPaths}) is what its export mode runs on the exported minibatch files, but here
 * nothing is written: export mode turned every minibatch into floats and wrote it to
 * the shared filesystem each epoch, then read it back (measured by {@code bench} on {@code local[2]}: 8.7 % of
 * the workers' time). With an {@link Augmenter}, the indices are version indices as {@code SparkTrainer} numbers
 * them, and the images are augmented here, on the executor.
 */
final class MinibatchLoader implements DataSetLoader {
    private static final long serialVersionUID = 1L;
    /** Prefix of every minibatch path; DL4J opens a Hadoop {@code FileSystem} for it (never a file). */
    static final String PREFIX = "file:///spark-cnn-trainer/minibatch/";

    private final Broadcast<ImageBatch> images;
    private final Augmenter augmenter;
    private final boolean fixed;
    private final long epochVersion;
    private final LongAccumulator augmentedInTasks;
    private final LongAccumulator builtInTasks;

    private MinibatchLoader(Broadcast<ImageBatch> images, Augmenter augmenter, boolean fixed, long epochVersion,
                            LongAccumulator augmentedInTasks, LongAccumulator builtInTasks) {
        this.images = images;
        this.augmenter = augmenter;
        this.fixed = fixed;
        this.epochVersion = epochVersion;
        this.augmentedInTasks = augmentedInTasks;
        this.builtInTasks = builtInTasks;
    }

    /** Minibatches of the images as they are; {@code builtInTasks} counts the images of every minibatch built. */
    static MinibatchLoader plain(Broadcast<ImageBatch> images, LongAccumulator builtInTasks) {
        return new MinibatchLoader(images, null, false, 0, null, builtInTasks);
    }

    /**
     * Augmented minibatches: in {@code fixed} mode index {@code v} is image {@code v % n} in version {@code v / n}
     * (version 0 being the original), otherwise every index is an image in version {@code epochVersion}.
     */
    static MinibatchLoader augmented(Broadcast<ImageBatch> images, Augmenter augmenter, boolean fixed,
                                     long epochVersion, LongAccumulator augmentedInTasks,
                                     LongAccumulator builtInTasks) {
        return new MinibatchLoader(images, augmenter, fixed, epochVersion, augmentedInTasks, builtInTasks);
    }

    /** The path of the minibatch of these indices. */
    static String path(int[] indices) {
        return PREFIX + Arrays.stream(indices).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** The paths of these minibatches, in order. */
    static List<String> paths(List<int[]> batches) {
        return batches.stream().map(MinibatchLoader::path).toList();
    }

    /** The indices of a {@link #path}. */
    static int[] indices(String path) {
        if (!path.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a minibatch path: " + path);
        }
        return Arrays.stream(path.substring(PREFIX.length()).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Override
    public DataSet load(Source source) {
        int[] indices = indices(source.getPath());
        builtInTasks.add(indices.length);
        ImageBatch all = images.value();
        if (augmenter == null) {
            return all.select(indices).toDataSet();
        }
        int n = all.size();
        int[] image = new int[indices.length];
        long[] version = new long[indices.length];
        long augmented = 0;
        for (int i = 0; i < indices.length; i++) {
            image[i] = indices[i] % n;
            version[i] = fixed ? indices[i] / n : epochVersion;
            augmented += version[i] == 0 ? 0 : 1;
        }
        augmentedInTasks.add(augmented);
        return augmenter.dataSet(all, image, version);
    }
}
