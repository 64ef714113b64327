package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Batch normalization of float NHWC images as matrix products and row-vector operations on the
 * {@code [examples x height x width, channels]} view of the array, which is the NHWC array itself. (DL4J 1.0.0-M2.1
 * asks a helper only for images; flat rows after a dense layer keep DL4J's own code, as the tests saw.)
 *
 * <p>Why: DL4J 1.0.0-M2.1's oneDNN helper for batch normalization reduces NHWC arrays over their first three axes
 * with libnd4j's generic reductions, and its backward op is slower still: on the {@code lecture-best} network
 * (seven batch normalization layers, batch 128) they took 65 % of a training iteration, more than all of its
 * convolutions. Here the per-channel sums (the batch means and variances in the forward pass, the sums of the
 * output gradient and of its product with the normalized input in the backward pass) are products with a row of
 * ones, which BLAS does at memory speed; the rest are element-wise and row-vector operations.
 *
 * <p>The values are batch normalization's (Ioffe and Szegedy, 2015), as DL4J's own layer computes them: the batch
 * mean and biased variance in training, the moving averages (the layer's {@code mean} and {@code var} parameters)
 * at inference; {@link #getMeanCache} and {@link #getVarCache} give the layer the batch statistics from which it
 * updates its moving averages. NCHW images and other data types go to the helper DL4J chose (or to DL4J's own code).
 */
public final class FastBatchNormHelper implements BatchNormalizationHelper {
    private static final Logger LOG = LoggerFactory.getLogger(FastBatchNormHelper.class);
    static final Field HELPER_FIELD = helperField();

    private final BatchNormalizationHelper fallback;
    private boolean lastByFallback;
    private INDArray meanCache;
    private INDArray varCache;
    private INDArray ones;

    /** @param fallback the helper DL4J chose for the layer, for what this one does not handle; may be null */
    public FastBatchNormHelper(BatchNormalizationHelper fallback) {
        this.fallback = fallback;
    }

    /**
     * Gives every batch normalization layer of {@code net} this helper (on ND4J's CPU backend only); cheap when already
     * done.
     *
     * @return the number of layers that have it
     */
    public static int install(MultiLayerNetwork net) {
        if (HELPER_FIELD == null || !Nd4j.getEnvironment().isCPU()) {
            return 0;
        }
        int installed = 0;
        for (Layer layer : net.getLayers()) {
            if (!(layer instanceof BatchNormalization)) {
                continue;
            }
            if (!(layer.getHelper() instanceof FastBatchNormHelper)) {
                try {
                    HELPER_FIELD.set(layer, new FastBatchNormHelper((BatchNormalizationHelper) layer.getHelper()));
                } catch (IllegalAccessException e) {
                    LOG.warn("Could not install {} in layer {}: {}", FastBatchNormHelper.class.getSimpleName(),
                            layer.getIndex(), e.toString());
                    continue;
                }
            }
            installed++;
        }
        return installed;
    }

    private static Field helperField() {
        try {
            Field f = BatchNormalization.class.getDeclaredField("helper");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("DL4J's BatchNormalization has no accessible helper field; batch normalization stays DL4J's: {}",
                    e.toString());
            return null;
        }
    }

    /** Whether this helper computes for {@code x} itself: float, and flat rows or NHWC images. */
    private static boolean handles(INDArray x, CNN2DFormat format) {
        return x.dataType() == DataType.FLOAT && (x.rank() == 2 || x.rank() == 4 && format == CNN2DFormat.NHWC);
    }

    /**
     * {@code x} as a {@code [rows, channels]} matrix: a view, or a copy when {@code x} is not a dense C-order array
     * (ND4J gives size-1 dimensions strides that are not the default ones), so only for reading.
     */
    private static INDArray matrix(INDArray x) {
        INDArray dense = x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : x.dup('c');
        long channels = dense.size(dense.rank() - 1);
        return dense.reshape('c', dense.length() / channels, channels);
    }

    /** Per-channel sums of the {@code [rows, channels]} matrix {@code m}, scaled: a {@code [1, channels]} array. */
    private INDArray columnSums(INDArray m, double scale) {
        long rows = m.size(0);
        if (ones == null || ones.length() != rows) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(DataType.FLOAT, 1, rows);
            }
        }
        INDArray sums = ones.mmul(m);
        return scale == 1 ? sums : sums.muli(scale);
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
                              INDArray mean, INDArray var, double decay, double eps, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        lastByFallback = !handles(x, format) || gamma == null || beta == null;
        if (lastByFallback) {
            return fallback == null ? null
                    : fallback.preOutput(x, training, shape, gamma, beta, mean, var, decay, eps, format, workspaceMgr);
        }
        INDArray m = matrix(x);
        long channels = m.size(1);
        INDArray mu;
        INDArray variance;
        if (training) {
            mu = columnSums(m, 1.0 / m.size(0));
            INDArray centred = m.subRowVector(mu);
            variance = columnSums(centred.muli(centred), 1.0 / m.size(0));
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                if (meanCache == null || meanCache.length() != channels) {
                    meanCache = Nd4j.createUninitialized(DataType.FLOAT, channels);
                    varCache = Nd4j.createUninitialized(DataType.FLOAT, channels);
                }
            }
            meanCache.assign(mu.reshape(channels));
            varCache.assign(variance.reshape(channels));
        } else {
            mu = mean.reshape(1, channels);
            variance = var.reshape(1, channels);
        }
        INDArray scale = gamma.reshape(1, channels).div(Transforms.sqrt(variance.add(eps), false));
        INDArray shift = beta.reshape(1, channels).sub(mu.mul(scale));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, m.shape(), 'c');
        out.assign(m).muliRowVector(scale).addiRowVector(shift);
        return out.reshape('c', x.shape());
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (lastByFallback) {
            return fallback == null ? null : fallback.backpropGradient(input, epsilon, shape, gamma, beta, dGammaView,
                    dBetaView, eps, format, workspaceMgr);
        }
        INDArray x = matrix(input);
        INDArray dy = matrix(epsilon);
        long rows = x.size(0);
        long channels = x.size(1);
        INDArray std = Transforms.sqrt(varCache.reshape(1, channels).add(eps), false);
        INDArray xHat = x.subRowVector(meanCache.reshape(1, channels)).diviRowVector(std);
        INDArray dBeta = columnSums(dy, 1);
        INDArray dGamma = columnSums(xHat.mul(dy), 1);
        // dx = gamma / std * (dy - dBeta / rows - xHat * dGamma / rows)
        INDArray g = gamma.reshape(1, channels).div(std);
        INDArray dxm = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, x.shape(), 'c');
        dxm.assign(dy).muliRowVector(g);
        dxm.addi(xHat.muliRowVector(g.mul(dGamma).divi(-rows)));
        dxm.addiRowVector(g.mul(dBeta).divi(-rows));
        dGammaView.assign(dGamma.reshape(dGammaView.shape()));
        dBetaView.assign(dBeta.reshape(dBetaView.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(gradient, dxm.reshape('c', input.shape()));
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return lastByFallback && fallback != null ? fallback.getMeanCache(dataType) : meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return lastByFallback && fallback != null ? fallback.getVarCache(dataType) : varCache;
    }

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Map.of();
    }
}
