package io.sparkcnn.runtime;

import io.sparkcnn.Networks;
import io.sparkcnn.config.NativeConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class NativeSetupTest {
    @Test
    void convolutionAndPoolingLayersRunWithTheOneDnnHelper() {
        NativeSetup.applyToThisJvm(new NativeConfig(1, "auto", true, "auto"));
        assertTrue(org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN(), "oneDNN enabled in libnd4j");
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-cnn", 1));
        net.init();
        assertEquals(List.of("conv2d_1: MKLDNNConvHelper", "conv2d_2: MKLDNNConvHelper",
                "max_pooling2d: MKLDNNSubsamplingHelper"), NativeSetup.layerHelpers(net));
        assertTrue(NativeSetup.allConvolutionsUseOneDnn(net));
        // the CPU build: helpers follow the configuration (the CUDA build has no CpuBackend and turns them off)
        assertTrue(NativeSetup.cpuBackendOnClassPath());
        assertTrue(NativeSetup.helpersEnabled(new NativeConfig(1, "auto", true, "auto")));
        assertFalse(NativeSetup.helpersEnabled(new NativeConfig(1, "auto", false, "auto")));
        // and the helper really computes: a forward pass gives a probability distribution per image
        var out = net.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 784));
        assertEquals(3.0, out.sumNumber().doubleValue(), 1e-4);
    }

    @Test
    void withHelpersDisabledDl4jFallsBackToItsJavaImplementation() {
        try {
            NativeSetup.applyToThisJvm(new NativeConfig(1, "auto", false, "auto"));
            MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-cnn", 1));
            net.init();
            assertFalse(NativeSetup.allConvolutionsUseOneDnn(net));
        } finally {
            NativeSetup.applyToThisJvm(new NativeConfig(1, "auto", true, "auto"));
        }
    }

    @Test
    void coreTypeFollowsTheCpuFlagsOrTheConfiguration() {
        assertEquals(Optional.of("SKYLAKEX"), NativeSetup.detectCoreType(List.of("sse", "avx2", "avx512f", "avx512bw", "avx512vl")));
        assertEquals(Optional.of("HASWELL"), NativeSetup.detectCoreType(List.of("sse", "avx2")));
        assertEquals(Optional.empty(), NativeSetup.detectCoreType(List.of("sse")));
        assertEquals(Optional.of("ZEN"), NativeSetup.openblasCoreType(new NativeConfig(1, "ZEN", true, "auto")));
        assertEquals(Optional.empty(), NativeSetup.openblasCoreType(new NativeConfig(1, "none", true, "auto")));
    }
}
