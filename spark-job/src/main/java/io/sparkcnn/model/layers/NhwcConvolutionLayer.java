package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * DL4J's convolution layer without the copy it makes of every NHWC input: DL4J 1.0.0-M2.1's forward pass permutes
 * an NHWC input to NCHW and copies it element by element before it asks its helper, which then takes the original
 * input, so the copy only ever serves to read the input's sizes. For {@code seed-cnn}'s second convolution that is
 * 2.8 million floats per minibatch of 128, 6-9 % of a training iteration. Here an NHWC layer with a helper hands
 * its input straight to the helper; every other case (NCHW, {@code Same} mode, no helper) runs DL4J's code.
 *
 * <p>{@link #install} swaps the running network's layer objects, not its configuration: the new layer shares every
 * field with the one it replaces (parameters, gradients, helper, listeners, caches), so the network's updater and
 * its saved form stay DL4J's own.
 */
public final class NhwcConvolutionLayer extends ConvolutionLayer {
    private static final Logger log = LoggerFactory.getLogger(NhwcConvolutionLayer.class);
    private static final Field LAYER_MAP = field(MultiLayerNetwork.class, "layerMap");
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private NhwcConvolutionLayer() {
        super(null, null);
        throw new AssertionError("made by install() only");
    }

    /**
     * Replaces every plain NHWC convolution layer of {@code net} that has a helper by a copy of this class. Cheap
     * when already done: call it as often as needed, after installing helpers, e.g. before every minibatch.
     *
     * @return how many layers are now of this class
     */
    public static int install(MultiLayerNetwork net) {
        if (LAYER_MAP == null || UNSAFE == null) {
            return 0;
        }
        Layer[] layers = net.getLayers();
        int installed = 0;
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof NhwcConvolutionLayer) {
                installed++;
            } else if (layers[i].getClass() == ConvolutionLayer.class && layers[i].getHelper() != null
                    && ((ConvolutionLayer) layers[i]).layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC) {
                try {
                    NhwcConvolutionLayer copy = (NhwcConvolutionLayer) UNSAFE.allocateInstance(NhwcConvolutionLayer.class);
                    copyFields(layers[i], copy);
                    replace(net, layers[i], copy);
                    layers[i] = copy;
                    installed++;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    log.warn("Could not replace convolution layer {}: {}", i, e.toString());
                }
            }
        }
        return installed;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
            LayerWorkspaceMgr workspaceMgr) {
        var c = layerConf();
        if (helper == null || helperCountFail != 0 || c.getCnn2dDataFormat() != CNN2DFormat.NHWC
                || convolutionMode == ConvolutionMode.Same || input == null || input.rank() != 4) {
            return super.preOutput(training, forBackprop, workspaceMgr);
        }
        assertInputSet(false);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        validateInputDepth(weights.size(1));
        if (preOutput != null && forBackprop) {
            return new Pair<>(preOutput, null);
        }
        if (!hasBias()) {
            if (dummyBias == null) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    dummyBias = Nd4j.create(weights.dataType(), 1, c.getNOut());
                }
            }
            bias = dummyBias;
        }
        INDArray out = helper.preOutput(input.castTo(dataType), weights, bias, c.getKernelSize(), c.getStride(),
                c.getPadding(), c.getCudnnAlgoMode(), c.getCudnnFwdAlgo(), convolutionMode, c.getDilation(),
                CNN2DFormat.NHWC, workspaceMgr);
        return out != null ? new Pair<>(out, null) : super.preOutput(training, forBackprop, workspaceMgr);
    }

    /** Every instance field of {@code from}'s classes, set on {@code to} (a subclass instance), shallowly. */
    private static void copyFields(Object from, Object to) throws IllegalAccessException {
        for (Class<?> k = from.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void replace(MultiLayerNetwork net, Layer old, Layer copy) throws IllegalAccessException {
        Map<String, Layer> byName = (Map<String, Layer>) LAYER_MAP.get(net);
        if (byName != null) {
            byName.replaceAll((name, layer) -> layer == old ? copy : layer);
        }
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("DL4J's {} has no field '{}'; convolution layers keep DL4J's NHWC copy: {}",
                    owner.getSimpleName(), name, e.toString());
            return null;
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("No sun.misc.Unsafe; convolution layers keep DL4J's NHWC copy: {}", e.toString());
            return null;
        }
    }
}
