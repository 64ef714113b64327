package io.sparkcnn.runtime;

import io.sparkcnn.Networks;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.model.NetworkFactory;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory plan against hand calculations from the networks' layer shapes (docs/cluster.md, "Memory plan: `resources`"). */
@Tag("unit")
class MemoryPlanTest {
    private static final long MIB = 1L << 20;

    private static MemoryPlan plan(String preset, int batch, String... more) {
        List<String> overrides = new java.util.ArrayList<>(List.of("model.preset=" + preset,
                "train.batch-size-per-worker=" + batch));
        overrides.addAll(List.of(more));
        return MemoryPlan.forJob(ConfigLoader.load(null, overrides));
    }

    @Test
    void seedCnnMatchesAHandCalculation() {
        MemoryPlan p = plan("seed-cnn", 128);
        long params = 1_199_882;                 // 320 + 18,496 + 1,179,776 + 1,290
        long state = 2 * params;                 // AdaDelta: two accumulators per parameter
        // outputs per image: conv 32x26x26, conv 64x24x24, pool 64x12x12, dropout, dense 128, dropout, output 10
        long act = 21_632 + 36_864 + 9_216 + 9_216 + 128 + 128 + 10;
        long pre = 21_632 + 36_864 + 128 + 10;   // layers with parameters
        long masks = 9_216 + 128;                // the two dropout layers' inputs
        long im2col = 2L * 24 * 24 * 32 * 3 * 3; // conv2d_2: its 3x3x32 patches at 24x24 positions, and their gradient
        assertEquals(params, p.parameters());
        assertEquals(state, p.updaterState());
        assertEquals(77_194, p.activationValues());
        assertEquals(pre, p.preOutputValues());
        assertEquals(masks, p.dropoutMaskValues());
        assertEquals(im2col, p.convolutionWorkingValues());
        assertEquals(784 + 10, p.inputValues());
        assertEquals(3, p.convolutionLayers());

        long model = 4 * (params + params + state);
        long copy = 4 * (params + state);
        long minibatch = 4L * 128 * (2 * act + pre + masks + im2col);
        long data = 4L * 128 * 794 * 3;          // the minibatch and 2 prefetched ones
        assertEquals(19_198_112, model);
        assertEquals(283_720_704, minibatch);
        assertEquals(model, p.modelBytes());
        assertEquals(copy, p.averagingCopyBytes());
        assertEquals(minibatch, p.minibatchBytes());
        assertEquals(data, p.dataBytes());
        assertEquals(model + copy + minibatch + data, p.perTaskBytes());
        assertEquals(318_536_984, p.perTaskBytes());
        assertEquals(copy, p.perExecutorBytes());
        assertEquals(256 * MIB + copy + 2 * p.perTaskBytes(), p.offHeapBytes(2));
    }

    @Test
    void aBiggerBatchNeedsMoreInProportionToTheExamples() {
        MemoryPlan b64 = plan("seed-cnn", 64);
        MemoryPlan b128 = plan("seed-cnn", 128);
        MemoryPlan b256 = b128.withBatchSize(256);
        assertTrue(b64.perTaskBytes() < b128.perTaskBytes() && b128.perTaskBytes() < b256.perTaskBytes());
        long perExample = 4L * ((2 * 77_194 + 58_634 + 9_344 + 331_776) + 794 * 3);
        assertEquals(64 * perExample, b128.perTaskBytes() - b64.perTaskBytes());
        assertEquals(128 * perExample, b256.perTaskBytes() - b128.perTaskBytes());
        assertEquals(b128.modelBytes(), b256.modelBytes(), "the model does not grow with the batch");
        assertTrue(b128.offHeapBytes(2) > b128.offHeapBytes(1));
    }

    @Test
    void seedFcWithAdamAndWithSgd() {
        MemoryPlan adam = plan("seed-fc", 128);
        long params = 155_830;                   // 784x196+196 + 196x10+10
        assertEquals(params, adam.parameters());
        assertEquals(2 * params, adam.updaterState(), "Adam: two moments per parameter");
        assertEquals(196 + 196 + 10, adam.activationValues());
        assertEquals(0, adam.convolutionWorkingValues());
        assertEquals(0, adam.convolutionLayers());
        assertEquals(6_200_296, adam.perTaskBytes());
        MemoryPlan sgd = plan("seed-fc", 128, "model.network.updater.type=sgd");
        assertEquals(0, sgd.updaterState(), "SGD keeps no state");
        assertEquals(adam.perTaskBytes() - 4 * 2 * params * 2, sgd.perTaskBytes(), "no state in the model nor in the copy");
    }

    @Test
    void frozenLayersKeepNoUpdaterState() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Adam(1e-3)).list()
                .layer(new FrozenLayer(new DenseLayer.Builder().nOut(196).activation(Activation.RELU).build()))
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784))
                .build();
        MemoryPlan p = MemoryPlan.of(conf, InputType.feedForward(784), 32, 0);
        assertEquals(155_830, p.parameters());
        assertEquals(2 * (196 * 10 + 10), p.updaterState(), "only the output layer trains");
    }

    @Test
    void neverBelowDl4jsOwnEstimateNorFarAbove() {
        MultiLayerConfiguration conf = Networks.build("seed-cnn", 1);
        InputType input = NetworkFactory.inputType(Networks.preset("seed-cnn"), 28, 28);
        for (int batch : new int[] {64, 128, 256}) {
            MemoryPlan p = MemoryPlan.of(conf, input, batch, 0);
            long dl4j = conf.getMemoryReport(input).getTotalMemoryBytes(batch, MemoryUseMode.TRAINING, CacheMode.NONE,
                    DataType.FLOAT);
            long ours = p.modelBytes() + p.minibatchBytes() + p.dataBytes();
            assertTrue(ours >= dl4j && ours < 1.3 * dl4j, "batch " + batch + ": ours " + ours + ", DL4J's " + dl4j);
        }
    }

    @Test
    void recommendationsFollowTheHeapAndTheTasks() {
        MemoryPlan p = plan("seed-cnn", 128);
        MemoryPlan.Recommendation two = p.recommend(2048 * MIB, 2, 1);
        assertEquals(2, two.tasksPerExecutor());
        assertEquals(p.offHeapBytes(2), two.offHeapBytes());
        assertEquals(p.offHeapBytes(2), two.maxBytes());
        assertEquals(384 * MIB, two.jvmOverheadBytes(), "Spark's minimum below 3.75 GiB of heap");
        assertEquals((384 * MIB + p.offHeapBytes(2) + MIB - 1) / MIB, two.memoryOverheadMib());
        assertEquals(2048 * MIB + two.memoryOverheadMib() * MIB, two.maxPhysicalBytes());
        assertEquals(two.memoryOverheadMib() + "m", two.memoryOverhead());
        assertEquals("-Dorg.bytedeco.javacpp.maxbytes=" + two.maxBytes() + " -Dorg.bytedeco.javacpp.maxphysicalbytes="
                + two.maxPhysicalBytes(), two.javaOptions());

        MemoryPlan.Recommendation wideTasks = p.recommend(2048 * MIB, 2, 2);
        assertEquals(1, wideTasks.tasksPerExecutor(), "two cores per task: one task at a time");
        assertTrue(wideTasks.memoryOverheadMib() < two.memoryOverheadMib());
        assertEquals(1024 * MIB, p.recommend(10240 * MIB, 1, 1).jvmOverheadBytes(), "10 % of a big heap");
    }
}
