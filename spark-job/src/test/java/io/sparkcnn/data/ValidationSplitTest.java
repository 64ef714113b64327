package io.sparkcnn.data;

import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.DataConfig;
import io.sparkcnn.config.InvalidConfigException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code data.validation = true} on MNIST's idx files: a tenth of the training images is held out as the validation
 * set, disjoint from the images trained on, the same for every run with the same split seed, and the test files are
 * never opened (here they do not exist).
 */
@Tag("unit")
class ValidationSplitTest {

    private static DataConfig data(String... overrides) {
        List<String> all = new java.util.ArrayList<>(List.of("data.dir=" + TestData.mnistDir().toUri(),
                "data.test-images=file:///nonexistent/t10k-images", "data.test-labels=file:///nonexistent/t10k-labels"));
        all.addAll(Arrays.asList(overrides));
        return ConfigLoader.load(null, all).data();
    }

    private static Set<String> fingerprints(LabeledImages images) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < images.count(); i++) {
            out.add(Arrays.hashCode(images.select(new int[]{i}, "one").pixels()) + "/" + images.labels()[i]);
        }
        return out;
    }

    @Test
    void idxHoldsOutATenthOfTheTrainingSetAndNeverReadsTheTestFiles() {
        DatasetLoader loader = new DatasetLoader(new Configuration());
        DatasetLoader.TrainTest split = loader.load(data("data.validation=true"));
        assertEquals("validation", split.heldOutRole());
        assertEquals(54_000, split.train().count());
        assertEquals(6_000, split.test().count());
        Set<String> trained = fingerprints(split.train());
        long seen = fingerprints(split.test()).stream().filter(trained::contains).count();
        assertTrue(seen < 30, "validation images are not training images (a few MNIST digits repeat): " + seen);
        DatasetLoader.TrainTest again = loader.load(data("data.validation=true"));
        assertEquals(Arrays.hashCode(split.test().labels()), Arrays.hashCode(again.test().labels()), "same split");
        assertThrows(InvalidDataException.class, () -> loader.load(data()), "without it the test files are read");
    }

    @Test
    void theHoldOutFractionMustBeAFraction() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> data("data.validation=true", "data.holdout-fraction=1.5"));
        assertTrue(e.getMessage().contains("data.holdout-fraction must be in (0, 1) when data.validation = true, got 1.5"),
                e.getMessage());
    }
}
