package io.sparkcnn.config;

import io.sparkcnn.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every job file shipped in {@code conf/} loads and validates, and the recipes say what docs/results.md says. */
@Tag("unit")
class ShippedConfigsTest {
    @Test
    void everyShippedJobFileIsValid() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.walk(TestData.projectRoot().resolve("conf"))) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".conf"))
                    .filter(p -> !p.getParent().getFileName().toString().equals("networks")).sorted().toList();
        }
        assertTrue(files.size() >= 8, "job files found: " + files);
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            try {
                ConfigLoader.load(file, List.of());
            } catch (InvalidConfigException e) {
                failures.add(file.getFileName() + ": " + e.errors());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void theAugmentedRecipeIsKerasRecipePlusMildAugmentationWithoutMirroringAndWeightAveraging() {
        Path root = TestData.projectRoot();
        JobConfig keras = ConfigLoader.load(root.resolve("conf/seed-cnn.conf"), List.of());
        JobConfig augmented = ConfigLoader.load(root.resolve("conf/seed-cnn-augmented.conf"), List.of());
        assertFalse(keras.augment().enabled());
        assertEquals(keras.model(), augmented.model());
        assertEquals(keras.train().batchSizePerWorker(), augmented.train().batchSizePerWorker());
        assertEquals(keras.train().averagingFrequency(), augmented.train().averagingFrequency());
        assertEquals(12, augmented.train().epochs());
        assertEquals(0, keras.train().averageLastEpochs());
        assertEquals(6, augmented.train().averageLastEpochs(), "the mean of the weights of epochs 7-12");

        AugmentConfig a = augmented.augment();
        assertTrue(a.enabled());
        assertEquals("per-epoch", a.mode());
        assertEquals(new AugmentConfig.Rotation(0.5, 10), a.rotation());
        assertEquals(new AugmentConfig.Translation(0.5, 2), a.translation());
        assertEquals(new AugmentConfig.Scaling(0.5, 0.9, 1.1), a.scaling());
        assertEquals(0.0, a.shear().probability());
        assertEquals(0.0, a.elastic().probability());
        assertEquals(new AugmentConfig.Reflection(0, 0), a.reflection());
    }

    /**
     * Each ablation of {@code conf/lecture-best.conf} removes one ingredient and holds the rest fixed: its network
     * is the recipe's with the layers of one kind taken out, in the same order, and every other setting is equal.
     */
    @Test
    void eachAblationRemovesOneLayerKindAndHoldsEverythingElseFixed() {
        Path root = TestData.projectRoot();
        JobConfig best = ConfigLoader.load(root.resolve("conf/lecture-best.conf"), List.of());
        assertEquals(7, countOf(best, "batch-norm"));
        assertEquals(3, countOf(best, "dropout"));
        for (String[] ablation : new String[][] {{"no-batch-norm", "batch-norm"}, {"no-dropout", "dropout"}}) {
            JobConfig without = ConfigLoader.load(root.resolve("conf/ablation/" + ablation[0] + ".conf"), List.of());
            List<LayerConfig> expected = best.model().network().layers().stream()
                    .filter(l -> !l.type().equals(ablation[1])).toList();
            assertEquals(expected, without.model().network().layers(), ablation[0]);
            assertEquals(best.model().network().updater(), without.model().network().updater(), ablation[0]);
            assertEquals(best.model().network().weightInit(), without.model().network().weightInit(), ablation[0]);
            assertEquals(best.train(), without.train(), ablation[0]);
            assertEquals(best.augment(), without.augment(), ablation[0]);
            assertEquals(best.data(), without.data(), ablation[0]);
        }
    }

    private static long countOf(JobConfig job, String type) {
        return job.model().network().layers().stream().filter(l -> l.type().equals(type)).count();
    }
}
